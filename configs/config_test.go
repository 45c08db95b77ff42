package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const minimal = `
data_dir: /tmp/x
accounts:
  - id: a1
    name: 青山发布
    platform: wechat
    groups: [county]
    app_id: wx1
    app_secret: s1
  - id: w1
    name: 青山发布微博
    platform: weibo
    groups: [county]
    uid: "123"
    access_token: t1
    link_url: https://www.qingshan.gov.cn/
`

func TestExampleConfigIsValid(t *testing.T) {
	cfg, err := Parse(Example)
	if err != nil {
		t.Fatalf("example config: %v", err)
	}
	if len(cfg.Accounts) < 8 || cfg.OfficeDepartment() != "xwb" {
		t.Fatalf("example matrix too small or no office: %d accounts", len(cfg.Accounts))
	}
	if got := cfg.Review.Levels; len(got) != 3 || got[0] != "初审" {
		t.Fatalf("levels = %v", got)
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.WeChat.APIBase != "https://api.weixin.qq.com" || cfg.Weibo.APIBase != "https://api.weibo.com" {
		t.Errorf("api bases: %q %q", cfg.WeChat.APIBase, cfg.Weibo.APIBase)
	}
	if cfg.Delivery.Workers != 32 || cfg.Location.String() != "Asia/Shanghai" {
		t.Errorf("workers %d, tz %v", cfg.Delivery.Workers, cfg.Location)
	}
	if len(cfg.Review.Levels) != 3 {
		t.Errorf("default levels = %v", cfg.Review.Levels)
	}
	if cfg.Accounts[0].Type != WeChatSubscription {
		t.Errorf("default type = %q", cfg.Accounts[0].Type)
	}
}

func TestEmptyLevelsMeansNoReview(t *testing.T) {
	cfg, err := Parse([]byte(minimal + "review:\n  levels: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Review.Levels) != 0 {
		t.Fatalf("levels = %v, want none", cfg.Review.Levels)
	}
}

func TestEnvironmentOverrides(t *testing.T) {
	t.Setenv("HERALD_DATA_DIR", "/srv/herald")
	t.Setenv("HERALD_WECHAT_API_BASE", "http://127.0.0.1:9000")
	t.Setenv("HERALD_DELIVERY_WORKERS", "4")
	cfg, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/srv/herald" || cfg.WeChat.APIBase != "http://127.0.0.1:9000" || cfg.Delivery.Workers != 4 {
		t.Fatalf("env not applied: %q %q %d", cfg.DataDir, cfg.WeChat.APIBase, cfg.Delivery.Workers)
	}
}

func TestSecretsFromFileAndEnv(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "secret")
	if err := os.WriteFile(f, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("QS_WEIBO_TOKEN", "from-env")
	yaml := strings.Replace(minimal, "app_secret: s1", "app_secret_file: "+f, 1)
	yaml = strings.Replace(yaml, "access_token: t1", "access_token_env: QS_WEIBO_TOKEN", 1)
	cfg, err := Parse([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Accounts[0].AppSecret != "from-file" || cfg.Accounts[1].AccessToken != "from-env" {
		t.Fatalf("secrets: %q %q", cfg.Accounts[0].AppSecret, cfg.Accounts[1].AccessToken)
	}
	out, err := cfg.ShowYAML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "from-file") || strings.Contains(string(out), "from-env") {
		t.Fatalf("config show leaks a secret:\n%s", out)
	}
	if !strings.Contains(string(out), Mask) {
		t.Fatalf("config show does not mask:\n%s", out)
	}
}

func TestValidationNamesTheKey(t *testing.T) {
	cases := []struct {
		name, yaml, key string
	}{
		{"unknown platform", strings.Replace(minimal, "platform: wechat", "platform: douyin", 1), "accounts[0].platform"},
		{"duplicate id", strings.Replace(minimal, "id: w1", "id: a1", 1), "accounts[1].id"},
		{"missing app secret", strings.Replace(minimal, "app_secret: s1", "", 1), "accounts[0].app_secret"},
		{"missing app id", strings.Replace(minimal, "app_id: wx1", "", 1), "accounts[0].app_id"},
		{"missing weibo token", strings.Replace(minimal, "access_token: t1", "", 1), "accounts[1].access_token"},
		{"secret env unset", strings.Replace(minimal, "app_secret: s1", "app_secret_env: HERALD_TEST_NOT_SET", 1), "accounts[0].app_secret_env"},
		{"secret file missing", strings.Replace(minimal, "app_secret: s1", "app_secret_file: /nonexistent/secret", 1), "accounts[0].app_secret_file"},
		{"weibo without link_url", strings.Replace(minimal, "link_url: https://www.qingshan.gov.cn/", "", 1), "accounts[1].link_url"},
		{"bad timezone", minimal + "timezone: Mars/Olympus\n", "timezone"},
		{"api_base not a URL", minimal + "wechat:\n  api_base: api.weixin.qq.com\n", "wechat.api_base"},
		{"weibo api_base not a URL", minimal + "weibo:\n  api_base: 'ftp://x'\n", "weibo.api_base"},
		{"unknown top-level key", minimal + "dat_dir: /x\n", "dat_dir"},
		{"unknown nested key", minimal + "wechat:\n  api_bse: http://x\n", "wechat.api_bse"},
		{"unknown account key", strings.Replace(minimal, "app_secret: s1", "app_secret: s1\n    app_sercet: x", 1), "accounts[0].app_sercet"},
		{"group without accounts", minimal + "groups:\n  - name: county\n  - name: townships\n", "groups[1].name"},
		{"departments without owners", minimal + "departments:\n  - {id: xwb, name: 新闻办, office: true}\n", ""},
		{"unknown department", strings.Replace(minimal, "app_id: wx1", "app_id: wx1\n    department: nope", 1) + "departments:\n  - {id: xwb, name: 新闻办, office: true}\n", "accounts[0].department"},
		{"bad wechat type", strings.Replace(minimal, "app_id: wx1", "app_id: wx1\n    type: enterprise", 1), "accounts[0].type"},
		{"bad token_expires", strings.Replace(minimal, "uid: \"123\"", "uid: \"123\"\n    token_expires: soon", 1), "accounts[1].token_expires"},
		{"reviewer for unknown level", minimal + "review:\n  levels: [初审]\n  reviewers:\n    终审: [x]\n", "review.reviewers.终审"},
		{"workers zero", minimal + "delivery:\n  workers: 0\n", "delivery.workers"},
		{"quiet hours half set", minimal + "delivery:\n  quiet_hours:\n    start: '22:00'\n", "delivery.quiet_hours"},
		{"leader without a name", minimal + "review:\n  leaders:\n    - {title: 县委书记}\n", "review.leaders[0].name"},
		{"leader key misspelt", minimal + "review:\n  leaders:\n    - {name: 王建国, titel: 县委书记}\n", "review.leaders[0].titel"},
		{"update rule for an unknown group", minimal + "patrol:\n  update_rules:\n    - {targets: \"group:nope\", days: 7, min_posts: 3}\n", "patrol.update_rules[0].targets"},
		{"update rule without posts", minimal + "patrol:\n  update_rules:\n    - {targets: all, days: 7, min_posts: 0}\n", "patrol.update_rules[0].min_posts"},
		{"patrol days zero", minimal + "patrol:\n  days: 0\n", "patrol.days"},
		{"patrol texts kept shorter than patrol reads", minimal + "patrol:\n  keep_text_days: 7\n", "patrol.keep_text_days"},
		{"policy source not a URL", minimal + "policies:\n  sources:\n    - url: www.qingshan.gov.cn/zcwj/\n", "policies.sources[0].url"},
		{"bad link_pattern", minimal + "policies:\n  sources:\n    - {url: 'https://a.gov.cn/', link_pattern: '(('}\n", "policies.sources[0].link_pattern"},
		{"unknown policy source key", minimal + "policies:\n  sources:\n    - {url: 'https://a.gov.cn/', link: x}\n", "policies.sources[0].link"},
		{"policy interval too short", minimal + "policies:\n  interval: 10s\n", "policies.interval"},
		{"interpret_within zero", minimal + "policies:\n  interpret_within: 0\n", "policies.interpret_within"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.key == "" {
				// accounts without department while departments exist is fine
				if _, err := Parse([]byte(c.yaml)); err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			_, err := Parse([]byte(c.yaml))
			if err == nil {
				t.Fatalf("no error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			if !strings.Contains(msg, c.key) {
				t.Errorf("error %q does not name %s", msg, c.key)
			}
		})
	}
}

func TestMalformedYAML(t *testing.T) {
	_, err := Parse([]byte("accounts:\n  - id: a\n   name: [\n"))
	if err == nil || !strings.Contains(err.Error(), "YAML 格式错误：第 1 行") || strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "did not find") {
		t.Fatalf("err = %v", err)
	}
}

func TestReportRegionAndUnit(t *testing.T) {
	office := minimal + "departments:\n  - {id: xwb, name: 青山县委宣传部（新闻办）, office: true}\n"
	cfg, err := Parse([]byte(office))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ReportRegion() != "青山县" || cfg.ReportUnit() != "青山县委宣传部（新闻办）" {
		t.Fatalf("defaults from the office: region %q, unit %q", cfg.ReportRegion(), cfg.ReportUnit())
	}
	cfg, _ = Parse([]byte(minimal))
	if cfg.ReportRegion() != "" || cfg.ReportUnit() != "" {
		t.Fatalf("no office: region %q, unit %q", cfg.ReportRegion(), cfg.ReportUnit())
	}
	t.Setenv("HERALD_REPORTS_REGION", "青山市青山区")
	cfg, err = Parse([]byte(office + "reports: {unit: 青山县人民政府办公室}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ReportRegion() != "青山市青山区" || cfg.ReportUnit() != "青山县人民政府办公室" {
		t.Fatalf("set: region %q, unit %q", cfg.ReportRegion(), cfg.ReportUnit())
	}
}

func TestURLErrorsDoNotRepeatTheirKeys(t *testing.T) {
	for _, y := range []string{
		"notify: {webhook_url: 'ftp://qyapi.example.com/send?key=SECRETKEY123'}",
		"notify: {webhook_url: 'qyapi.example.com/send?key=SECRETKEY123'}",
		"wechat: {api_base: 'ftp://user:SECRETKEY123@proxy.example.com'}",
	} {
		_, err := Parse([]byte(minimal + y + "\n"))
		if err == nil || strings.Contains(err.Error(), "SECRETKEY123") {
			t.Errorf("%s: %v", y, err)
		}
	}
}

func TestWrongTypeNamesTheKeyInChinese(t *testing.T) {
	for y, want := range map[string]string{
		"delivery: {workers: abc}":         "delivery.workers：须为整数",
		"wechat: {timeout: 5x}":            "wechat.timeout：须为时长",
		"http: {secure_cookies: maybe}":    "http.secure_cookies：须为 true 或 false",
		"patrol: {calls_per_second: fast}": "patrol.calls_per_second：须为数字",
	} {
		_, err := Parse([]byte(minimal + y + "\n"))
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "decoding") {
			t.Errorf("%s: %v, want %q", y, err, want)
		}
	}
}
