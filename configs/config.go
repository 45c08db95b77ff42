// Package configs loads, validates and describes herald's configuration.
//
// Configuration comes from one YAML file (--config, HERALD_CONFIG, or
// ./herald.yaml) overlaid with HERALD_<SECTION>_<KEY> environment variables.
// Load returns a validated *Config that callers pass down explicitly; there is
// no package-level configuration state.
package configs

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-viper/mapstructure/v2"

	"github.com/herald-gov/herald/content"
	"github.com/spf13/viper"
)

// Platform names as they appear in the config.
const (
	PlatformWeChat = "wechat"
	PlatformWeibo  = "weibo"
)

// WeChat account types.
const (
	WeChatSubscription = "subscription"
	WeChatService      = "service"
)

// Config is herald's whole configuration after loading and validation.
type Config struct {
	DataDir     string       `mapstructure:"data_dir"`
	Listen      string       `mapstructure:"listen"`
	HTTP        HTTPConfig   `mapstructure:"http"`
	Timezone    string       `mapstructure:"timezone"`
	WeChat      WeChatConfig `mapstructure:"wechat"`
	Weibo       WeiboConfig  `mapstructure:"weibo"`
	Review      ReviewConfig `mapstructure:"review"`
	Delivery    Delivery     `mapstructure:"delivery"`
	Stats       Stats        `mapstructure:"stats"`
	Reports     Reports      `mapstructure:"reports"`
	Notify      Notify       `mapstructure:"notify"`
	Graphic     GraphicStyle `mapstructure:"graphic"`
	Patrol      Patrol       `mapstructure:"patrol"`
	Publish     Publish      `mapstructure:"publish"`
	Policies    Policies     `mapstructure:"policies"`
	Replica     Replica      `mapstructure:"replica"`
	Groups      []Group      `mapstructure:"groups"`
	Departments []Department `mapstructure:"departments"`
	Accounts    []Account    `mapstructure:"accounts"`

	// Location is Timezone resolved; set by Validate.
	Location *time.Location `mapstructure:"-"`
	// Wording is the starter wording list plus review.wording_files; set by Validate.
	Wording []content.Term `mapstructure:"-"`
	// Source names the file the config came from ("" when none was read).
	Source string `mapstructure:"-"`
}

// HTTPConfig bounds what one client may hold of serve's HTTP side.
type HTTPConfig struct {
	// ReadTimeout bounds reading a whole request, body (uploads) included:
	// a client that trickles its body is cut off when it passes.
	ReadTimeout time.Duration `mapstructure:"read_timeout"`
	// WriteTimeout bounds writing a response (exports included).
	WriteTimeout time.Duration `mapstructure:"write_timeout"`
	// IdleTimeout closes a kept-alive connection that sends nothing.
	IdleTimeout time.Duration `mapstructure:"idle_timeout"`
	// MaxConnsPerIP caps the connections one client address may hold open.
	MaxConnsPerIP int `mapstructure:"max_conns_per_ip"`
	// SecureCookies marks the console's cookies Secure: set it when herald
	// is reached over HTTPS through a proxy that speaks plain HTTP to it.
	SecureCookies bool `mapstructure:"secure_cookies"`
	// TrustedProxies (IPs or CIDRs) are the proxies whose X-Forwarded-Proto
	// herald believes; from anyone else the header is ignored.
	TrustedProxies []string `mapstructure:"trusted_proxies"`
}

// WeChatConfig holds settings shared by every WeChat account.
type WeChatConfig struct {
	APIBase string `mapstructure:"api_base"`
	// StableToken makes herald use /cgi-bin/stable_token instead of /cgi-bin/token.
	StableToken bool          `mapstructure:"stable_token"`
	Timeout     time.Duration `mapstructure:"timeout"`
}

// WeiboConfig holds settings shared by every Weibo account.
type WeiboConfig struct {
	APIBase string        `mapstructure:"api_base"`
	Timeout time.Duration `mapstructure:"timeout"`
}

