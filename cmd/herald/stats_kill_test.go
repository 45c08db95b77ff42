package main

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/internal/testenv"
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
	e := newEnv(t, testenv.Options{WeChat: 3, Weibo: 1, Sandbox: sandbox.Options{Seed: 6}, Timeout: time.Minute,
		WeChatApp: func(i int, app *sandbox.WeChatApp) { app.Followers = []int{15000, 3000, 400}[i] }})
	sb := e.Sandbox
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Now().In(loc)
	to := time.Date(now.Year(), now.Month(), now.Day()-2, 0, 0, 0, 0, loc) // ready whatever the hour
	from := to.AddDate(0, 0, -13)
	span := []string{"--from", from.Format("2006-01-02"), "--to", to.Format("2006-01-02")}

	release := sb.Hold("/datacube/getbizsummary", "wechat/wxapp001")
	defer release()
	cmd := exec.Command(bin, append([]string{"stats", "collect", "--config", e.cfg}, span...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	testenv.Eventually(t, "the collection to ask wxapp001 for its reads", func() bool {
		return sb.Snapshot().WeChat["wxapp001"].Calls["/datacube/getbizsummary"] > 0
	})
	deadline := time.Now().Add(testenv.EventuallyWithin)
	if sb.Snapshot().WeChat["wxapp001"].Calls["/datacube/getusercumulate"] == 0 {
		t.Fatal("setup: wxapp001's followers were not asked before its reads")
	}
	ctx := context.Background()
	complete := map[string]bool{} // accounts whose 14 days were all stored before the kill
	check := func() {
		for _, id := range []string{"wx000", "wx001", "wx002"} {
			have, err := e.Store.AnsweredFigures(ctx, id, from.Format("2006-01-02"), to.Format("2006-01-02"))
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
	// Let the other accounts finish (bounded, not required: the assertions
	// below hold whichever finished), then kill.
	for check(); !(complete["wx000"] && complete["wx002"]) && time.Now().Before(deadline); check() {
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	release()
	check()
	t.Logf("complete before the kill: %v", complete)
	if complete["wx001"] {
		t.Fatal("setup: the killed account's days are complete")
	}
	before := sb.Snapshot().WeChat
	if code, out, errs := e.herald(append([]string{"stats", "collect"}, span...)...); code != 0 {
		t.Fatalf("resume: exit %d: %s %s", code, out, errs)
	}
	after := sb.Snapshot().WeChat
	for id, app := range map[string]string{"wx000": "wxapp000", "wx001": "wxapp001", "wx002": "wxapp002"} {
		asked := after[app].Calls["/datacube/getusercumulate"] - before[app].Calls["/datacube/getusercumulate"] +
			after[app].Calls["/datacube/getbizsummary"] - before[app].Calls["/datacube/getbizsummary"]
		if complete[id] && asked != 0 {
			t.Fatalf("resume asked %s (complete before) %d datacube calls", id, asked)
		}
		if !complete[id] && asked == 0 {
			t.Fatalf("resume did not ask %s, whose days were incomplete", id)
		}
	}

	rows, err := e.Store.AllDailyStats(ctx, from.Format("2006-01-02"), to.Format("2006-01-02"))
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, r := range rows {
		app := map[string]string{"wx000": "wxapp000", "wx001": "wxapp001", "wx002": "wxapp002"}[r.Account]
		if app == "" {
			continue
		}
		want, err := sb.Figures(app, r.Date)
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
