package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/notify"
	"github.com/herald-gov/herald/stats"
)

func TestSilentFifteenDaysIsCriticalAndNotifiedOnce(t *testing.T) {
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Now().In(loc)
	today := midnight(now, loc)
	// The county account posts every day; the township account stopped 15 days ago.
	silentSince := today.AddDate(0, 0, -14).Format("2006-01-02")
	var calls atomic.Int32
	var message string
	robot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var m struct {
			MsgType string `json:"msgtype"`
			Text    struct{ Content string }
		}
		json.NewDecoder(r.Body).Decode(&m)
		message = m.MsgType + ":" + m.Text.Content
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	defer robot.Close()
	e := testenv.New(t, testenv.Options{Sandbox: sandbox.Options{Seed: 2}, YAML: fmt.Sprintf("reports: {webhook_url: %q}", robot.URL),
		Accounts: `
- {id: busy, name: 青山发布, platform: wechat, app_id: wx_busy, app_secret: s}
- {id: quiet, name: 南山乡发布, platform: wechat, app_id: wx_quiet, app_secret: s}
- {id: never, name: 新账号, platform: weibo, uid: "1", access_token: t, link_url: "https://www.qingshan.gov.cn/"}`,
		WeChatApp: func(i int, app *sandbox.WeChatApp) {
			app.Followers = 15000
			if app.AppID == "wx_quiet" {
				app.SilentSince = silentSince
			}
		}})
	cfg, st := e.Config, e.Store
	c := stats.New(cfg, st, e.WeChat, e.Weibo, e.Log)
	to := today.AddDate(0, 0, -2) // ready whatever the hour
	if _, err := c.Collect(ctx, to.AddDate(0, 0, -29), to, []string{"busy", "quiet"}, false, nil); err != nil {
		t.Fatal(err)
	}
	rows, err := Dormant(ctx, cfg, st, now)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]DormantRow{}
	for _, r := range rows {
		got[r.Account] = r
	}
	if r := got["quiet"]; r.Level != LevelCritical || r.DaysSince == nil || *r.DaysSince != 15 {
		t.Fatalf("quiet: %+v days %v", r, r.DaysSince)
	}
	if r := got["busy"]; r.Level != LevelOK || *r.DaysSince != 2 {
		t.Fatalf("busy: %+v", r)
	}
	if r := got["never"]; r.Level != LevelCritical || r.DaysSince != nil || r.LastPublished != nil {
		t.Fatalf("never published: %+v", r)
	}
	if rows[0].Account != "never" || rows[1].Account != "quiet" {
		t.Fatalf("not most silent first: %v %v", rows[0].Account, rows[1].Account)
	}
	for i := 0; i < 3; i++ {
		if _, err := NotifyDormant(ctx, cfg, st, notify.NewRobot(cfg.Notify, nil), now); err != nil {
			t.Fatal(err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("webhook called %d times over three runs, want 1", n)
	}
	if !strings.HasPrefix(message, "text:") || !strings.Contains(message, "南山乡发布（quiet，wechat）已 15 天未更新") || strings.Contains(message, "青山发布（busy") {
		t.Fatalf("message: %s", message)
	}
}