// ReviewConfig describes the review levels and who may sign each.
type ReviewConfig struct {
	// Levels in order; empty means items need no review.
	Levels []string `mapstructure:"levels"`
	// Reviewers maps a level name to the names allowed to sign it. A level
	// missing here may be signed by anyone.
	Reviewers map[string][]string `mapstructure:"reviewers"`
	// WordingFiles are the office's own wording lists, loaded after the
	// starter list (configs/wording.txt) and overriding it term by term.
	WordingFiles []string `mapstructure:"wording_files"`
	// Leaders are the leaders whose names must follow their titles exactly
	// (「县委书记王建国」); the patrol and the queue check every text against them.
	Leaders []Leader `mapstructure:"leaders"`
}

// Leader is a leader's name and title as written before the name.
type Leader struct {
	Name  string `mapstructure:"name"`
	Title string `mapstructure:"title"`
}

// ContentLeaders returns review.leaders for the text checker.
func (c *Config) ContentLeaders() []content.Leader {
	out := make([]content.Leader, 0, len(c.Review.Leaders))
	for _, l := range c.Review.Leaders {
		out = append(out, content.Leader{Name: l.Name, Title: l.Title})
	}
	return out
}

// Delivery tunes the delivery engine.
type Delivery struct {
	Workers     int        `mapstructure:"workers"`
	MaxAttempts int        `mapstructure:"max_attempts"`
	QuietHours  QuietHours `mapstructure:"quiet_hours"`
	// SettleWindow: after a lost answer, how long a WeChat publish may take to
	// show in the published list before herald concludes it never went out.
	SettleWindow time.Duration `mapstructure:"settle_window"`
}

// QuietHours is a daily window (local time, "HH:MM") in which non-urgent
// deliveries wait. Empty Start and End means no quiet hours.
type QuietHours struct {
	Start string `mapstructure:"start"`
	End   string `mapstructure:"end"`
}

// Stats configures the daily statistics collection.
type Stats struct {
	// CollectAt is the daily collection time, "HH:MM" in the configured timezone.
	CollectAt string `mapstructure:"collect_at"`
}

// Reports configures reports and warnings.
type Reports struct {
	GraphicsTarget int    `mapstructure:"graphics_target"`
	WebhookURL     string `mapstructure:"webhook_url"`
	// Region is the place the reports' titles name, e.g. 青山县 in
	// 「青山县政务新媒体2026年11月运行情况统计表」 (default: the news office
	// department's name up to its first 县, 市, 区 or 旗).
	Region string `mapstructure:"region"`
	// Unit is the 制表单位 printed under the reports' titles (default: the
	// news office department's name).
	Unit string `mapstructure:"unit"`
}

// Policies configures the policy pipeline: which 政策文件 lists of the
// county site herald watches, how often, and how soon each policy must be
// interpreted (解读) or explained in a graphic (图解).
type Policies struct {
	// Sources are the list pages (or RSS/Atom feeds) herald reads.
	Sources []PolicySource `mapstructure:"sources"`
	// Interval between syncs in `herald serve` (default 1h).
	Interval time.Duration `mapstructure:"interval"`
	// InterpretWithin is the number of working days after a policy's date
	// by which a linked 解读 or 图解 must be published (default 3).
	InterpretWithin int `mapstructure:"interpret_within"`
}

// PolicySource is one list page (or feed) of policy documents.
type PolicySource struct {
	URL string `mapstructure:"url"`
	// LinkPattern, when set, is a regular expression a document link's
	// absolute URL must match; it replaces herald's own choice of the links
	// inside the list.
	LinkPattern string `mapstructure:"link_pattern"`
}

