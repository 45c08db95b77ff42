package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/storage"
)

// get is a GET with a token, answering the status, content type and body.
func (e *apiEnv) getRaw(path, who string) (int, string, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

// TestAPIActionsDepartmentScope: another department's item is answered
// like a missing one by every item action (retract, preview, policy link
// and unlink), and the lists (patrol, tasks) hold only the department's
// own accounts.
func TestAPIActionsDepartmentScope(t *testing.T) {
	e := newAPI(t)
	ctx := context.Background()
	_, m, raw := e.do("POST", "/api/v1/items", "editor", article("fabu", "<p>县里的消息</p>"))
	office, ok := m["id"].(float64)
	if !ok {
		t.Fatalf("office item: %s", raw)
	}
	pid, _, err := e.Store.SavePolicy(ctx, storage.Policy{URL: "https://www.qingshan.gov.cn/zwgk/zcwj/1.html", Source: "https://www.qingshan.gov.cn/zwgk/zcwj/",
		Title: "青山县冬季供暖保障方案", Issuer: "青山县人民政府办公室", PublishedDate: "2026-11-10", Body: "保障供暖。", ContentHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, body string }{
		{"/api/v1/items/%d/retract", ""},
		{"/api/v1/items/%d/preview", `{"wxname": "zhangmin"}`},
		{fmt.Sprintf("/api/v1/policies/%d/link", pid), `{"item": %d}`},
		{fmt.Sprintf("/api/v1/policies/%d/unlink", pid), `{"item": %d}`},
	} {
		answer := func(id int64) (int, string) {
			path, body := c.path, c.body
			if strings.Contains(path, "%d") {
				path = fmt.Sprintf(path, id)
			} else {
				body = fmt.Sprintf(body, id)
			}
			code, m, raw := e.do("POST", path, "scj-editor", body)
			if code == 404 {
				return code, m["error"].(map[string]any)["message"].(string)
			}
			return code, raw
		}
		theirs, theirsMsg := answer(int64(office))
		missing, missingMsg := answer(99999)
		if theirs != 404 || missing != 404 || strings.Contains(theirsMsg, "新闻办") || strings.Contains(theirsMsg, "县里的消息") {
			t.Errorf("%s: another department's item %d %q, a missing one %d %q", c.path, theirs, theirsMsg, missing, missingMsg)
		}
	}

	// Link and unlink for the office, each audited.
	if code, _, raw := e.do("POST", fmt.Sprintf("/api/v1/policies/%d/link", pid), "editor", fmt.Sprintf(`{"item": %d}`, int64(office))); code != 200 {
		t.Fatalf("link: %d %s", code, raw)
	}
	if links, _ := e.Store.PolicyLinks(ctx); len(links[pid]) != 1 {
		t.Fatalf("links after link: %v", links)
	}
	if code, _, raw := e.do("POST", fmt.Sprintf("/api/v1/policies/%d/unlink", pid), "editor", fmt.Sprintf(`{"item": %d}`, int64(office))); code != 200 {
		t.Fatalf("unlink: %d %s", code, raw)
	}
	if links, _ := e.Store.PolicyLinks(ctx); len(links[pid]) != 0 {
		t.Fatalf("links after unlink: %v", links)
	}
	if code, _, _ := e.do("POST", fmt.Sprintf("/api/v1/policies/%d/unlink", pid), "editor", fmt.Sprintf(`{"item": %d}`, int64(office))); code != 404 {
		t.Fatalf("unlink of no link: %d", code)
	}

	// Patrol and tasks: the department sees only its own account.
	now := time.Now()
	for _, acct := range []string{"fabu", "scj-wx"} {
		url := "https://mp.weixin.qq.com/s/" + acct
		if err := e.Store.SavePublications(ctx, acct, []storage.Publication{{RemoteID: url, Title: "通报", URL: url, Text: "<p>王建华</p>",
			PublishedAt: now.Add(-time.Hour)}}, now.AddDate(0, 0, -30), true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Store.RecordFindings(ctx, []storage.Finding{{Account: acct, RemoteID: url, Term: "王建华", Suggestion: "王建国",
			Level: "block", Kind: "leader", Context: "王建华"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Store.AddTask(ctx, storage.Task{Title: "转载任务", Due: now.Add(time.Hour), Targets: "all"}, []string{"fabu", "scj-wx"}); err != nil {
		t.Fatal(err)
	}
	for who, want := range map[string][]string{"editor": {`"fabu"`, `"scj-wx"`}, "scj-editor": {`"scj-wx"`}} {
		for _, path := range []string{"/api/v1/patrol", "/api/v1/tasks"} {
			code, _, body := e.getRaw(path, who)
			if code != 200 {
				t.Fatalf("%s as %s: %d %s", path, who, code, body)
			}
			for _, w := range want {
				if !strings.Contains(string(body), w) {
					t.Errorf("%s as %s lacks %s: %s", path, who, w, body)
				}
			}
			if who == "scj-editor" && strings.Contains(string(body), `"fabu"`) {
				t.Errorf("%s shows the department another's account: %s", path, body)
			}
		}
	}
	if code, _, body := e.getRaw("/api/v1/patrol?days=0", "editor"); code != 400 {
		t.Errorf("days=0: %d %s", code, body)
	}
}

// TestAPIWorkbook: the month's workbook is an .xlsx for the news office, a
// refusal for a department (it covers every account) and for a bad period.
func TestAPIWorkbook(t *testing.T) {
	e := newAPI(t)
	code, ctype, body := e.getRaw("/api/v1/reports/monthly?month=2026-11", "viewer")
	if code != 200 || !strings.Contains(ctype, "spreadsheetml") || len(body) < 4 || string(body[:2]) != "PK" {
		t.Fatalf("workbook: %d %s %d bytes", code, ctype, len(body))
	}
	if code, _, _ := e.getRaw("/api/v1/reports/monthly?quarter=2026-Q4", "viewer"); code != 200 {
		t.Fatalf("quarter: %d", code)
	}
	if code, _, body := e.getRaw("/api/v1/reports/monthly?month=2026-11", "scj-editor"); code != 403 {
		t.Fatalf("department: %d %s", code, body)
	}
	for _, q := range []string{"", "?month=2026-13", "?month=2026-11&year=2026"} {
		if code, _, body := e.getRaw("/api/v1/reports/monthly"+q, "viewer"); code != 400 {
			t.Errorf("%q: %d %s", q, code, body)
		}
	}
	b := e.browser()
	b.login(e.tokens["viewer"])
	if code, page := b.get("/console/reports/monthly?month=2026-11&quarter=&year="); code != 200 || !strings.HasPrefix(page, "PK") {
		t.Fatalf("console workbook: %d", code)
	}
}

// TestConsoleStatsScope: an account's 统计 page is the department's own;
// another department's account is answered like a missing one, and the
// workbook (every account) is refused to a department.
func TestConsoleStatsScope(t *testing.T) {
	e := newAPI(t)
	scj := e.browser()
	scj.login(e.tokens["scj-editor"])
	if code, page := scj.get("/console/stats/scj-wx"); code != 200 || !strings.Contains(page, "青山市场监管") || !strings.Contains(page, `id="chart-trend"`) {
		t.Fatalf("own account: %d", code)
	}
	theirs, page1 := scj.get("/console/stats/fabu")
	missing, page2 := scj.get("/console/stats/nosuch")
	if theirs != 404 || missing != 404 || visibleText(t, page1) != visibleText(t, page2) {
		t.Fatalf("another department's account %d, a missing one %d", theirs, missing)
	}
	if code, _ := scj.get("/console/reports/monthly?month=2026-11"); code != 403 {
		t.Fatalf("a department's workbook: %d", code)
	}
	office := e.browser()
	office.login(e.tokens["viewer"])
	if code, page := office.get("/console/stats"); code != 200 || !strings.Contains(page, `data-chart="{`) || !strings.Contains(page, "粉丝总数") {
		t.Fatalf("统计: %d", code)
	}
}

// TestAddTask: the office registers a repost task through the API and the
// 巡检 form; a department may not; a past or unreadable due time and a
// missing title are refused with nothing written.
func TestAddTask(t *testing.T) {
	e := newAPI(t)
	due := time.Now().Add(48 * time.Hour).In(e.Config.Location).Format("2006-01-02 15:04")
	if code, _, raw := e.do("POST", "/api/v1/tasks", "editor", map[string]any{"title": "转载：全会精神", "url": "https://www.gov.cn/1.html", "due": due, "targets": "all"}); code != 201 {
		t.Fatalf("office: %d %s", code, raw)
	}
	for who, body := range map[string]map[string]any{
		"scj-editor": {"title": "部门登记", "due": due, "targets": "scj-wx"},
		"editor":     {"title": "已过期", "due": "2020-01-01 09:00", "targets": "all"},
	} {
		if code, _, raw := e.do("POST", "/api/v1/tasks", who, body); code != 403 && code != 422 {
			t.Errorf("%s %v: %d %s", who, body, code, raw)
		}
	}
	if code, _, _ := e.do("POST", "/api/v1/tasks", "editor", map[string]any{"due": due, "targets": "all"}); code != 422 {
		t.Errorf("no title: %d", code)
	}
	b := e.browser()
	b.login(e.tokens["editor"])
	code, page := b.post("/console/tasks", map[string][]string{"csrf": {b.csrf("/console/patrol")}, "title": {"转载：冬季安全"},
		"due": {strings.Replace(due, " ", "T", 1)}, "target": {"fabu"}})
	if code != 200 || !strings.Contains(page, "已登记转载任务") {
		t.Fatalf("console: %d %s", code, visibleText(t, page))
	}
	_, _, body := e.getRaw("/api/v1/tasks", "scj-editor")
	if !strings.Contains(string(body), "全会精神") || strings.Contains(string(body), "冬季安全") {
		t.Fatalf("the department's tasks: %s", body)
	}
	if tasks, _ := e.Store.Tasks(context.Background()); len(tasks) != 2 {
		t.Fatalf("%d tasks stored, want 2", len(tasks))
	}
}
