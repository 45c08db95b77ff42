package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/internal/testenv"
)

func TestAccountsCheck(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai") // herald counts days in the configured timezone
	soon := time.Now().In(loc).AddDate(0, 0, 3).Format("2006-01-02")
	later := time.Now().In(loc).AddDate(0, 0, 60).Format("2006-01-02")
	// The platform knows wx_reset by a new secret, wx_unc as uncertified, and uid 3 by another token.
	e := newEnv(t, testenv.Options{Sandbox: sandbox.Options{Seed: 3},
		WeChatApp: func(i int, app *sandbox.WeChatApp) {
			app.Uncertified = app.AppID == "wx_unc"
			if app.AppID == "wx_reset" {
				app.Secret = "new"
			}
		},
		WeiboUser: func(i int, u *sandbox.WeiboUser) {
			if u.UID == "3" {
				u.Token = "t3"
			}
		},
		Accounts: fmt.Sprintf(`
- {id: ok, name: 正常, platform: wechat, app_id: wx_ok, app_secret: right}
- {id: reset, name: 密钥已重置, platform: wechat, app_id: wx_reset, app_secret: old}
- {id: unc, name: 未认证, platform: wechat, app_id: wx_unc, app_secret: s}
- {id: wb-soon, name: 快到期, platform: weibo, uid: "1", access_token: t1, token_expires: %s, link_url: "https://www.qingshan.gov.cn/"}
- {id: wb-ok, name: 微博正常, platform: weibo, uid: "2", access_token: t2, token_expires: %s, link_url: "https://www.qingshan.gov.cn/"}
- {id: wb-bad, name: 授权失效, platform: weibo, uid: "3", access_token: t3-revoked, link_url: "https://www.qingshan.gov.cn/"}`, soon, later)})
	sb := e.Sandbox

	code, out, errs := e.herald("accounts", "check", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rows []accountCheck
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	got := map[string]accountCheck{}
	for _, r := range rows {
		got[r.Account] = r
	}
	expect := map[string]struct {
		status string
		says   string
	}{
		"ok": {"ok", "正常"}, "reset": {"error", "AppSecret"}, "unc": {"error", "认证"},
		"wb-soon": {"warn", "天后到期"}, "wb-ok": {"ok", "正常"}, "wb-bad": {"error", "授权无效"},
	}
	for id, want := range expect {
		r := got[id]
		if r.Status != want.status || !strings.Contains(r.Message, want.says) {
			t.Errorf("%s: %s %q, want %s containing %q", id, r.Status, r.Message, want.status, want.says)
		}
	}
	if d := got["wb-soon"].TokenDaysLeft; d == nil || *d != 3 {
		t.Errorf("days left: %v", d)
	}
	// Health is recorded for the daemon and `accounts list`.
	code, out, _ = e.herald("accounts", "list")
	if code != 0 || !strings.Contains(out, "异常") {
		t.Fatalf("accounts list after check: %s", out)
	}
	// The check fetched each WeChat token once and publishes nothing.
	for _, app := range []string{"wx_ok"} {
		if st := sb.Snapshot().WeChat[app]; st.TokenFetches != 1 || len(st.Published) != 0 {
			t.Fatalf("%s: %d token fetches, %d published", app, st.TokenFetches, len(st.Published))
		}
	}
}