// Notify configures the group robot (WeCom or DingTalk) that tells people
// when an item waits for them, was rejected or failed to publish, and about
// dormancy and patrol findings.
type Notify struct {
	// WebhookURL is the robot's URL (its key is in it: masked by config
	// show, kept out of every log). reports.webhook_url is an alias.
	WebhookURL string `mapstructure:"webhook_url"`
	// Secret signs DingTalk webhooks (加签); may come from secret_file or secret_env.
	Secret     string `mapstructure:"secret"`
	SecretFile string `mapstructure:"secret_file"`
	SecretEnv  string `mapstructure:"secret_env"`
	// ConsoleURL is the console's address as people reach it (e.g.
	// https://herald.qingshan.gov.cn/); messages link to the item when set.
	ConsoleURL string `mapstructure:"console_url"`
}

// Patrol configures the inspection patrol (herald patrol, and daily in serve).
type Patrol struct {
	// Days is how many days back the daily patrol reads and checks (default 30).
	Days int `mapstructure:"days"`
	// CallsPerSecond paces the platform calls made for one account (default 5).
	CallsPerSecond float64 `mapstructure:"calls_per_second"`
	// Workers is how many accounts are read at once (default 8).
	Workers int `mapstructure:"workers"`
	// RemindBefore: a repost task's reminder goes to the robot this long
	// before it is due (default 24h).
	RemindBefore time.Duration `mapstructure:"remind_before"`
	// UpdateRules are local update rules on top of the national one (an
	// update within every 14 days).
	UpdateRules []UpdateRule `mapstructure:"update_rules"`
	// KeepTextDays is how long the texts patrol read are kept (default 400
	// days: a year of inspections and some); older publications keep their
	// title, address and time, and their findings. 0 keeps them for ever.
	KeepTextDays int `mapstructure:"keep_text_days"`
}

// UpdateRule requires at least MinPosts publications in every Days days of
// the accounts named by Targets (all, group:NAME, or account ids):
// 「每周至少3条」 is {days: 7, min_posts: 3}.
type UpdateRule struct {
	Targets  string `mapstructure:"targets"`
	Days     int    `mapstructure:"days"`
	MinPosts int    `mapstructure:"min_posts"`
}

// Publish is how articles go out.
type Publish struct {
	// SignOff appends 「编辑：… 审核：… 终审：…」 from the review record
	// to every article (local rules require the reviewers' names).
	SignOff bool `mapstructure:"sign_off"`
}

// GraphicStyle is the office's look for policy graphics.
type GraphicStyle struct {
	// PrimaryColor and AccentColor are #RRGGBB (default the red style).
	PrimaryColor string `mapstructure:"primary_color"`
	AccentColor  string `mapstructure:"accent_color"`
	// Footer is printed at the foot of every page (default: the news
	// office's first account's name).
	Footer string `mapstructure:"footer"`
	// LogoFile is a PNG or JPEG drawn on the title banner.
	LogoFile string `mapstructure:"logo_file"`
}

// Group gives an account group a display title and fixes report order.
type Group struct {
	Name  string `mapstructure:"name"`
	Title string `mapstructure:"title"`
}

// Department is an office or department whose people publish through herald.
type Department struct {
	ID   string `mapstructure:"id"`
	Name string `mapstructure:"name"`
	// Office marks the news office, which may target every account.
	Office bool `mapstructure:"office"`
}

// Account is one WeChat official account or Weibo account.
type Account struct {
	ID         string   `mapstructure:"id"`
	Name       string   `mapstructure:"name"`
	Platform   string   `mapstructure:"platform"`
	Groups     []string `mapstructure:"groups"`
	Department string   `mapstructure:"department"`

	// WeChat
	AppID         string `mapstructure:"app_id"`
	AppSecret     string `mapstructure:"app_secret"`
	AppSecretFile string `mapstructure:"app_secret_file"`
	AppSecretEnv  string `mapstructure:"app_secret_env"`
	Type          string `mapstructure:"type"`

	// Weibo
	UID             string `mapstructure:"uid"`
	AccessToken     string `mapstructure:"access_token"`
	AccessTokenFile string `mapstructure:"access_token_file"`
	AccessTokenEnv  string `mapstructure:"access_token_env"`
	TokenExpires    string `mapstructure:"token_expires"`
	LinkURL         string `mapstructure:"link_url"`
}

