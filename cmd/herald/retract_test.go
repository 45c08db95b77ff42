package main

import (
	"strconv"
	"strings"
	"testing"
)

// post retract deletes what went out, account by account, and the platform
// shows it deleted: a freepublished WeChat article (freepublish/delete), a
// mass-sent one (mass/delete) and a Weibo post (statuses/destroy). Without
// --yes it refuses in one line and touches nothing.
func TestRetractDeletesWhatWentOut(t *testing.T) {
	c := newCancelEnv(t, "", `{id: wb1, name: 青山微博, platform: weibo, uid: "901", access_token: tk, link_url: "https://www.qingshan.gov.cn/"}`)
	c.serve()
	id := c.addArticle("--to", "gz1,gz2,wb1", "--at", "now")
	notified := c.addArticle("--to", "gz3", "--at", "now", "--notify")
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
	if n := c.sb.Snapshot().WeChat["wxc1"].Calls["/cgi-bin/freepublish/delete"]; n != 0 {
		t.Fatalf("retract without --yes called the platform %d times", n)
	}
	if code, _, errs := c.herald("post", "retract", "--yes", "--account", "gz4", ref); code != 1 || !strings.Contains(errs, "gz4") {
		t.Fatalf("retract from an account the item was not sent to: %d %q", code, errs)
	}

	code, out, errs = c.herald("post", "retract", "--yes", "--account", "gz1,wb1", ref)
	if code != 0 || !strings.Contains(out, "已从 2 个账号删除：公众号1（gz1）、青山微博（wb1）") {
		t.Fatalf("retract gz1,wb1: exit %d\n%s%s", code, out, errs)
	}
	snap := c.sb.Snapshot()
	if a := snap.WeChat["wxc1"].Published; len(a) != 1 || !a[0].Deleted {
		t.Fatalf("gz1 on the platform: %+v", a)
	}
	if p := snap.Weibo["901"].Posts; len(p) != 1 || !p[0].Deleted {
		t.Fatalf("wb1 on the platform: %+v", p)
	}
	if a := snap.WeChat["wxc2"].Published; len(a) != 1 || a[0].Deleted {
		t.Fatalf("gz2 was not asked to be deleted: %+v", a)
	}

	// The rest; gz1 and wb1 are not deleted twice.
	code, out, errs = c.herald("post", "retract", "--yes", ref)
	if code != 0 || !strings.Contains(out, "已从 1 个账号删除：公众号2（gz2）") || !strings.Contains(out, "2 个账号此前已删除") {
		t.Fatalf("retract the rest: exit %d\n%s%s", code, out, errs)
	}
	if a := c.sb.Snapshot().WeChat["wxc2"].Published; len(a) != 1 || !a[0].Deleted {
		t.Fatalf("gz2 on the platform: %+v", a)
	}
	if n := c.sb.Snapshot().WeChat["wxc1"].Calls["/cgi-bin/freepublish/delete"]; n != 1 {
		t.Fatalf("gz1 deleted %d times", n)
	}

	// The mass-sent article: deleted through its mass send.
	if code, out, errs := c.herald("post", "retract", "--yes", strconv.FormatInt(notified, 10)); code != 0 {
		t.Fatalf("retract the notified item: %d\n%s%s", code, out, errs)
	}
	snap = c.sb.Snapshot()
	if a := snap.WeChat["wxc3"].Published; len(a) != 1 || !a[0].Deleted || len(snap.WeChat["wxc3"].MassSends) != 1 || !snap.WeChat["wxc3"].MassSends[0].Deleted {
		t.Fatalf("gz3 on the platform: %+v %+v", a, snap.WeChat["wxc3"].MassSends)
	}

	// post show and the audit log say so.
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
