// The configuration's types: one struct per section of herald.yaml.

package configs

import (
	"time"

	"github.com/herald-gov/herald/content"
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
	Interaction Interaction  `mapstructure:"interaction"`
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
	// AllowSelfReview lets the author of a revision sign it (default false:
	// a revision's author never signs it).
	AllowSelfReview bool `mapstructure:"allow_self_review"`
}

// Leader is a leader's name and title as written before the name.
type Leader struct {
	Name  string `mapstructure:"name"`
	Title string `mapstructure:"title"`
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

// Interaction configures the inbox (回应): the public's messages, comments
// and mentions, answered in time.
type Interaction struct {
	// AnswerWithin is how many working days an entry may wait for an answer
	// (default 2).
	AnswerWithin int `mapstructure:"answer_within"`
	// RemindBefore: the robot reminds this long before an entry is due (default 4h).
	RemindBefore time.Duration `mapstructure:"remind_before"`
	// Poll is how often serve reads comments and mentions (default 10m).
	Poll time.Duration `mapstructure:"poll"`
	// Days is how long after publication an article's comments are read (default 30).
	Days int `mapstructure:"days"`
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
	// Token and EncodingAESKey are the account's 服务器配置 (消息推送): with
	// them serve answers WeChat's push at /wechat/push/{id}.
	Token              string `mapstructure:"token"`
	EncodingAESKey     string `mapstructure:"encoding_aes_key"`
	EncodingAESKeyFile string `mapstructure:"encoding_aes_key_file"`
	EncodingAESKeyEnv  string `mapstructure:"encoding_aes_key_env"`

	// Weibo
	UID             string `mapstructure:"uid"`
	AccessToken     string `mapstructure:"access_token"`
	AccessTokenFile string `mapstructure:"access_token_file"`
	AccessTokenEnv  string `mapstructure:"access_token_env"`
	TokenExpires    string `mapstructure:"token_expires"`
	LinkURL         string `mapstructure:"link_url"`
}