// Error is a configuration problem tied to one key.
type Error struct {
	Key string
	Msg string
}

func (e *Error) Error() string {
	if e.Key == "" {
		return "config: " + e.Msg
	}
	return "config: " + e.Key + ": " + e.Msg
}

// ErrNoConfig is returned by Load when no config file was named and none exists.
var ErrNoConfig = errors.New("no config file")

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
			return nil, fmt.Errorf("config: %w: %s not found (use --config FILE or HERALD_CONFIG)", ErrNoConfig, path)
		}
		return nil, &Error{Msg: fmt.Sprintf("cannot read %s: %v", path, err)}
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
		return nil, &Error{Msg: "malformed YAML: " + oneLine(err.Error())}
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
		return nil, &Error{Msg: oneLine(err.Error())}
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
		return "", &Error{key, "set only one of " + key + ", " + key + "_file, " + key + "_env"}
	}
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", &Error{key + "_file", fmt.Sprintf("cannot read secret file: %v", err)}
		}
		s := strings.TrimSpace(string(b))
		if s == "" {
			return "", &Error{key + "_file", "secret file " + file + " is empty"}
		}
		return s, nil
	case env != "":
		s := strings.TrimSpace(os.Getenv(env))
		if s == "" {
			return "", &Error{key + "_env", "environment variable " + env + " is not set"}
		}
		return s, nil
	}
	return inline, nil
}

// Validate checks the config and fills derived fields. Its error names the
// offending key in one line.
func (c *Config) Validate() error {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil || c.Timezone == "" {
		return &Error{"timezone", fmt.Sprintf("unknown timezone %q (e.g. Asia/Shanghai)", c.Timezone)}
	}
	c.Location = loc
	if c.DataDir == "" {
		return &Error{"data_dir", "must not be empty"}
	}
	if err := checkBaseURL("wechat.api_base", c.WeChat.APIBase); err != nil {
		return err
	}
	if err := checkBaseURL("weibo.api_base", c.Weibo.APIBase); err != nil {
		return err
	}
	if err := c.HTTP.validate(); err != nil {
		return err
	}
	if c.WeChat.Timeout <= 0 {
		return &Error{"wechat.timeout", "must be a positive duration such as 15s"}
	}
	if c.Weibo.Timeout <= 0 {
		return &Error{"weibo.timeout", "must be a positive duration such as 15s"}
	}
	if c.Delivery.Workers < 1 || c.Delivery.Workers > 1024 {
		return &Error{"delivery.workers", fmt.Sprintf("must be between 1 and 1024, got %d", c.Delivery.Workers)}
	}
	if c.Delivery.SettleWindow < 0 {
		return &Error{"delivery.settle_window", "must not be negative"}
	}
	if c.Delivery.MaxAttempts < 1 {
		return &Error{"delivery.max_attempts", "must be at least 1"}
	}
	qh := c.Delivery.QuietHours
	if (qh.Start == "") != (qh.End == "") {
		return &Error{"delivery.quiet_hours", "set both start and end, or neither"}
	}
	if qh.Start != "" {
		if _, err := ParseClock(qh.Start); err != nil {
			return &Error{"delivery.quiet_hours.start", err.Error()}
		}
		if _, err := ParseClock(qh.End); err != nil {
			return &Error{"delivery.quiet_hours.end", err.Error()}
		}
	}
	if _, err := ParseClock(c.Stats.CollectAt); err != nil {
		return &Error{"stats.collect_at", err.Error()}
	}
	if c.Reports.WebhookURL != "" {
		if err := checkBaseURL("reports.webhook_url", c.Reports.WebhookURL); err != nil {
			return err
		}
	}
	if err := c.validateNotify(); err != nil {
		return err
	}
	if err := c.Replica.Validate(); err != nil {
		return err
	}
	if err := c.validateReview(); err != nil {
		return err
	}
	if err := c.validatePolicies(); err != nil {
		return err
	}
	for key, v := range map[string]string{"graphic.primary_color": c.Graphic.PrimaryColor, "graphic.accent_color": c.Graphic.AccentColor} {
		if _, err := ParseColor(v); err != nil {
			return &Error{key, err.Error()}
		}
	}
	if c.Graphic.LogoFile != "" {
		if _, err := os.Stat(c.Graphic.LogoFile); err != nil {
			return &Error{"graphic.logo_file", fmt.Sprintf("cannot read logo: %v", err)}
		}
	}
	if err := c.loadWording(); err != nil {
		return err
	}
	depts := map[string]bool{}
	for i, d := range c.Departments {
		key := fmt.Sprintf("departments[%d]", i)
		if d.ID == "" {
			return &Error{key + ".id", "missing"}
		}
		if depts[d.ID] {
			return &Error{key + ".id", fmt.Sprintf("duplicate department id %q", d.ID)}
		}
		depts[d.ID] = true
		if d.Name == "" {
			return &Error{key + ".name", "missing"}
		}
	}
	groups := map[string]int{}
	ids := map[string]bool{}
	for i := range c.Accounts {
		if err := c.validateAccount(i, ids, depts); err != nil {
			return err
		}
		for _, g := range c.Accounts[i].Groups {
			groups[g]++
		}
	}
	if err := c.validatePatrol(groups, ids); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, g := range c.Groups {
		key := fmt.Sprintf("groups[%d].name", i)
		if g.Name == "" {
			return &Error{key, "missing"}
		}
		if seen[g.Name] {
			return &Error{key, fmt.Sprintf("duplicate group %q", g.Name)}
		}
		seen[g.Name] = true
		if groups[g.Name] == 0 {
			return &Error{key, fmt.Sprintf("group %q has no accounts (add it to an account's groups, or remove it)", g.Name)}
		}
	}
	return nil
}

