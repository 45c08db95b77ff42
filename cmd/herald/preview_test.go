package main

import (
	"strconv"
	"strings"
	"testing"
)

func TestPostPreviewToOneReviewer(t *testing.T) {
	o := cliOptions()
	o.Sandbox.Seed = 9
	e := newEnv(t, o)
	sb := e.Sandbox
	id := e.addArticle("--to", "group:county", "--at", "now")
	ids := strconv.FormatInt(id, 10)

	code, out, errs := e.herald("post", "preview", "--as", "张敏", "--to-wxname", "zhangmin_qs", ids)
	if code != 0 || !strings.Contains(out, "zhangmin_qs") {
		t.Fatalf("preview: %d %s %s", code, out, errs)
	}
	wx := sb.Snapshot().WeChat["wx1"]
	if len(wx.Previews) != 1 || wx.Previews[0].ToWxName != "zhangmin_qs" || wx.Previews[0].Title != "县政府常务会议" ||
		!strings.Contains(wx.Previews[0].Content, "青山县召开县政府常务会议") {
		t.Fatalf("sandbox previews: %+v", wx.Previews)
	}
	if len(wx.Published) != 0 || len(wx.MassSends) != 0 {
		t.Fatalf("a preview published: %d published, %d mass sends", len(wx.Published), len(wx.MassSends))
	}
	if wx.Drafts != 0 {
		t.Fatalf("%d drafts left after the preview", wx.Drafts)
	}
	// The Weibo account cannot preview; a bad ID is refused with one line.
	if code, _, errs := e.herald("post", "preview", "--to-wxname", "x", "--account", "fabu-wb", ids); code != 1 || !strings.Contains(errs, "不是配置中的微信公众号") {
		t.Fatalf("weibo preview: %d %s", code, errs)
	}
	// 100 a day per account: the 101st is refused before WeChat is asked.
	for i := 2; i <= 100; i++ {
		if code, _, errs := e.herald("post", "preview", "--to-wxname", "zhangmin_qs", ids); code != 0 {
			t.Fatalf("preview %d: %s", i, errs)
		}
	}
	code, _, errs = e.herald("post", "preview", "--to-wxname", "zhangmin_qs", ids)
	if code != 1 || !strings.Contains(errs, "100 次预览已用完") {
		t.Fatalf("101st preview: %d %s", code, errs)
	}
	if n := len(sb.Snapshot().WeChat["wx1"].Previews); n != 100 {
		t.Fatalf("sandbox saw %d previews, want 100", n)
	}
}
