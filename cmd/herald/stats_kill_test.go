package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/storage"
)

// TestStatsCollectKilledMidAccountCompletesOnResume: `herald stats collect`
// is SIGKILLed while one account's getbizsummary is unanswered (its
// followers asked, its reads not); the next collection (resume, the
// default) leaves every day of every account equal to the platform's
// figures, and asks nothing of an account whose days were complete.
func TestStatsCollectKilledMidAccountCompletesOnResume(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess kill test")
	}
	bin := buildHerald(t)
	sb := sandbox.New(sandbox.Options{Seed: 6})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	e := newEnv(t, fmt.Sprintf(`
data_dir: %%DIR%%/data
wechat: {api_base: %q, timeout: 60s}
weibo: {api_base: %q}
accounts:
  - {id: a1, name: 青山发布, platform: wechat, app_id: wx1, app_secret: s}
  - {id: a2, name: 青山教育, platform: wechat, app_id: wx2, app_secret: s}
  - {id: a3, name: 健康青山, platform: wechat, app_id: wx3, app_secret: s}
  - {id: b1, name: 青山发布微博, platform: weibo, uid: "9", access_token: t, link_url: "https://www.qingshan.gov.cn/"}
`, srv.URL, srv.URL))
	for i, f := range []int{15000, 3000, 400} {
		sb.AddWeChatApp(sandbox.WeChatApp{AppID: fmt.Sprintf("wx%d", i+1), Secret: "s", Followers: f})
	}
	sb.AddWeiboUser(sandbox.WeiboUser{UID: "9", Token: "t"})
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Now().In(loc)
	to := time.Date(now.Year(), now.Month(), now.Day()-2, 0, 0, 0, 0, loc) // ready whatever the hour
	from := to.AddDate(0, 0, -13)
	span := []string{"--from", from.Format("2006-01-02"), "--to", to.Format("2006-01-02")}

	release := sb.Hold("/datacube/getbizsummary", "wechat/wx2")
	defer release()
	cmd := exec.Command(bin, append([]string{"stats", "collect", "--config", e.cfg}, span...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for sb.Snapshot().WeChat["wx2"].Calls["/datacube/getbizsummary"] == 0 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the collection never asked wx2 for its reads")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if sb.Snapshot().WeChat["wx2"].Calls["/datacube/getusercumulate"] == 0 {
		t.Fatal("setup: wx2's followers were not asked before its reads")
	}
	ctx := context.Background()
	dataDir := filepath.Join(e.dir, "data")
	complete := map[string]bool{} // accounts whose 14 days were all stored before the kill
	check := func() {
		st, err := storage.Open(ctx, dataDir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		for _, id := range []string{"a1", "a2", "a3"} {
			have, err := st.AnsweredFigures(ctx, id, from.Format("2006-01-02"), to.Format("2006-01-02"))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, a := range have {
				if a == 15 {
					n++
				}
			}
			complete[id] = n == 14
		}
	}
	// Let the other accounts finish (bounded), then kill.
	for check(); !(complete["a1"] && complete["a3"]) && time.Now().Before(deadline); check() {
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	release()
	check()
	t.Logf("complete before the kill: %v", complete)
	if complete["a2"] {
		t.Fatal("setup: the killed account's days are complete")
	}
	before := sb.Snapshot().WeChat
	if code, out, errs := e.herald(append([]string{"stats", "collect"}, span...)...); code != 0 {
		t.Fatalf("resume: exit %d: %s %s", code, out, errs)
	}
	after := sb.Snapshot().WeChat
	for id, app := range map[string]string{"a1": "wx1", "a2": "wx2", "a3": "wx3"} {
		asked := after[app].Calls["/datacube/getusercumulate"] - before[app].Calls["/datacube/getusercumulate"] +
			after[app].Calls["/datacube/getbizsummary"] - before[app].Calls["/datacube/getbizsummary"]
		if complete[id] && asked != 0 {
			t.Fatalf("resume asked %s (complete before) %d datacube calls", id, asked)
		}
		if !complete[id] && asked == 0 {
			t.Fatalf("resume did not ask %s, whose days were incomplete", id)
		}
	}

	st, err := storage.Open(ctx, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.AllDailyStats(ctx, from.Format("2006-01-02"), to.Format("2006-01-02"))
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, r := range rows {
		app := map[string]string{"a1": "wx1", "a2": "wx2", "a3": "wx3"}[r.Account]
		if app == "" {
			continue
		}
		resp, err := http.Get(srv.URL + "/_sandbox/figures?account=" + app + "&date=" + r.Date)
		if err != nil {
			t.Fatal(err)
		}
		var want sandbox.DayFigures
		err = json.NewDecoder(resp.Body).Decode(&want)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		same := func(p *int64, v int) bool { return p != nil && *p == int64(v) }
		if !same(r.Followers, want.Followers) || !same(r.Reads, want.Reads) || !same(r.Shares, want.Shares) ||
			!same(r.Likes, want.Likes) || !same(r.Posts, want.Posts) {
			t.Fatalf("%s %s after resume: %+v; platform %+v", r.Account, r.Date, r, want)
		}
		seen++
	}
	if seen != 3*14 {
		t.Fatalf("%d WeChat account-days stored, want %d", seen, 3*14)
	}
}