func (c *Config) validatePolicies() error {
	p := &c.Policies
	if p.Interval < time.Minute {
		return &Error{"policies.interval", "must be at least 1m (e.g. 1h)"}
	}
	if p.InterpretWithin < 1 || p.InterpretWithin > 60 {
		return &Error{"policies.interpret_within", fmt.Sprintf("must be between 1 and 60 working days, got %d", p.InterpretWithin)}
	}
	seen := map[string]bool{}
	for i, s := range p.Sources {
		key := fmt.Sprintf("policies.sources[%d]", i)
		if err := checkBaseURL(key+".url", s.URL); err != nil {
			return err
		}
		if seen[s.URL] {
			return &Error{key + ".url", "duplicate source " + s.URL}
		}
		seen[s.URL] = true
		if s.LinkPattern != "" {
			if _, err := regexp.Compile(s.LinkPattern); err != nil {
				return &Error{key + ".link_pattern", "not a regular expression: " + oneLine(err.Error())}
			}
		}
	}
	return nil
}

func (c *Config) validateReview() error {
	seen := map[string]bool{}
	for i, l := range c.Review.Levels {
		if strings.TrimSpace(l) == "" {
			return &Error{fmt.Sprintf("review.levels[%d]", i), "empty level name"}
		}
		if seen[strings.ToLower(l)] {
			return &Error{fmt.Sprintf("review.levels[%d]", i), fmt.Sprintf("duplicate level %q", l)}
		}
		seen[strings.ToLower(l)] = true
	}
	if len(c.Review.Levels) > 5 {
		return &Error{"review.levels", "at most 5 levels"}
	}
	for i, l := range c.Review.Leaders {
		key := fmt.Sprintf("review.leaders[%d]", i)
		if strings.TrimSpace(l.Name) == "" {
			return &Error{key + ".name", "missing: the leader's name, e.g. 王建国"}
		}
		if strings.TrimSpace(l.Title) == "" {
			return &Error{key + ".title", "missing: the leader's title as written before the name, e.g. 县委书记"}
		}
	}
	for level := range c.Review.Reviewers {
		if !seen[strings.ToLower(level)] {
			return &Error{"review.reviewers." + level, "no such level in review.levels"}
		}
	}
	return nil
}

