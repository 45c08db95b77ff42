package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/internal/testenv"
)

func TestPatrolCommandFindingsExitCodesAndTasks(t *testing.T) {
	e := newEnv(t, testenv.Options{WeChat: 1, Weibo: 1, Sandbox: sandbox.Options{Seed: 5}, YAML: "review:\n  leaders: [{name: 王建国, title: 县委书记}]",
		WeChatApp: func(i int, app *sandbox.WeChatApp) { app.SilentSince = "2025-01-01" }})
	sb := e.Sandbox
	if _, err := sb.PlaceWeiboPost("100000", "今天天气晴好。", time.Time{}); err != nil {
		t.Fatal(err)
	}

	code, out, errs := e.herald("patrol", "--json")
	if code != 0 {
		t.Fatalf("clean patrol: exit %d: %s %s", code, out, errs)
	}
	art, err := sb.PlaceArticle("wxapp000", sandbox.HandArticle{Title: "县委常委会召开", Content: "<p>县委书记王建华主持会议。</p>"})
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs = e.herald("patrol", "--json", "--account", "wx000")
	if code != 1 || !strings.Contains(errs, "发现 1 处问题") {
		t.Fatalf("patrol with a finding: exit %d: %s", code, errs)
	}
	var res struct {
		Findings []struct {
			Account, Title, URL, Term, Suggestion, Level, Context string
			PublishedAt                                           time.Time `json:"published_at"`
		} `json:"findings"`
		Publications int `json:"publications"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(res.Findings) != 1 || res.Publications != 1 {
		t.Fatalf("%+v", res)
	}
	f := res.Findings[0]
	if f.Account != "wx000" || f.URL != art.URL || f.Term != "王建华" || f.Suggestion != "王建国" || f.Level != "block" || f.PublishedAt.IsZero() || f.Context == "" {
		t.Fatalf("finding %+v", f)
	}
	if code, _, errs = e.herald("patrol", "--from", "2026-13-01"); code != 2 {
		t.Fatalf("bad date: exit %d %s", code, errs)
	}
	if code, _, errs = e.herald("patrol", "--account", "nope"); code != 2 {
		t.Fatalf("unknown account: exit %d %s", code, errs)
	}

	// An unreadable account: exit 1.
	sb.ExpireWeiboToken("100000")
	if code, _, errs = e.herald("patrol", "--account", "wb000"); code != 1 || !strings.Contains(errs, "未能读取") {
		t.Fatalf("expired token: exit %d %s", code, errs)
	}

	// Repost tasks.
	if code, _, errs = e.herald("task", "add", "--title", "T"); code != 2 {
		t.Fatalf("task add without --due: exit %d %s", code, errs)
	}
	if code, _, errs = e.herald("task", "add", "--title", "T", "--due", "2020-01-01 10:00", "--to", "wx000"); code != 2 || !strings.Contains(errs, "已经过去") {
		t.Fatalf("task add with a past due time: exit %d %s", code, errs)
	}
	due := time.Now().Add(48 * time.Hour).Format(time.RFC3339)
	code, out, errs = e.herald("task", "add", "--title", "县委常委会召开", "--due", due, "--to", "wx000", "--json")
	if code != 0 || !strings.Contains(out, `"id"`) {
		t.Fatalf("task add: %d %s %s", code, out, errs)
	}
	code, out, errs = e.herald("task", "list", "--json")
	if code != 0 {
		t.Fatalf("task list: %d %s", code, errs)
	}
	var tasks []struct {
		Title    string `json:"title"`
		Done     int    `json:"done"`
		Accounts []struct {
			Account, State, URL string
		} `json:"accounts"`
	}
	if err := json.Unmarshal([]byte(out), &tasks); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(tasks) != 1 || tasks[0].Done != 1 || tasks[0].Accounts[0].State != "done" || tasks[0].Accounts[0].URL != art.URL {
		t.Fatalf("tasks: %s", out)
	}
}
