// Package testenv builds the world herald's tests run in, so that each
// package's tests do not repeat it: the sandbox platform on httptest, a
// config whose WeChat and Weibo accounts point at it (also written to disk,
// for tests of the CLI), the real store on SQLite in a temporary directory,
// the real channels, the queue, and, when asked, a clock the test moves.
//
// It is for tests only; production code never imports it. Packages it
// imports (storage, configs, channels and its sandbox, wechat and weibo,
// queue, content) cannot use it in their own in-package tests.
//
// Generated accounts follow one naming scheme, i counting from 0, all in
// the group "county":
//
//	WeChat i: id wx000, name 公众号0, app_id wxapp000, app_secret secret000
//	Weibo i:  id wb000, name 微博0, uid 100000, access_token token000
//
// Every account of the config, generated or given in Options.Accounts, is
// registered with the sandbox under its credentials, a Weibo user with its
// link_url's host as safe domain and its token_expires.
package testenv

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/channels/wechat"
	"github.com/herald-gov/herald/channels/weibo"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// SafeDomain is the host generated Weibo accounts link to (https://SafeDomain/),
// the safe domain of their sandbox users.
const SafeDomain = "www.qingshan.gov.cn"

// Options shape an Env. The zero value is a config without accounts on the
// wall clock.
type Options struct {
	// WeChat and Weibo are how many accounts of each platform to generate.
	WeChat, Weibo int
	// Accounts are more entries of the accounts list after the generated
	// ones, one YAML flow map a line: `- {id: fabu, name: 青山发布, ...}`.
	Accounts string
	// YAML is appended to the config: whole top-level sections such as
	// review:, departments: or patrol:.
	YAML string
	// Timeout is the wechat and weibo timeout (0: the config's default).
	Timeout time.Duration
	// Workers is delivery.workers (0: the config's default).
	Workers int
	// Delivery holds more keys of the delivery section, in flow style:
	// `max_attempts: 3, settle_window: 1m`.
	Delivery string
	// Sandbox configures the platform (seed, faults, publish polls); its
	// Now defaults to the env's clock.
	Sandbox sandbox.Options
	// WeChatApp and WeiboUser, when set, adjust each account's registration
	// with the sandbox (followers, history); i counts that platform's
	// accounts in config order.
	WeChatApp func(i int, app *sandbox.WeChatApp)
	WeiboUser func(i int, u *sandbox.WeiboUser)
	// Start, when set, runs the env on a Clock showing Start: the store,
	// the queue, the channels and the sandbox read Env.Clock. Zero: the wall clock, and
	// Env.Clock is nil.
	Start time.Time
}

// Env is one test's herald world. Everything in it is closed when the test ends.
type Env struct {
	Config *configs.Config
	// ConfigPath is the config as written to disk, for `--config`.
	ConfigPath string
	// Dir is the test's directory: the config file and data/ (data_dir) are in it.
	Dir     string
	Store   *storage.Store
	Sandbox *sandbox.Server
	// URL is the sandbox's base URL, the config's wechat and weibo api_base.
	URL string
	// WeChat polls a publish every 5 ms and settles lookups after 1 ms, so
	// that tests need not wait; Registry holds it and Weibo.
	WeChat   *wechat.Channel
	Weibo    *weibo.Channel
	Registry channels.Registry
	Queue    *queue.Service
	// Clock is nil unless Options.Start was set.
	Clock *Clock
	// Log discards everything.
	Log *slog.Logger
}