func (c *Config) loadWording() error {
	terms, err := content.ParseWordingList(bytes.NewReader(WordingStarter), "configs/wording.txt")
	if err != nil {
		return &Error{"review.wording_files", "starter list: " + err.Error()}
	}
	for i, f := range c.Review.WordingFiles {
		key := fmt.Sprintf("review.wording_files[%d]", i)
		file, err := os.Open(f)
		if err != nil {
			return &Error{key, fmt.Sprintf("cannot read wording list: %v", err)}
		}
		more, err := content.ParseWordingList(file, f)
		file.Close()
		if err != nil {
			return &Error{key, err.Error()}
		}
		terms = append(terms, more...)
	}
	c.Wording = terms
	return nil
}

func (c *Config) validateAccount(i int, ids, depts map[string]bool) error {
	a := &c.Accounts[i]
	key := fmt.Sprintf("accounts[%d]", i)
	if a.ID == "" {
		return &Error{key + ".id", "missing"}
	}
	if strings.ContainsAny(a.ID, ", \t") || strings.HasPrefix(a.ID, "group:") || a.ID == "all" {
		return &Error{key + ".id", fmt.Sprintf("%q: ids may not contain commas or spaces, nor be \"all\" or start with \"group:\"", a.ID)}
	}
	if ids[a.ID] {
		return &Error{key + ".id", fmt.Sprintf("duplicate account id %q", a.ID)}
	}
	ids[a.ID] = true
	if a.Name == "" {
		return &Error{key + ".name", "missing"}
	}
	if a.Department != "" && len(depts) > 0 && !depts[a.Department] {
		return &Error{key + ".department", fmt.Sprintf("unknown department %q (not in departments)", a.Department)}
	}
	for j, g := range a.Groups {
		if g == "" || strings.ContainsAny(g, ", ") {
			return &Error{fmt.Sprintf("%s.groups[%d]", key, j), fmt.Sprintf("bad group name %q", g)}
		}
	}
	switch a.Platform {
	case PlatformWeChat:
		if a.AppID == "" {
			return &Error{key + ".app_id", "missing: a WeChat account needs its AppID"}
		}
		if a.AppSecret == "" {
			return &Error{key + ".app_secret", "missing: set app_secret, app_secret_file or app_secret_env"}
		}
		if a.Type == "" {
			a.Type = WeChatSubscription
		}
		if a.Type != WeChatSubscription && a.Type != WeChatService {
			return &Error{key + ".type", fmt.Sprintf("unknown type %q (subscription or service)", a.Type)}
		}
		for _, k := range []string{"uid", "access_token", "token_expires", "link_url"} {
			if a.weiboField(k) != "" {
				return &Error{key + "." + k, "is a Weibo key; this account's platform is wechat"}
			}
		}
	case PlatformWeibo:
		if a.UID == "" {
			return &Error{key + ".uid", "missing: a Weibo account needs its uid"}
		}
		if a.AccessToken == "" {
			return &Error{key + ".access_token", "missing: set access_token, access_token_file or access_token_env"}
		}
		if a.TokenExpires != "" {
			if _, err := time.ParseInLocation("2006-01-02", a.TokenExpires, c.Location); err != nil {
				return &Error{key + ".token_expires", fmt.Sprintf("%q is not a date like 2027-03-01", a.TokenExpires)}
			}
		}
		if a.LinkURL == "" {
			return &Error{key + ".link_url", "missing: Weibo refuses posts without a URL on the app's safe domain"}
		}
		if err := checkBaseURL(key+".link_url", a.LinkURL); err != nil {
			return err
		}
		if a.AppID != "" || a.Type != "" {
			return &Error{key + ".app_id", "app_id and type are WeChat keys; this account's platform is weibo"}
		}
	case "":
		return &Error{key + ".platform", "missing (wechat or weibo)"}
	default:
		return &Error{key + ".platform", fmt.Sprintf("unknown platform %q (wechat or weibo)", a.Platform)}
	}
	return nil
}

