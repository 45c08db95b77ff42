package main

import (
	"strconv"
	"strings"
	"testing"
)

// post approve names the revision it signs; --revision of a revision that
// is no longer current is refused in one line, and the author of a
// revision cannot sign it.
func TestApproveNamesTheRevision(t *testing.T) {
	e := newEnv(t, cliOptions())
	id := strconv.FormatInt(e.addArticle("--to", "fabu", "--at", "now"), 10)
	if code, _, errs := e.herald("post", "edit", "--title", "县政府常务会议（修改）", id); code != 0 {
		t.Fatalf("edit: %d %s", code, errs)
	}
	code, _, errs := e.herald("post", "approve", "--as", "张敏", "--revision", "1", id)
	if code != 1 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "已修改") {
		t.Fatalf("stale --revision: %d %q", code, errs)
	}
	code, out, errs := e.herald("post", "approve", "--as", "张敏", id)
	if code != 0 || !strings.Contains(out, "第2版") {
		t.Fatalf("approve without --revision: %d %q %s", code, out, errs)
	}
	// 张敏 writes an item and cannot sign it herself.
	ownID := strconv.FormatInt(e.addArticle("--as", "张敏", "--to", "fabu", "--at", "now"), 10)
	if code, _, errs := e.herald("post", "approve", "--as", "张敏", ownID); code != 1 || !strings.Contains(errs, "作者") {
		t.Fatalf("the author signs: %d %q (item %s)", code, errs, ownID)
	}
}
