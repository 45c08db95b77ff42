package stats

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/storage"
)

var quiet = slog.New(slog.DiscardHandler)

type env struct {
	*testenv.Env
	c   *Collector
	now time.Time
}

// newEnv is a collector over wechatN WeChat accounts (15,000, 3,000 and
// 400 followers in turn) and weiboN Weibo accounts, at 10:00 in Shanghai.
func newEnv(t testing.TB, wechatN, weiboN int) *env {
	t.Helper()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, loc)
	e := testenv.New(t, testenv.Options{WeChat: wechatN, Weibo: weiboN, Start: now, Sandbox: sandbox.Options{Seed: 8},
		WeChatApp: func(i int, app *sandbox.WeChatApp) { app.Followers = []int{15000, 3000, 400}[i%3] },
		WeiboUser: func(i int, u *sandbox.WeiboUser) { u.Followers = 2000 }})
	c := New(e.Config, e.Store, e.WeChat, e.Weibo, quiet)
	c.Now = e.Clock.Now
	return &env{Env: e, c: c, now: now}
}

func TestCollect30DaysMatchesThePlatform(t *testing.T) {
	e := newEnv(t, 4, 2)
	ctx := context.Background()
	to := e.c.Yesterday()
	from := to.AddDate(0, 0, -29)
	sum, err := e.c.Collect(ctx, from, to, nil, false, nil)
	if err != nil || len(sum.Failures) != 0 {
		t.Fatalf("collect: %v %+v", err, sum.Failures)
	}
	rows, err := e.Store.AllDailyStats(ctx, day(from), day(to))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]storage.DailyStat{}
	for _, r := range rows {
		got[r.Account+" "+r.Date] = r
	}
	for _, a := range e.Config.Accounts {
		if a.Platform != configs.PlatformWeChat {
			continue
		}
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			want, err := e.Sandbox.Figures(a.AppID, day(d))
			if err != nil {
				t.Fatal(err)
			}
			r, ok := got[a.ID+" "+day(d)]
			if !ok || r.Followers == nil || *r.Followers != int64(want.Followers) {
				t.Fatalf("%s %s followers: stored %v, platform %d", a.ID, day(d), r.Followers, want.Followers)
			}
			if *r.NewFollowers != int64(want.NewFollowers) || *r.LostFollowers != int64(want.LostFollowers) ||
				*r.Posts != int64(want.Posts) || *r.Reads != int64(want.Reads) || *r.Likes != int64(want.Likes) {
				t.Fatalf("%s %s: stored %+v, platform %+v", a.ID, day(d), r, want)
			}
		}
	}
	// Weibo: followers are a snapshot, stored for the day it was taken on
	// (today, in the configured timezone), never invented for past days.
	today, err := e.Store.AllDailyStats(ctx, day(e.now), day(e.now))
	if err != nil {
		t.Fatal(err)
	}
	snap := map[string]storage.DailyStat{}
	for _, r := range today {
		snap[r.Account] = r
	}
	for _, a := range e.Config.Accounts {
		if a.Platform != configs.PlatformWeibo {
			continue
		}
		if want := e.figures(t, a.UID, day(e.now)); !eq(snap[a.ID].Followers, want.Followers) {
			t.Fatalf("%s today's followers: %v, platform %d", a.ID, deref(snap[a.ID].Followers), want.Followers)
		}
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			if r := got[a.ID+" "+day(d)]; r.Followers != nil || r.Reads != nil {
				t.Fatalf("%s: figures invented for a past day: %+v", a.ID, r)
			}
		}
	}
	// The fewest calls the span limits allow: per WeChat account 5 x 2 user calls
	// (7-day spans), 1 bizsummary (30-day span), and batchget pages.
	// A second run over the same range changes nothing.
	again, err := e.c.Collect(ctx, from, to, nil, false, nil)
	if err != nil || again.RowsWritten != 0 {
		t.Fatalf("second collect wrote %d rows (%v)", again.RowsWritten, err)
	}
	// Resuming skips what is stored: no datacube calls at all.
	before := e.Sandbox.Snapshot().WeChat["wxapp000"].Calls["/datacube/getusercumulate"]
	if _, err := e.c.Collect(ctx, from, to, nil, true, nil); err != nil {
		t.Fatal(err)
	}
	if after := e.Sandbox.Snapshot().WeChat["wxapp000"].Calls["/datacube/getusercumulate"]; after != before {
		t.Fatalf("resume asked again: %d -> %d", before, after)
	}
	if n := e.Sandbox.Snapshot().WeChat["wxapp000"].Calls["/datacube/getusercumulate"]; n != 5*2 {
		t.Fatalf("getusercumulate calls for 30 days twice: %d, want 10", n)
	}
}