func (a *Account) weiboField(k string) string {
	switch k {
	case "uid":
		return a.UID
	case "access_token":
		return a.AccessToken
	case "token_expires":
		return a.TokenExpires
	case "link_url":
		return a.LinkURL
	}
	return ""
}

// TokenExpiry returns the Weibo token's expiry (midnight ending the named
// day, in loc) and whether one is configured.
func (a *Account) TokenExpiry(loc *time.Location) (time.Time, bool) {
	if a.TokenExpires == "" {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("2006-01-02", a.TokenExpires, loc)
	if err != nil {
		return time.Time{}, false
	}
	return t.AddDate(0, 0, 1), true
}

func checkBaseURL(key, s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{key, fmt.Sprintf("%q is not an http(s) URL", s)}
	}
	return nil
}

// ParseColor parses #RRGGBB.
func ParseColor(s string) ([3]uint8, error) {
	var rgb [3]uint8
	if len(s) != 7 || s[0] != '#' {
		return rgb, fmt.Errorf("%q is not a colour like #C62828", s)
	}
	for i := 0; i < 3; i++ {
		var v uint8
		if _, err := fmt.Sscanf(s[1+2*i:3+2*i], "%02x", &v); err != nil {
			return rgb, fmt.Errorf("%q is not a colour like #C62828", s)
		}
		rgb[i] = v
	}
	return rgb, nil
}

// GraphicFooter is the footer for policy graphics: graphic.footer, else the
// news office's first account's name.
func (c *Config) GraphicFooter() string {
	if c.Graphic.Footer != "" {
		return c.Graphic.Footer
	}
	office := c.OfficeDepartment()
	for _, a := range c.Accounts {
		if office == "" || a.Department == office {
			return a.Name
		}
	}
	return ""
}

// ReportUnit is the 制表单位 of reports: reports.unit, else the news office
// department's name.
func (c *Config) ReportUnit() string {
	if c.Reports.Unit != "" {
		return c.Reports.Unit
	}
	if d, ok := c.Department(c.OfficeDepartment()); ok {
		return d.Name
	}
	return ""
}

// ReportRegion is the place named in report titles: reports.region, else
// the news office department's name up to and including its first 县, 市,
// 区 or 旗 (青山县委宣传部 → 青山县), else "".
func (c *Config) ReportRegion() string {
	if c.Reports.Region != "" {
		return c.Reports.Region
	}
	d, ok := c.Department(c.OfficeDepartment())
	if !ok {
		return ""
	}
	if i := strings.IndexAny(d.Name, "县市区旗"); i > 0 {
		_, size := utf8.DecodeRuneInString(d.Name[i:])
		return d.Name[:i+size]
	}
	return ""
}

// ParseClock parses "HH:MM" into minutes after midnight.
func ParseClock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day like 09:00", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Account returns the account with the given id.
func (c *Config) Account(id string) (*Account, bool) {
	for i := range c.Accounts {
		if c.Accounts[i].ID == id {
			return &c.Accounts[i], true
		}
	}
	return nil, false
}

// Department returns the department with the given id.
func (c *Config) Department(id string) (*Department, bool) {
	for i := range c.Departments {
		if c.Departments[i].ID == id {
			return &c.Departments[i], true
		}
	}
	return nil, false
}

// OfficeDepartment returns the id of the news office department, or "" if none is marked office.
func (c *Config) OfficeDepartment() string {
	for _, d := range c.Departments {
		if d.Office {
			return d.ID
		}
	}
	return ""
}

// ReviewersFor returns who may sign level (nil: anyone).
func (c *Config) ReviewersFor(level string) []string {
	for l, names := range c.Review.Reviewers {
		if strings.EqualFold(l, level) {
			return names
		}
	}
	return nil
}

