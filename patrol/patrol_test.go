package patrol

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/internal/testenv"
)

var quiet = slog.New(slog.DiscardHandler)

type env struct {
	*testenv.Env
	p *Patrol
}

// newEnv is a patrol over a testenv with wechatN WeChat accounts (whose
// synthetic histories fell silent in 2025) and weiboN Weibo accounts, at
// 10:00 in Shanghai. extra is appended to the config.
func newEnv(t testing.TB, wechatN, weiboN int, extra string) *env {
	t.Helper()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	e := testenv.New(t, testenv.Options{WeChat: wechatN, Weibo: weiboN, Start: time.Date(2026, 11, 22, 10, 0, 0, 0, loc),
		Sandbox:   sandbox.Options{Seed: 3},
		YAML:      "review:\n  leaders:\n    - {name: 王建国, title: 县委书记}\n    - {name: 李明, title: 县长}\n" + extra,
		WeChatApp: func(i int, app *sandbox.WeChatApp) { app.Followers, app.SilentSince = 400, "2025-01-01" },
		WeiboUser: func(i int, u *sandbox.WeiboUser) { u.Followers = 2000 }})
	p := New(e.Config, e.Store, map[string]channels.PublicationReader{configs.PlatformWeChat: e.WeChat, configs.PlatformWeibo: e.Weibo}, NewChecker(e.Config), quiet, e.Clock.Now)
	return &env{Env: e, p: p}
}

func (e *env) window() (time.Time, time.Time) {
	y, m, d := e.Clock.Now().In(e.Config.Location).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, e.Config.Location)
	return today.AddDate(0, 0, -29), today.AddDate(0, 0, 1)
}

