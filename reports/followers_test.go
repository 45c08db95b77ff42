package reports

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/stats"
)

// TestWeiboMonthEndFollowersAreTheLastSnapshot: Weibo keeps no follower
// history, so each collection snapshots it for the day it is taken on; the
// month's figure is the latest snapshot in the month (not one taken on the
// 1st of the next), and days without a follower figure are not "missing"
// for Weibo — only days never collected are, for every platform.
func TestWeiboMonthEndFollowersAreTheLastSnapshot(t *testing.T) {
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	e := testenv.New(t, testenv.Options{Start: time.Date(2026, 10, 20, 10, 0, 0, 0, loc), Sandbox: sandbox.Options{Seed: 3},
		Accounts: `
- {id: fabu, name: 青山发布, platform: wechat, app_id: wx0, app_secret: s}
- {id: wb-fabu, name: 青山发布微博, platform: weibo, uid: "7001", access_token: t1, link_url: "https://www.qingshan.gov.cn/"}
- {id: wb-gaj, name: 青山公安微博, platform: weibo, uid: "7002", access_token: t2, link_url: "https://www.qingshan.gov.cn/"}`,
		WeChatApp: func(i int, app *sandbox.WeChatApp) { app.Followers = 15000 },
		WeiboUser: func(i int, u *sandbox.WeiboUser) { u.Followers = []int{15991, 4200}[i] }})
	cfg, st := e.Config, e.Store
	c := stats.New(cfg, st, e.WeChat, e.Weibo, e.Log)
	c.Now = e.Clock.Now
	date := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, loc) }
	// Three collections: on 20 October (1st-19th), on the 31st (20th-29th:
	// the 30th is left uncollected) and on 1 November (the 31st).
	for _, run := range []struct {
		at       time.Time
		from, to time.Time
	}{
		{date(10, 20).Add(10 * time.Hour), date(10, 1), date(10, 19)},
		{date(10, 31).Add(10 * time.Hour), date(10, 20), date(10, 29)},
		{date(11, 1).Add(10 * time.Hour), date(10, 31), date(10, 31)},
	} {
		e.Clock.Set(run.at)
		if sum, err := c.Collect(ctx, run.from, run.to, nil, true, nil); err != nil || len(sum.Failures) > 0 {
			t.Fatalf("collect at %s: %v %+v", run.at, err, sum.Failures)
		}
	}
	p, _ := ParseMonth("2026-10", loc)
	m, err := BuildMonthly(ctx, cfg, st, p, date(11, 2).Add(9*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Summary) != 3 {
		t.Fatalf("%d summary rows", len(m.Summary))
	}
	for _, r := range m.Summary {
		if fmt.Sprint(r.MissingDays) != "[2026-10-30]" {
			t.Fatalf("%s missing days %v, want only the uncollected 30th", r.Account, r.MissingDays)
		}
		if r.Platform != configs.PlatformWeibo {
			continue
		}
		uid := map[string]string{"wb-fabu": "7001", "wb-gaj": "7002"}[r.Account]
		want := sandboxFollowers(t, e.Sandbox, uid, "2026-10-31") // the snapshot taken on the 31st
		if next := sandboxFollowers(t, e.Sandbox, uid, "2026-11-01"); next == want {
			t.Fatalf("setup: the 31st and the 1st have the same followers (%d): the test would prove nothing", want)
		}
		if r.Followers == nil || *r.Followers != int64(want) {
			t.Fatalf("%s month-end followers %v, the platform's snapshot on the 31st %d", r.Account, r.Followers, want)
		}
	}
	if hint := CollectHint(m.Summary); !strings.Contains(hint, "herald stats collect --from 2026-10-30 --to 2026-10-30") {
		t.Fatalf("the hint does not say which days to collect: %q", hint)
	}
}

// sandboxFollowers asks the sandbox for an account's followers on a day.
func sandboxFollowers(t *testing.T, sb *sandbox.Server, account, date string) int {
	t.Helper()
	f, err := sb.Figures(account, date)
	if err != nil {
		t.Fatal(err)
	}
	return f.Followers
}
