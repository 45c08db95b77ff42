// Validation: every rule a config must pass, each refusal one line naming the key.

package configs

import (
	"bytes"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/herald-gov/herald/content"
)

// Validate checks the config and fills derived fields. Its error names the
// offending key in one line.
func (c *Config) Validate() error {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil || c.Timezone == "" {
		return &Error{"timezone", fmt.Sprintf("未知的时区 %q（例如 Asia/Shanghai）", c.Timezone)}
	}
	c.Location = loc
	if c.DataDir == "" {
		return &Error{"data_dir", "不能为空"}
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
		return &Error{"wechat.timeout", "须为正的时长，例如 15s"}
	}
	if c.Weibo.Timeout <= 0 {
		return &Error{"weibo.timeout", "须为正的时长，例如 15s"}
	}
	if c.Delivery.Workers < 1 || c.Delivery.Workers > 1024 {
		return &Error{"delivery.workers", fmt.Sprintf("须在 1 到 1024 之间，现为 %d", c.Delivery.Workers)}
	}
	if c.Delivery.SettleWindow < 0 {
		return &Error{"delivery.settle_window", "不能为负"}
	}
	if c.Delivery.MaxAttempts < 1 {
		return &Error{"delivery.max_attempts", "至少为 1"}
	}
	qh := c.Delivery.QuietHours
	if (qh.Start == "") != (qh.End == "") {
		return &Error{"delivery.quiet_hours", "start 与 end 须同时设置或同时不设"}
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
			return &Error{"graphic.logo_file", fmt.Sprintf("无法读取徽标文件：%v", err)}
		}
	}
	if err := c.loadWording(); err != nil {
		return err
	}
	depts := map[string]bool{}
	for i, d := range c.Departments {
		key := fmt.Sprintf("departments[%d]", i)
		if d.ID == "" {
			return &Error{key + ".id", "未填写"}
		}
		if depts[d.ID] {
			return &Error{key + ".id", fmt.Sprintf("部门 id %q 重复", d.ID)}
		}
		depts[d.ID] = true
		if d.Name == "" {
			return &Error{key + ".name", "未填写"}
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
	if err := c.validateInteraction(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, g := range c.Groups {
		key := fmt.Sprintf("groups[%d].name", i)
		if g.Name == "" {
			return &Error{key, "未填写"}
		}
		if seen[g.Name] {
			return &Error{key, fmt.Sprintf("分组 %q 重复", g.Name)}
		}
		seen[g.Name] = true
		if groups[g.Name] == 0 {
			return &Error{key, fmt.Sprintf("分组 %q 没有账号（把它加到某个账号的 groups，或删除此分组）", g.Name)}
		}
	}
	return nil
}

func (c *Config) validatePolicies() error {
	p := &c.Policies
	if p.Interval < time.Minute {
		return &Error{"policies.interval", "至少为 1m（例如 1h）"}
	}
	if p.InterpretWithin < 1 || p.InterpretWithin > 60 {
		return &Error{"policies.interpret_within", fmt.Sprintf("须在 1 到 60 个工作日之间，现为 %d", p.InterpretWithin)}
	}
	seen := map[string]bool{}
	for i, s := range p.Sources {
		key := fmt.Sprintf("policies.sources[%d]", i)
		if err := checkBaseURL(key+".url", s.URL); err != nil {
			return err
		}
		if seen[s.URL] {
			return &Error{key + ".url", "来源重复：" + MaskURL(s.URL)}
		}
		seen[s.URL] = true
		if s.LinkPattern != "" {
			if _, err := regexp.Compile(s.LinkPattern); err != nil {
				return &Error{key + ".link_pattern", "不是有效的正则表达式：" + oneLine(err.Error())}
			}
		}
	}
	return nil
}

func (c *Config) validateReview() error {
	seen := map[string]bool{}
	for i, l := range c.Review.Levels {
		if strings.TrimSpace(l) == "" {
			return &Error{fmt.Sprintf("review.levels[%d]", i), "审核级别名称为空"}
		}
		if seen[strings.ToLower(l)] {
			return &Error{fmt.Sprintf("review.levels[%d]", i), fmt.Sprintf("审核级别 %q 重复", l)}
		}
		seen[strings.ToLower(l)] = true
	}
	if len(c.Review.Levels) > 5 {
		return &Error{"review.levels", "最多 5 级"}
	}
	for i, l := range c.Review.Leaders {
		key := fmt.Sprintf("review.leaders[%d]", i)
		if strings.TrimSpace(l.Name) == "" {
			return &Error{key + ".name", "未填写：领导姓名，例如 王建国"}
		}
		if strings.TrimSpace(l.Title) == "" {
			return &Error{key + ".title", "未填写：写在姓名前的职务，例如 县委书记"}
		}
	}
	for level := range c.Review.Reviewers {
		if !seen[strings.ToLower(level)] {
			return &Error{"review.reviewers." + level, "review.levels 中没有这一级"}
		}
	}
	return nil
}

func (c *Config) loadWording() error {
	terms, err := content.ParseWordingList(bytes.NewReader(WordingStarter), "configs/wording.txt")
	if err != nil {
		return &Error{"review.wording_files", "内置词表：" + err.Error()}
	}
	for i, f := range c.Review.WordingFiles {
		key := fmt.Sprintf("review.wording_files[%d]", i)
		file, err := os.Open(f)
		if err != nil {
			return &Error{key, fmt.Sprintf("无法读取用语词表：%v", err)}
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
		return &Error{key + ".id", "未填写"}
	}
	if strings.ContainsAny(a.ID, ", \t") || strings.HasPrefix(a.ID, "group:") || a.ID == "all" {
		return &Error{key + ".id", fmt.Sprintf("%q：账号 id 不能含逗号或空格，不能是 \"all\"，也不能以 \"group:\" 开头", a.ID)}
	}
	if ids[a.ID] {
		return &Error{key + ".id", fmt.Sprintf("账号 id %q 重复", a.ID)}
	}
	ids[a.ID] = true
	if a.Name == "" {
		return &Error{key + ".name", "未填写"}
	}
	if a.Department != "" && len(depts) > 0 && !depts[a.Department] {
		return &Error{key + ".department", fmt.Sprintf("未知的部门 %q（departments 中没有）", a.Department)}
	}
	for j, g := range a.Groups {
		if g == "" || strings.ContainsAny(g, ", ") {
			return &Error{fmt.Sprintf("%s.groups[%d]", key, j), fmt.Sprintf("分组名 %q 不合规", g)}
		}
	}
	switch a.Platform {
	case PlatformWeChat:
		if a.AppID == "" {
			return &Error{key + ".app_id", "未填写：公众号需要 AppID"}
		}
		if a.AppSecret == "" {
			return &Error{key + ".app_secret", "未填写：请设置 app_secret、app_secret_file 或 app_secret_env"}
		}
		if a.Type == "" {
			a.Type = WeChatSubscription
		}
		if a.Type != WeChatSubscription && a.Type != WeChatService {
			return &Error{key + ".type", fmt.Sprintf("未知的类型 %q（subscription 或 service）", a.Type)}
		}
		if err := validatePushKeys(key, a); err != nil {
			return err
		}
		for _, k := range []string{"uid", "access_token", "token_expires", "link_url"} {
			if a.weiboField(k) != "" {
				return &Error{key + "." + k, "是微博的配置项；此账号的平台是 wechat"}
			}
		}
	case PlatformWeibo:
		if a.UID == "" {
			return &Error{key + ".uid", "未填写：微博账号需要 uid"}
		}
		if a.AccessToken == "" {
			return &Error{key + ".access_token", "未填写：请设置 access_token、access_token_file 或 access_token_env"}
		}
		if a.TokenExpires != "" {
			if _, err := time.ParseInLocation("2006-01-02", a.TokenExpires, c.Location); err != nil {
				return &Error{key + ".token_expires", fmt.Sprintf("%q 不是日期（例如 2027-03-01）", a.TokenExpires)}
			}
		}
		if a.LinkURL == "" {
			return &Error{key + ".link_url", "未填写：微博拒绝不带应用安全域名链接的微博"}
		}
		if err := checkBaseURL(key+".link_url", a.LinkURL); err != nil {
			return err
		}
		if a.AppID != "" || a.Type != "" {
			return &Error{key + ".app_id", "app_id 和 type 是公众号的配置项；此账号的平台是 weibo"}
		}
	case "":
		return &Error{key + ".platform", "未填写（wechat 或 weibo）"}
	default:
		return &Error{key + ".platform", fmt.Sprintf("未知的平台 %q（wechat 或 weibo）", a.Platform)}
	}
	return nil
}

func checkBaseURL(key, s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{key, fmt.Sprintf("%q 不是 http(s) 网址", MaskURL(s))} // a robot's URL carries its key
	}
	return nil
}

func (c *Config) validatePatrol(groups map[string]int, ids map[string]bool) error {
	p := &c.Patrol
	if p.Days < 1 || p.Days > 366 {
		return &Error{"patrol.days", fmt.Sprintf("须在 1 到 366 之间，现为 %d", p.Days)}
	}
	if p.CallsPerSecond <= 0 {
		return &Error{"patrol.calls_per_second", "须为正数"}
	}
	if p.Workers < 1 || p.Workers > 256 {
		return &Error{"patrol.workers", fmt.Sprintf("须在 1 到 256 之间，现为 %d", p.Workers)}
	}
	if p.RemindBefore < 0 {
		return &Error{"patrol.remind_before", "不能为负"}
	}
	if p.KeepTextDays < 0 || (p.KeepTextDays > 0 && p.KeepTextDays < p.Days) {
		return &Error{"patrol.keep_text_days", fmt.Sprintf("须为 0（永久保留）或不小于 patrol.days（%d），现为 %d", p.Days, p.KeepTextDays)}
	}
	for i, r := range p.UpdateRules {
		key := fmt.Sprintf("patrol.update_rules[%d]", i)
		t, err := content.ParseTargets(r.Targets)
		if err != nil {
			return &Error{key + ".targets", "请写 all、group:分组名 或以逗号分隔的账号 id"}
		}
		if t.Group != "" && groups[t.Group] == 0 {
			return &Error{key + ".targets", fmt.Sprintf("分组 %q 中没有账号", t.Group)}
		}
		for _, id := range t.IDs {
			if !ids[id] {
				return &Error{key + ".targets", fmt.Sprintf("未知的账号 %q", id)}
			}
		}
		if r.Days < 1 || r.Days > 366 {
			return &Error{key + ".days", fmt.Sprintf("须在 1 到 366 之间，现为 %d", r.Days)}
		}
		if r.MinPosts < 1 {
			return &Error{key + ".min_posts", "至少为 1"}
		}
	}
	return nil
}

func (h *HTTPConfig) validate() error {
	for key, d := range map[string]time.Duration{"http.read_timeout": h.ReadTimeout, "http.write_timeout": h.WriteTimeout, "http.idle_timeout": h.IdleTimeout} {
		if d <= 0 {
			return &Error{key, "须为正的时长，例如 60s"}
		}
	}
	if h.MaxConnsPerIP < 1 {
		return &Error{"http.max_conns_per_ip", fmt.Sprintf("至少为 1，现为 %d", h.MaxConnsPerIP)}
	}
	for _, p := range h.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err == nil {
			continue
		}
		if _, err := netip.ParseAddr(p); err != nil {
			return &Error{"http.trusted_proxies", fmt.Sprintf("%q 既不是 IP 地址，也不是网段（例如 10.0.0.0/8）", p)}
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
		return &Error{"notify.webhook_url", "reports.webhook_url 是它的旧名：两者只设一个"}
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