// New builds an Env, failing the test if anything goes wrong.
func New(t testing.TB, o Options) *Env {
	t.Helper()
	e := &Env{Dir: t.TempDir(), Log: slog.New(slog.DiscardHandler)}
	if !o.Start.IsZero() {
		e.Clock = NewClock(o.Start)
		if o.Sandbox.Now == nil {
			o.Sandbox.Now = e.Clock.Now
		}
	}
	e.Sandbox = sandbox.New(o.Sandbox)
	srv := httptest.NewServer(e.Sandbox)
	t.Cleanup(srv.Close)
	e.URL = srv.URL

	e.ConfigPath = filepath.Join(e.Dir, "herald.yaml")
	if err := os.WriteFile(e.ConfigPath, []byte(configYAML(e, o)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Load(e.ConfigPath)
	if err != nil {
		t.Fatalf("testenv config: %v", err)
	}
	e.Config = cfg
	register(e.Sandbox, cfg, o)

	var storeOpts []storage.Option
	if e.Clock != nil {
		storeOpts = append(storeOpts, storage.WithClock(e.Clock.Now))
	}
	ctx := context.Background()
	st, err := storage.Open(ctx, cfg.DataDir, storeOpts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.Store = st
	accts := make([]storage.Account, len(cfg.Accounts))
	for i, a := range cfg.Accounts {
		accts[i] = storage.Account{ID: a.ID, Name: a.Name, Platform: a.Platform, Groups: a.Groups, Department: a.Department, WeChatType: a.Type}
	}
	if err := st.SyncAccounts(ctx, accts); err != nil {
		t.Fatal(err)
	}

	e.WeChat = wechat.New(cfg, st, e.Log, wechat.Options{PollEvery: 5 * time.Millisecond, SettleWindow: time.Millisecond, Now: e.now()})
	e.Weibo = weibo.New(cfg, st, e.Log, e.now())
	e.Registry = channels.Registry{configs.PlatformWeChat: e.WeChat, configs.PlatformWeibo: e.Weibo}
	e.Queue = queue.New(cfg, st, e.now())
	return e
}

// now is the clock's Now, or nil for the wall clock.
func (e *Env) now() func() time.Time {
	if e.Clock == nil {
		return nil
	}
	return e.Clock.Now
}

func configYAML(e *Env, o Options) string {
	var y strings.Builder
	platform := fmt.Sprintf("{api_base: %q}", e.URL)
	if o.Timeout > 0 {
		platform = fmt.Sprintf("{api_base: %q, timeout: %s}", e.URL, o.Timeout)
	}
	fmt.Fprintf(&y, "data_dir: %q\nwechat: %s\nweibo: %s\n", filepath.Join(e.Dir, "data"), platform, platform)
	var delivery []string
	if o.Workers > 0 {
		delivery = append(delivery, fmt.Sprintf("workers: %d", o.Workers))
	}
	if o.Delivery != "" {
		delivery = append(delivery, o.Delivery)
	}
	if len(delivery) > 0 {
		fmt.Fprintf(&y, "delivery: {%s}\n", strings.Join(delivery, ", "))
	}
	if o.YAML != "" {
		y.WriteString(strings.TrimSuffix(o.YAML, "\n") + "\n")
	}
	y.WriteString("accounts:\n")
	for i := 0; i < o.WeChat; i++ {
		fmt.Fprintf(&y, "  - {id: wx%03d, name: 公众号%d, platform: wechat, groups: [county], app_id: wxapp%03d, app_secret: secret%03d}\n", i, i, i, i)
	}
	for i := 0; i < o.Weibo; i++ {
		fmt.Fprintf(&y, "  - {id: wb%03d, name: 微博%d, platform: weibo, groups: [county], uid: \"%d\", access_token: token%03d, link_url: \"https://%s/\"}\n",
			i, i, 100000+i, i, SafeDomain)
	}
	for _, line := range strings.Split(o.Accounts, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			y.WriteString("  " + line + "\n")
		}
	}
	return y.String()
}

// register makes every configured account known to the sandbox.
func register(sb *sandbox.Server, cfg *configs.Config, o Options) {
	var nwx, nwb int
	for _, a := range cfg.Accounts {
		switch a.Platform {
		case configs.PlatformWeChat:
			app := sandbox.WeChatApp{AppID: a.AppID, Secret: a.AppSecret, Name: a.Name, Type: a.Type}
			if o.WeChatApp != nil {
				o.WeChatApp(nwx, &app)
			}
			nwx++
			sb.AddWeChatApp(app)
		case configs.PlatformWeibo:
			u := sandbox.WeiboUser{UID: a.UID, Token: a.AccessToken, Name: a.Name}
			if link, err := url.Parse(a.LinkURL); err == nil {
				u.SafeDomain = link.Hostname()
			}
			if exp, ok := a.TokenExpiry(cfg.Location); ok {
				u.Expires = exp
			}
			if o.WeiboUser != nil {
				o.WeiboUser(nwb, &u)
			}
			nwb++
			sb.AddWeiboUser(u)
		}
	}
}

// The office world's department ids: the news office (which sees and
// publishes to every account) and one other department.
const (
	OfficeDept = "xwb" // 新闻办
	OtherDept  = "scj" // 市场监管局
)

// Office is the office world the queue, web and CLI tests share: review by
// the given levels (the first signed by 张敏, the last by 刘建国, any
// between by 王强; none: no review), the news office (xwb) with the WeChat
// account fabu and the Weibo account fabu-wb (both 青山发布, group county),
// and 市场监管局 (scj) with its WeChat account scj-wx (青山市场监管, group
// departments). The departments come last in YAML, so that a test can
// append one; o adds to the world (more YAML, accounts, a clock).
func Office(o Options, levels ...string) Options {
	var y strings.Builder
	fmt.Fprintf(&y, "review:\n  levels: [%s]\n", strings.Join(levels, ", "))
	if len(levels) > 0 {
		y.WriteString("  reviewers:\n")
		for i, l := range levels {
			who := "王强"
			switch i {
			case 0:
				who = "张敏"
			case len(levels) - 1:
				who = "刘建国"
			}
			fmt.Fprintf(&y, "    %s: [%s]\n", l, who)
		}
	}
	y.WriteString(o.YAML)
	y.WriteString("\ndepartments:\n  - {id: xwb, name: 新闻办, office: true}\n  - {id: scj, name: 市场监管局}\n")
	o.YAML = y.String()
	o.Accounts = `
- {id: fabu, name: 青山发布, platform: wechat, groups: [county], department: xwb, app_id: wx1, app_secret: s1}
- {id: fabu-wb, name: 青山发布, platform: weibo, groups: [county], department: xwb, uid: "1", access_token: t, link_url: "https://www.qingshan.gov.cn/"}
- {id: scj-wx, name: 青山市场监管, platform: wechat, groups: [departments], department: scj, app_id: wx2, app_secret: s2}` + o.Accounts
	return o
}