func TestQuotaOnOneAccountLeavesTheOthersComplete(t *testing.T) {
	e := newEnv(t, 3, 0)
	ctx := context.Background()
	e.Sandbox.ExhaustQuota("wxapp001", "/datacube/getusercumulate")
	to := e.c.Yesterday()
	from := to.AddDate(0, 0, -9)
	sum, err := e.c.Collect(ctx, from, to, nil, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Failures) != 1 || sum.Failures[0].Account != "wx001" || !strings.Contains(sum.Failures[0].Reason, "45009") {
		t.Fatalf("failures: %+v", sum.Failures)
	}
	for _, id := range []string{"wx000", "wx002"} {
		rows, err := e.Store.DailyStats(ctx, day(from), day(to), []string{id})
		have := 0
		for _, r := range rows {
			if r.Followers != nil {
				have++
			}
		}
		if err != nil || have != 10 {
			t.Fatalf("%s has %d of 10 days with followers (%v)", id, have, err)
		}
	}
}

func TestOneExpiredWeiboTokenDoesNotCostTheOthersTheirFollowers(t *testing.T) {
	e := newEnv(t, 0, 2)
	ctx := context.Background()
	e.Sandbox.ExpireWeiboToken("100000") // the first account's token
	y := e.c.Yesterday()
	sum, err := e.c.Collect(ctx, y, y, nil, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Failures) != 1 || sum.Failures[0].Account != "wb000" {
		t.Fatalf("failures: %+v (want only the expired account's timeline)", sum.Failures)
	}
	rows, _ := e.Store.AllDailyStats(ctx, day(e.now), day(e.now)) // the snapshot's day
	for _, r := range rows {
		want := e.figures(t, map[string]string{"wb000": "100000", "wb001": "100001"}[r.Account], day(e.now))
		if r.Followers == nil || *r.Followers != int64(want.Followers) {
			t.Fatalf("%s followers %v, platform %d", r.Account, r.Followers, want.Followers)
		}
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
}

// figures asks the sandbox's introspection endpoint for its own figures of
// an account (app id or uid) on a day.
func (e *env) figures(t testing.TB, account, date string) sandbox.DayFigures {
	t.Helper()
	resp, err := http.Get(e.URL + "/_sandbox/figures?" + url.Values{"account": {account}, "date": {date}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var f sandbox.DayFigures
	if err := json.NewDecoder(resp.Body).Decode(&f); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sandbox figures %s %s: %v %s", account, date, err, resp.Status)
	}
	return f
}

func eq(stored *int64, platform int) bool { return stored != nil && *stored == int64(platform) }

// TestArticleFiguresEqualThePlatformEveryDay: getbizsummary nests each day's
// figures under "detail"; every day's reads, shares, likes, 在看 and
// comments are the platform's, and a day the platform gives no figures for
// (before 2025-11-01) stays empty rather than 0.
func TestArticleFiguresEqualThePlatformEveryDay(t *testing.T) {
	e := newEnv(t, 3, 0)
	ctx := context.Background()
	for _, span := range [][2]time.Time{
		{e.c.Yesterday().AddDate(0, 0, -29), e.c.Yesterday()},
		{time.Date(2025, 10, 20, 0, 0, 0, 0, e.Config.Location), time.Date(2025, 11, 10, 0, 0, 0, 0, e.Config.Location)},
	} {
		from, to := span[0], span[1]
		if sum, err := e.c.Collect(ctx, from, to, nil, false, nil); err != nil || len(sum.Failures) != 0 {
			t.Fatalf("collect: %v %+v", err, sum.Failures)
		}
		rows, err := e.Store.AllDailyStats(ctx, day(from), day(to))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]storage.DailyStat{}
		for _, r := range rows {
			got[r.Account+" "+r.Date] = r
		}
		reads := int64(0)
		for _, a := range e.Config.Accounts {
			for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
				r := got[a.ID+" "+day(d)]
				if day(d) < "2025-11-01" {
					if r.Reads != nil || r.Shares != nil || r.Likes != nil || r.Zaikan != nil || r.Comments != nil {
						t.Fatalf("%s %s: the platform gave no article figures, stored %+v", a.ID, day(d), r)
					}
					continue
				}
				want := e.figures(t, a.AppID, day(d))
				if !eq(r.Reads, want.Reads) || !eq(r.Shares, want.Shares) || !eq(r.Likes, want.Likes) ||
					!eq(r.Zaikan, want.Zaikan) || !eq(r.Comments, want.Comments) {
					t.Fatalf("%s %s: stored reads %v shares %v likes %v zaikan %v comments %v; platform %+v",
						a.ID, day(d), deref(r.Reads), deref(r.Shares), deref(r.Likes), deref(r.Zaikan), deref(r.Comments), want)
				}
				reads += *r.Reads
			}
		}
		if reads == 0 {
			t.Fatalf("%s..%s: no reads at all (the comparison would prove nothing)", day(from), day(to))
		}
	}
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestPartialDaysAreRefilledOnResume: a collection that stored a day's
// followers but not its reads (getbizsummary failing between the two) leaves
// the day incomplete, and a resumed collection fills exactly what is missing.
func TestPartialDaysAreRefilledOnResume(t *testing.T) {
	e := newEnv(t, 2, 1)
	ctx := context.Background()
	to := e.c.Yesterday()
	from := to.AddDate(0, 0, -9)
	e.Sandbox.ExhaustQuota("wxapp000", "/datacube/getbizsummary")
	sum, err := e.c.Collect(ctx, from, to, nil, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Failures) != 1 || sum.Failures[0].Account != "wx000" || !strings.Contains(sum.Failures[0].Reason, "阅读数据") {
		t.Fatalf("failures: %+v", sum.Failures)
	}
	rows, _ := e.Store.AllDailyStats(ctx, day(from), day(to))
	for _, r := range rows {
		if r.Account == "wx000" && (r.Followers == nil || r.Reads != nil) {
			t.Fatalf("setup: after the failure %s has followers %v reads %v", r.Date, deref(r.Followers), deref(r.Reads))
		}
	}
	e.Sandbox.RestoreQuota("wxapp000", "/datacube/getbizsummary")
	calls := func(app string) map[string]int { return e.Sandbox.Snapshot().WeChat[app].Calls }
	before0, before1 := calls("wxapp000"), calls("wxapp001")
	if sum, err = e.c.Collect(ctx, from, to, nil, true, nil); err != nil || len(sum.Failures) != 0 {
		t.Fatalf("resume: %v %+v", err, sum.Failures)
	}
	rows, _ = e.Store.AllDailyStats(ctx, day(from), day(to))
	n := 0
	for _, r := range rows {
		if r.Account != "wx000" {
			continue
		}
		n++
		want := e.figures(t, "wxapp000", r.Date)
		if !eq(r.Followers, want.Followers) || !eq(r.Reads, want.Reads) || !eq(r.Shares, want.Shares) || !eq(r.Likes, want.Likes) {
			t.Fatalf("%s after resume: followers %v reads %v shares %v likes %v; platform %+v", r.Date,
				deref(r.Followers), deref(r.Reads), deref(r.Shares), deref(r.Likes), want)
		}
	}
	if n != 10 {
		t.Fatalf("wx000 has %d of 10 days", n)
	}
	// Resume asked only for what was missing: the article figures of the
	// incomplete account, nothing of the complete one.
	after0, after1 := calls("wxapp000"), calls("wxapp001")
	if after0["/datacube/getbizsummary"] != before0["/datacube/getbizsummary"]+1 ||
		after0["/datacube/getusercumulate"] != before0["/datacube/getusercumulate"] ||
		after0["/cgi-bin/freepublish/batchget"] != before0["/cgi-bin/freepublish/batchget"] {
		t.Fatalf("resume of wx000 asked: before %v after %v", before0, after0)
	}
	for path, c := range after1 {
		if strings.HasPrefix(path, "/datacube/") && c != before1[path] {
			t.Fatalf("resume asked the complete account again: %s %d -> %d", path, before1[path], c)
		}
	}
	// A third resume has nothing left to ask of WeChat.
	before0 = calls("wxapp000")
	if _, err := e.c.Collect(ctx, from, to, nil, true, nil); err != nil {
		t.Fatal(err)
	}
	for path, c := range calls("wxapp000") {
		if c != before0[path] && path != "/cgi-bin/token" {
			t.Fatalf("complete days asked again: %s %d -> %d", path, before0[path], c)
		}
	}
}