// MayReview reports whether name may sign level.
func (c *Config) MayReview(level, name string) bool {
	names := c.ReviewersFor(level)
	return names == nil || slices.Contains(names, name)
}

func (c *Config) validatePatrol(groups map[string]int, ids map[string]bool) error {
	p := &c.Patrol
	if p.Days < 1 || p.Days > 366 {
		return &Error{"patrol.days", fmt.Sprintf("must be between 1 and 366, got %d", p.Days)}
	}
	if p.CallsPerSecond <= 0 {
		return &Error{"patrol.calls_per_second", "must be positive"}
	}
	if p.Workers < 1 || p.Workers > 256 {
		return &Error{"patrol.workers", fmt.Sprintf("must be between 1 and 256, got %d", p.Workers)}
	}
	if p.RemindBefore < 0 {
		return &Error{"patrol.remind_before", "must not be negative"}
	}
	if p.KeepTextDays < 0 || (p.KeepTextDays > 0 && p.KeepTextDays < p.Days) {
		return &Error{"patrol.keep_text_days", fmt.Sprintf("must be 0 (keep for ever) or at least patrol.days (%d), got %d", p.Days, p.KeepTextDays)}
	}
	for i, r := range p.UpdateRules {
		key := fmt.Sprintf("patrol.update_rules[%d]", i)
		t, err := content.ParseTargets(r.Targets)
		if err != nil {
			return &Error{key + ".targets", "write all, group:NAME or account ids joined by commas"}
		}
		if t.Group != "" && groups[t.Group] == 0 {
			return &Error{key + ".targets", fmt.Sprintf("no account is in group %q", t.Group)}
		}
		for _, id := range t.IDs {
			if !ids[id] {
				return &Error{key + ".targets", fmt.Sprintf("unknown account %q", id)}
			}
		}
		if r.Days < 1 || r.Days > 366 {
			return &Error{key + ".days", fmt.Sprintf("must be between 1 and 366, got %d", r.Days)}
		}
		if r.MinPosts < 1 {
			return &Error{key + ".min_posts", "must be at least 1"}
		}
	}
	return nil
}

func (h *HTTPConfig) validate() error {
	for key, d := range map[string]time.Duration{"http.read_timeout": h.ReadTimeout, "http.write_timeout": h.WriteTimeout, "http.idle_timeout": h.IdleTimeout} {
		if d <= 0 {
			return &Error{key, "must be a positive duration such as 60s"}
		}
	}
	if h.MaxConnsPerIP < 1 {
		return &Error{"http.max_conns_per_ip", fmt.Sprintf("must be at least 1, got %d", h.MaxConnsPerIP)}
	}
	for _, p := range h.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err == nil {
			continue
		}
		if _, err := netip.ParseAddr(p); err != nil {
			return &Error{"http.trusted_proxies", fmt.Sprintf("%q is neither an IP address nor a CIDR such as 10.0.0.0/8", p)}
		}
	}
	return nil
}

// validateNotify checks the robot settings and makes notify.webhook_url and
// its old name reports.webhook_url one setting.
func (c *Config) validateNotify() error {
	n := &c.Notify
	switch {
	case n.WebhookURL == "":
		n.WebhookURL = c.Reports.WebhookURL
	case c.Reports.WebhookURL == "":
		c.Reports.WebhookURL = n.WebhookURL
	case c.Reports.WebhookURL != n.WebhookURL:
		return &Error{"notify.webhook_url", "reports.webhook_url is its old name: set only one of them"}
	}
	if n.WebhookURL != "" {
		if err := checkBaseURL("notify.webhook_url", n.WebhookURL); err != nil {
			return err
		}
	}
	if n.ConsoleURL != "" {
		if err := checkBaseURL("notify.console_url", n.ConsoleURL); err != nil {
			return err
		}
	}
	return nil
}
