// Loading: the YAML file and HERALD_* environment through viper, secrets from *_file and *_env keys.

package configs

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
)

// Error is a configuration problem tied to one key.
type Error struct {
	Key string
	Msg string
}

func (e *Error) Error() string {
	if e.Key == "" {
		return "配置错误：" + e.Msg
	}
	return "配置错误：" + e.Key + "：" + e.Msg
}

// ErrNoConfig is returned by Load when no config file was named and none exists.
var ErrNoConfig = errors.New("配置错误：找不到配置文件")

// DefaultPath is read when neither --config nor HERALD_CONFIG names a file.
const DefaultPath = "herald.yaml"

// Default review levels when review.levels is not set at all.
var defaultLevels = []string{"初审", "复审", "终审"}

func newViper() *viper.Viper {
	v := viper.New()
	v.SetConfigType("yaml")
	v.SetEnvPrefix("HERALD")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	v.SetDefault("data_dir", "./herald-data")
	v.SetDefault("listen", "127.0.0.1:8080")
	v.SetDefault("http.read_timeout", "60s")
	v.SetDefault("http.write_timeout", "120s")
	v.SetDefault("http.idle_timeout", "120s")
	v.SetDefault("http.max_conns_per_ip", 100)
	v.SetDefault("http.secure_cookies", false)
	v.SetDefault("http.trusted_proxies", []string{})
	v.SetDefault("timezone", "Asia/Shanghai")
	v.SetDefault("wechat.api_base", "https://api.weixin.qq.com")
	v.SetDefault("wechat.stable_token", false)
	v.SetDefault("wechat.timeout", "15s")
	v.SetDefault("weibo.api_base", "https://api.weibo.com")
	v.SetDefault("weibo.timeout", "15s")
	v.SetDefault("review.levels", defaultLevels)
	v.SetDefault("review.allow_self_review", false)
	v.SetDefault("delivery.workers", 32)
	v.SetDefault("delivery.max_attempts", 8)
	v.SetDefault("delivery.settle_window", "15m")
	v.SetDefault("delivery.quiet_hours.start", "")
	v.SetDefault("delivery.quiet_hours.end", "")
	v.SetDefault("stats.collect_at", "09:00")
	v.SetDefault("reports.graphics_target", 60)
	v.SetDefault("reports.webhook_url", "")
	v.SetDefault("reports.region", "")
	v.SetDefault("reports.unit", "")
	v.SetDefault("policies.interval", "1h")
	v.SetDefault("policies.interpret_within", 3)
	v.SetDefault("notify.webhook_url", "")
	v.SetDefault("notify.secret", "")
	v.SetDefault("notify.secret_file", "")
	v.SetDefault("notify.secret_env", "")
	v.SetDefault("notify.console_url", "")
	v.SetDefault("graphic.primary_color", "#C62828")
	v.SetDefault("graphic.accent_color", "#D84315")
	v.SetDefault("graphic.footer", "")
	v.SetDefault("graphic.logo_file", "")
	v.SetDefault("patrol.days", 30)
	v.SetDefault("patrol.calls_per_second", 5)
	v.SetDefault("patrol.workers", 8)
	v.SetDefault("patrol.remind_before", "24h")
	v.SetDefault("patrol.keep_text_days", 400)
	replicaDefaults(v)
	v.SetDefault("interaction.answer_within", 2)
	v.SetDefault("interaction.remind_before", "4h")
	v.SetDefault("interaction.poll", "10m")
	v.SetDefault("interaction.days", 30)
	return v
}

// Load reads the config at path (or HERALD_CONFIG, or ./herald.yaml when path
// is empty), applies HERALD_* environment overrides, resolves secrets and
// validates the result.
func Load(path string) (*Config, error) {
	explicit := path != ""
	if path == "" {
		path = os.Getenv("HERALD_CONFIG")
		explicit = path != ""
	}
	if path == "" {
		path = DefaultPath
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if !explicit && errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w %s：请用 --config 指定，或设置 HERALD_CONFIG", ErrNoConfig, path)
		}
		return nil, &Error{Msg: fmt.Sprintf("无法读取 %s：%v", path, err)}
	}
	cfg, err := Parse(data)
	if err != nil {
		return nil, err
	}
	cfg.Source = path
	return cfg, nil
}