func readFile(t testing.TB, name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func prose(t testing.TB) string {
	b, err := os.ReadFile("testdata/prose.html")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func place(t testing.TB, e *env, app string, a sandbox.HandArticle) sandbox.Article {
	t.Helper()
	got, err := e.Sandbox.PlaceArticle(app, a)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestPatrolFindsPlantedErrorsOnceAndNoFalseAlarm(t *testing.T) {
	e := newEnv(t, 2, 1, "")
	ctx := context.Background()
	day := func(n int) time.Time { return e.Clock.Now().Add(-time.Duration(n) * 24 * time.Hour) }
	text := prose(t)
	clean := place(t, e, "wxapp000", sandbox.HandArticle{Title: "青山县2026年政府工作报告", Content: text, At: day(9)})
	// More real-world prose: a county news release naming the leaders
	// rightly, and content's own notice and report texts.
	cleanOthers := []sandbox.Article{
		place(t, e, "wxapp001", sandbox.HandArticle{Title: "县委常委会（扩大）会议召开", Content: readFile(t, "testdata/news.html"), At: day(8)}),
		place(t, e, "wxapp001", sandbox.HandArticle{Title: "关于做好2026年冬春安全生产工作的通知", Content: readFile(t, "../content/testdata/notice.html"), At: day(7)}),
		place(t, e, "wxapp000", sandbox.HandArticle{Title: "县政府工作报告摘要", Content: readFile(t, "../content/testdata/report.txt"), At: day(6)}),
	}
	leader := place(t, e, "wxapp000", sandbox.HandArticle{Title: "县委常委会召开扩大会议",
		Content: "<p>11月18日，县委书记王建华主持召开县委常委会扩大会议。</p><p>县长李明出席会议。</p>" + text, At: day(4)})
	split := place(t, e, "wxapp001", sandbox.HandArticle{Title: "主题教育读书班开班",
		Content: "<p>全县党员干部要不忘<span style=\"color:#c00\">出</span>心、牢记使命。</p>", At: day(3)})
	hidden := place(t, e, "wxapp001", sandbox.HandArticle{Title: "县政府常务会议研究优化营商\u200b坏境工作", Content: "<p>会议研究部署相关工作。</p>", At: day(2)})
	post, err := e.Sandbox.PlaceWeiboPost("100000", "【青山发布】我县召开乡村振新推进会，县委书记王建国出席并讲话。https://www.qingshan.gov.cn/a/1", day(1))
	if err != nil {
		t.Fatal(err)
	}
	from, to := e.window()
	res, err := e.p.Run(ctx, from, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Unreadable) != 0 {
		t.Fatalf("unreadable: %+v", res.Unreadable)
	}
	if res.Publications != 8 {
		t.Fatalf("publications checked = %d, want 8", res.Publications)
	}
	type key struct{ account, url, term, suggestion, field string }
	want := map[key]bool{
		{"wx000", leader.URL, "王建华", "王建国", "body"}:                                            true,
		{"wx001", split.URL, "不忘出心", "不忘初心", "body"}:                                           true,
		{"wx001", hidden.URL, "营商坏境", "营商环境", "title"}:                                         true,
		{"wb000", fmt.Sprintf("https://weibo.com/100000/%d", post.ID), "乡村振新", "乡村振兴", "body"}: true,
	}
	if len(res.Findings) != len(want) {
		t.Fatalf("findings: got %d, want %d: %+v", len(res.Findings), len(want), res.Findings)
	}
	for _, f := range res.Findings {
		k := key{f.Account, f.URL, f.Term, f.Suggestion, f.Field}
		if !want[k] {
			t.Errorf("unexpected finding %+v", f)
		}
		delete(want, k)
		for _, c := range append(cleanOthers, clean) {
			if f.URL == c.URL {
				t.Errorf("a finding in clean prose: %+v", f)
			}
		}
	}
	if len(want) != 0 {
		t.Fatalf("not found: %+v", want)
	}
	for _, f := range res.Findings {
		if f.URL == leader.URL && f.Offset != len([]rune("<p>11月18日，县委书记"))+1 {
			t.Errorf("leader finding at %d", f.Offset)
		}
	}
	if res.New != 4 {
		t.Errorf("new findings = %d, want 4", res.New)
	}
	// The robot hears of each finding once.
	rs, robot := newRobotServer(t, e.Clock)
	if n, err := e.p.NotifyFindings(ctx, robot); err != nil || n != 4 {
		t.Fatalf("notify findings: %d %v", n, err)
	}
	if n, err := e.p.NotifyFindings(ctx, robot); err != nil || n != 0 || len(rs.msgs) != 1 {
		t.Fatalf("findings told twice: %d %v %d", n, err, len(rs.msgs))
	}
	for _, want := range []string{"王建华」应为「王建国", leader.URL, "乡村振新", "营商坏境"} {
		if !strings.Contains(rs.msgs[0], want) {
			t.Errorf("robot message lacks %q: %s", want, rs.msgs[0])
		}
	}

	// Read once, never asked for again: a second patrol reads nothing new,
	// and the platform handed out each text exactly once.
	res2, err := e.p.Run(ctx, from, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Read != 0 || len(res2.Findings) != 4 || res2.New != 0 {
		t.Fatalf("second run: read %d, findings %d, new %d", res2.Read, len(res2.Findings), res2.New)
	}
	// A new publication by hand is read, and only it.
	e.Clock.Advance(time.Hour)
	later := place(t, e, "wxapp000", sandbox.HandArticle{Title: "新的一篇", Content: "<p>县委书记王建国调研。</p>"})
	if _, err := e.Sandbox.PlaceWeiboPost("100000", "新的一条微博 https://www.qingshan.gov.cn/a/2", time.Time{}); err != nil {
		t.Fatal(err)
	}
	res3, err := e.p.Run(ctx, from, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res3.Read != 2 || res3.Publications != 10 {
		t.Fatalf("third run: read %d, publications %d; want 2 and 10", res3.Read, res3.Publications)
	}
	st := e.Sandbox.Snapshot()
	for _, app := range []string{"wxapp000", "wxapp001"} {
		for _, a := range st.WeChat[app].Published {
			if n := st.WeChat[app].ContentServed[a.URL]; n != 1 {
				t.Errorf("%s: %q handed out %d times, want once", app, a.Title, n)
			}
		}
	}
	if len(st.WeChat["wxapp000"].ContentServed) != 4 || st.WeChat["wxapp000"].ContentServed[later.URL] != 1 {
		t.Errorf("wxapp000 content served: %v", st.WeChat["wxapp000"].ContentServed)
	}
	for _, p := range st.Weibo["100000"].Posts {
		if n := st.Weibo["100000"].ContentServed[fmt.Sprint(p.ID)]; n != 1 {
			t.Errorf("weibo post %d handed out %d times", p.ID, n)
		}
	}
}

// A WeChat account whose daily quota for the published list is used up is
// reported unreadable with what to do, and the other accounts are read.
func TestQuotaLeavesOneAccountUnreadOthersRead(t *testing.T) {
	e := newEnv(t, 2, 1, "")
	ctx := context.Background()
	place(t, e, "wxapp000", sandbox.HandArticle{Title: "一", Content: "<p>县委书记王建华</p>"})
	place(t, e, "wxapp001", sandbox.HandArticle{Title: "二", Content: "<p>县委书记王建华</p>"})
	e.Sandbox.ExhaustQuota("wxapp000", "/cgi-bin/freepublish/batchget")
	from, to := e.window()
	res, err := e.p.Run(ctx, from, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Unreadable) != 1 || res.Unreadable[0].Account != "wx000" || !strings.Contains(res.Unreadable[0].Reason, "今日调用次数已达上限") {
		t.Fatalf("unreadable: %+v", res.Unreadable)
	}
	if res.Read != 1 || len(res.Findings) != 1 || res.Findings[0].Account != "wx001" {
		t.Fatalf("read %d, findings %+v", res.Read, res.Findings)
	}
	calls := e.Sandbox.Snapshot().WeChat["wxapp000"].Calls["/cgi-bin/freepublish/batchget"]
	if calls != 1 {
		t.Errorf("the exhausted API was called %d times, want once (no retry on a quota error)", calls)
	}
	// Not asked again the same day.
	if res, err := e.p.Run(ctx, from, to, nil); err != nil || len(res.Unreadable) != 1 {
		t.Fatalf("second run the same day: %v %+v", err, res.Unreadable)
	}
	if n := e.Sandbox.Snapshot().WeChat["wxapp000"].Calls["/cgi-bin/freepublish/batchget"]; n != 1 {
		t.Errorf("the exhausted API was called again the same day: %d calls", n)
	}
	// Tomorrow the quota is back: the account is read.
	e.Sandbox.RestoreQuota("wxapp000", "/cgi-bin/freepublish/batchget")
	e.Clock.Advance(24 * time.Hour)
	res, err = e.p.Run(ctx, from, to, nil)
	if err != nil || len(res.Unreadable) != 0 || res.Read != 1 || len(res.Findings) != 2 {
		t.Fatalf("after the quota came back: %v %+v read %d findings %d", err, res.Unreadable, res.Read, len(res.Findings))
	}
}

// A long post made in the Weibo client is listed cut; the patrol reads its
// whole text and finds what lies beyond the cut.
func TestLongWeiboPostReadWhole(t *testing.T) {
	e := newEnv(t, 0, 1, "")
	ctx := context.Background()
	long := strings.Repeat("全县上下认真学习贯彻会议精神，推动各项工作落地见效。", 12) + "会议强调要持续优化营商坏境。"
	post, err := e.Sandbox.PlaceWeiboPost("100000", long, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	from, to := e.window()
	res, err := e.p.Run(ctx, from, to, nil)
	if err != nil || len(res.Unreadable) != 0 {
		t.Fatalf("%v %+v", err, res.Unreadable)
	}
	if len(res.Findings) != 1 || res.Findings[0].Suggestion != "营商环境" || res.Findings[0].Offset != len([]rune(long))-4 {
		t.Fatalf("findings %+v", res.Findings)
	}
	served := e.Sandbox.Snapshot().Weibo["100000"].ContentServed
	if served[fmt.Sprint(post.ID)] != 1 || served[fmt.Sprintf("long/%d", post.ID)] != 1 {
		t.Fatalf("served %v", served)
	}
}

// Transient platform errors (WeChat -1 and 45011) are retried: the account
// is read in full all the same.
func TestTransientErrorsRetried(t *testing.T) {
	e := newEnv(t, 1, 0, "")
	ctx := context.Background()
	for i := 0; i < 200; i++ { // ten pages
		place(t, e, "wxapp000", sandbox.HandArticle{Title: fmt.Sprintf("动态%d", i), Content: "<p>正文</p>", At: e.Clock.Now().Add(-time.Duration(i) * time.Hour)})
	}
	e.Sandbox.SetFaults(sandbox.Faults{TransientRate: 0.4})
	from, to := e.window()
	res, err := e.p.Run(ctx, from, to, nil)
	if err != nil || len(res.Unreadable) != 0 || res.Read != 200 {
		t.Fatalf("%v unreadable %+v read %d", err, res.Unreadable, res.Read)
	}
	st := e.Sandbox.Snapshot()
	if n := st.Unattributed["/cgi-bin/freepublish/batchget"]; n == 0 { // transient answers come before the token is looked at
		t.Fatalf("no transient error was injected: %v %v", st.Unattributed, st.WeChat["wxapp000"].Calls)
	}
}
