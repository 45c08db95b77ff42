package main

import (
	"strconv"
	"strings"
	"testing"
)

// A refusal's line on the terminal names the flag that fixes it; the
// queue's own message names none.
func TestRefusalLineNamesTheFlag(t *testing.T) {
	e := newEnv(t, cliOptions())
	code, _, errs := e.herald("post", "add", "--kind", "article", "--title", "旧闻", "--body-file", e.dir+"/body.html",
		"--image", e.dir+"/cover.png", "--to", "fabu", "--at", "2001-01-01 09:00")
	if code != 1 || !strings.Contains(errs, "已过") || !strings.Contains(errs, "发布时间用 --at 指定") {
		t.Fatalf("a past time: exit %d: %q", code, errs)
	}
	id := strconv.FormatInt(e.addArticle("--to", "fabu", "--at", "now"), 10)
	code, _, errs = e.herald("post", "reject", "--as", "张敏", id)
	if code != 1 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "退回须写明原因") || !strings.Contains(errs, "（用 --comment 写明原因）") {
		t.Fatalf("reject without a reason: exit %d: %q", code, errs)
	}
	code, _, errs = e.herald("post", "approve", "--as", "张敏", "--secrecy-ok", id)
	if code != 0 {
		t.Fatalf("初审: exit %d: %s", code, errs)
	}
	code, _, errs = e.herald("post", "approve", "--as", "刘建国", id)
	if code != 1 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "保密审查") || !strings.HasSuffix(errs, "（确认保密审查后加 --secrecy-ok）\n") {
		t.Fatalf("终审 without secrecy: exit %d: %q", code, errs)
	}
}