// Parse loads a config from YAML bytes plus the environment, and validates it.
func Parse(data []byte) (*Config, error) {
	v := newViper()
	if err := v.ReadConfig(strings.NewReader(string(data))); err != nil {
		return nil, &Error{Msg: yamlProblem(err)}
	}
	if err := checkUnknownKeys(v.AllSettings()); err != nil {
		return nil, err
	}
	var cfg Config
	if err := v.Unmarshal(&cfg, viper.DecodeHook(mapstructure.ComposeDecodeHookFunc(
		dateToString,
		mapstructure.StringToTimeDurationHookFunc(),
		mapstructure.StringToSliceHookFunc(","),
	))); err != nil {
		return nil, decodeProblem(err)
	}
	if err := cfg.resolveSecrets(); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// dateToString keeps YAML dates (token_expires: 2027-03-01) as the text written.
func dateToString(from, to reflect.Type, data any) (any, error) {
	if t, ok := data.(time.Time); ok && to.Kind() == reflect.String {
		return t.Format("2006-01-02"), nil
	}
	return data, nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// resolveSecrets fills AppSecret and AccessToken from their *_file or *_env keys.
func (c *Config) resolveSecrets() error {
	var err error
	if c.Notify.Secret, err = secret("notify.secret", c.Notify.Secret, c.Notify.SecretFile, c.Notify.SecretEnv); err != nil {
		return err
	}
	if err := c.Replica.resolveSecret(); err != nil {
		return err
	}
	for i := range c.Accounts {
		a := &c.Accounts[i]
		key := fmt.Sprintf("accounts[%d]", i)
		if a.AppSecret, err = secret(key+".app_secret", a.AppSecret, a.AppSecretFile, a.AppSecretEnv); err != nil {
			return err
		}
		if a.AccessToken, err = secret(key+".access_token", a.AccessToken, a.AccessTokenFile, a.AccessTokenEnv); err != nil {
			return err
		}
		if a.EncodingAESKey, err = secret(key+".encoding_aes_key", a.EncodingAESKey, a.EncodingAESKeyFile, a.EncodingAESKeyEnv); err != nil {
			return err
		}
	}
	return nil
}

func secret(key, inline, file, env string) (string, error) {
	set := 0
	for _, s := range []string{inline, file, env} {
		if s != "" {
			set++
		}
	}
	if set > 1 {
		return "", &Error{key, "只能设置 " + key + "、" + key + "_file、" + key + "_env 中的一个"}
	}
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", &Error{key + "_file", fmt.Sprintf("无法读取密钥文件：%v", err)}
		}
		s := strings.TrimSpace(string(b))
		if s == "" {
			return "", &Error{key + "_file", "密钥文件 " + file + " 是空的"}
		}
		return s, nil
	case env != "":
		s := strings.TrimSpace(os.Getenv(env))
		if s == "" {
			return "", &Error{key + "_env", "环境变量 " + env + " 未设置"}
		}
		return s, nil
	}
	return inline, nil
}

// yamlProblem says where the YAML parser stopped, in Chinese: the parser's
// own words are English.
func yamlProblem(err error) string {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		return "YAML 格式错误：第 " + m[1] + " 行附近有误（请检查缩进、冒号、引号和括号）"
	}
	return "YAML 格式错误（请检查缩进、冒号、引号和括号）"
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// decodeProblem names the key whose value has the wrong type, and the type
// it needs, in Chinese (the decoder's own words are English).
func decodeProblem(err error) error {
	msg := err.Error()
	m := decodeKey.FindStringSubmatch(msg)
	if m == nil {
		return &Error{Msg: "配置项的值类型不对：" + oneLine(msg)}
	}
	need := "值的格式不对"
	switch {
	case strings.Contains(msg, "as 'int'"), strings.Contains(msg, "as 'uint'"):
		need = "须为整数"
	case strings.Contains(msg, "as 'bool'"):
		need = "须为 true 或 false"
	case strings.Contains(msg, "as 'float"):
		need = "须为数字"
	case strings.Contains(msg, "time: "):
		need = "须为时长，例如 15s、10m、1h"
	case strings.Contains(msg, "expected a map"), strings.Contains(msg, "expected type 'struct"):
		need = "须为键值映射"
	case strings.Contains(msg, "source data must be an array or slice"):
		need = "须为列表"
	}
	return &Error{Key: m[1], Msg: need}
}

var decodeKey = regexp.MustCompile(`'([A-Za-z0-9_.\[\]]+)'`)
