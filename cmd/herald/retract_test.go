package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/herald-gov/herald/internal/testenv"
)

// post retract deletes what went out, account by account, and the platform
// shows it deleted: a freepublished WeChat article (freepublish/delete), a
// mass-sent one (mass/delete) and a Weibo post (statuses/destroy). Without
// --yes it refuses in one line and touches nothing.
func TestRetractDeletesWhatWentOut(t *testing.T) {
	c := newCancelEnv(t, testenv.Options{Weibo: 1})
	c.serve()
	id := c.addArticle("--to", "wx000,wx001,wb000", "--at", "now")
	notified := c.addArticle("--to", "wx002", "--at", "now", "--notify")
	for _, it := range []int64{id, notified} {
		waitFor(t, "the items to settle", func() bool { return c.show(it).State == "done" })
	}
	c.stop()
	c.stop = nil
	ref := strconv.FormatInt(id, 10)

	code, out, errs := c.herald("post", "retract", ref)
	if code != 1 || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, "--yes") || out != "" {
		t.Fatalf("retract without --yes: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if n := c.Sandbox.Snapshot().WeChat["wxapp000"].Calls["/cgi-bin/freepublish/delete"]; n != 0 {
		t.Fatalf("retract without --yes called the platform %d times", n)
	}
	if code, _, errs := c.herald("post", "retract", "--yes", "--account", "wx003", ref); code != 1 || !strings.Contains(errs, "wx003") {
		t.Fatalf("retract from an account the item was not sent to: %d %q", code, errs)
	}

	code, out, errs = c.herald("post", "retract", "--yes", "--account", "wx000,wb000", ref)
	if code != 0 || !strings.Contains(out, "已从 2 个账号删除：公众号0、微博0") {
		t.Fatalf("retract wx000,wb000: exit %d\n%s%s", code, out, errs)
	}
	snap := c.Sandbox.Snapshot()
	if a := snap.WeChat["wxapp000"].Published; len(a) != 1 || !a[0].Deleted {
		t.Fatalf("wx000 on the platform: %+v", a)
	}
	if p := snap.Weibo["100000"].Posts; len(p) != 1 || !p[0].Deleted {
		t.Fatalf("wb000 on the platform: %+v", p)
	}
	if a := snap.WeChat["wxapp001"].Published; len(a) != 1 || a[0].Deleted {
		t.Fatalf("wx001 was not asked to be deleted: %+v", a)
	}

	// The rest; wx000 and wb000 are not deleted twice.
	code, out, errs = c.herald("post", "retract", "--yes", ref)
	if code != 0 || !strings.Contains(out, "已从 1 个账号删除：公众号1") || !strings.Contains(out, "2 个账号此前已删除") {
		t.Fatalf("retract the rest: exit %d\n%s%s", code, out, errs)
	}
	if a := c.Sandbox.Snapshot().WeChat["wxapp001"].Published; len(a) != 1 || !a[0].Deleted {
		t.Fatalf("wx001 on the platform: %+v", a)
	}
	if n := c.Sandbox.Snapshot().WeChat["wxapp000"].Calls["/cgi-bin/freepublish/delete"]; n != 1 {
		t.Fatalf("wx000 deleted %d times", n)
	}

	// The mass-sent article: deleted through its mass send.
	if code, out, errs := c.herald("post", "retract", "--yes", strconv.FormatInt(notified, 10)); code != 0 {
		t.Fatalf("retract the notified item: %d\n%s%s", code, out, errs)
	}
	snap = c.Sandbox.Snapshot()
	if a := snap.WeChat["wxapp002"].Published; len(a) != 1 || !a[0].Deleted || len(snap.WeChat["wxapp002"].MassSends) != 1 || !snap.WeChat["wxapp002"].MassSends[0].Deleted {
		t.Fatalf("wx002 on the platform: %+v %+v", a, snap.WeChat["wxapp002"].MassSends)
	}

	// post show and the audit log say so: the item is retracted, its
	// deliveries went out (published) and were deleted.
	if st := c.show(id).State; st != "retracted" {
		t.Errorf("item after retracting everything: %s", st)
	}
	for _, d := range c.show(id).Deliveries {
		if d.State != "published" {
			t.Errorf("%s: %s", d.Account, d.State)
		}
	}
	code, out, _ = c.herald("post", "show", "--json", ref)
	if code != 0 || strings.Count(out, `"retracted_at"`) != 3 {
		t.Errorf("post show --json should carry retracted_at for the three deliveries:\n%s", out)
	}
	code, out, _ = c.herald("audit", "--item", ref)
	if code != 0 || strings.Count(out, "已从平台删除") != 3 {
		t.Errorf("audit log should hold three deletions:\n%s", out)
	}
}
