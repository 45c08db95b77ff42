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
	if err := c.validateInteraction(); err != nil {
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
		if err := validatePushKeys(key, a); err != nil {
			return err
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

func checkBaseURL(key, s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{key, fmt.Sprintf("%q is not an http(s) URL", s)}
	}
	return nil
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
