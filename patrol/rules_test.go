package patrol

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/reports"
)

// Local update rules are evaluated from what the platforms list, posts made
// by hand included.
func TestUpdateRulesFromThePlatformsLists(t *testing.T) {
	e := newEnv(t, 2, 1, "patrol:\n  update_rules:\n    - {targets: \"group:county\", days: 7, min_posts: 3}\n    - {targets: wb000, days: 10, min_posts: 1}\n")
	ctx := context.Background()
	day := func(n int) time.Time { return e.Clock.Now().Add(-time.Duration(n) * 24 * time.Hour) }
	for _, d := range []int{1, 3, 6} { // wx000: three this week
		place(t, e, "wxapp000", sandbox.HandArticle{Title: "动态", Content: "<p>x</p>", At: day(d)})
	}
	for _, d := range []int{2, 8} { // wx001: one this week, one before
		place(t, e, "wxapp001", sandbox.HandArticle{Title: "动态", Content: "<p>x</p>", At: day(d)})
	}
	if _, err := e.Sandbox.PlaceWeiboPost("100000", "一条", day(12)); err != nil { // wb000: 12 days ago
		t.Fatal(err)
	}
	from, to := e.window()
	if _, err := e.p.Run(ctx, from, to, nil); err != nil {
		t.Fatal(err)
	}
	got, err := reports.UpdateRules(ctx, e.Config, e.Store, e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		rule  string
		posts int
		ok    bool
	}
	for acct, ws := range map[string][]want{
		"wx000": {{"每14天至少1条", 3, true}, {"每周至少3条", 3, true}},
		"wx001": {{"每14天至少1条", 2, true}, {"每周至少3条", 1, false}},
		"wb000": {{"每14天至少1条", 1, true}, {"每周至少3条", 0, false}, {"每10天至少1条", 0, false}}, // in group county too
	} {
		if len(got[acct]) != len(ws) {
			t.Fatalf("%s: %+v", acct, got[acct])
		}
		for i, w := range ws {
			g := got[acct][i]
			if g.Rule != w.rule || g.Posts != w.posts || g.OK != w.ok {
				t.Errorf("%s rule %d: got %+v, want %+v", acct, i, g, w)
			}
		}
	}
	rows, err := reports.Dormant(ctx, e.Config, e.Store, e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Account == "wx001" && (len(r.Breaches) != 1 || r.Breaches[0].Rule != "每周至少3条") {
			t.Errorf("report dormant for wx001: %+v", r.Breaches)
		}
	}
	// The robot hears of the local rules' breaches once.
	rs, robot := newRobotServer(t, e.Clock)
	if sent, err := reports.NotifyBreaches(ctx, e.Config, e.Store, robot, e.Clock.Now()); err != nil || !sent {
		t.Fatalf("notify breaches: %v %v", sent, err)
	}
	if sent, err := reports.NotifyBreaches(ctx, e.Config, e.Store, robot, e.Clock.Now()); err != nil || sent {
		t.Fatalf("breaches told twice: %v %v", sent, err)
	}
	msg := rs.msgs[0]
	for _, want := range []string{"公众号1（wx001）要求每周至少3条，近7天只发布1条", "微博0（wb000）要求每10天至少1条"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "wx000") || strings.Contains(msg, "每14天") {
		t.Errorf("message names an account that meets the rules, or the national rule: %s", msg)
	}
}
