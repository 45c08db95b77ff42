package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/storage"
)

func TestPatrolPageListsFindingsWithLinks(t *testing.T) {
	e := newAPI(t)
	ctx := context.Background()
	url := "https://mp.weixin.qq.com/s/sbx_patrol_page"
	if err := e.Store.SavePublications(ctx, "fabu", []storage.Publication{{RemoteID: url, Title: "县委常委会召开", URL: url,
		Text: "<p>县委书记王建华主持。</p>", PublishedAt: time.Now().Add(-time.Hour)}}, time.Now().AddDate(0, 0, -30), true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.RecordFindings(ctx, []storage.Finding{{Account: "fabu", RemoteID: url, Term: "王建华", Suggestion: "王建国", Level: "block",
		Kind: "leader", Position: 9, Context: "县委书记王建华主持。"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.AddTask(ctx, storage.Task{Title: "转载任务甲", Due: time.Now().Add(time.Hour), Targets: "all"}, []string{"fabu", "scj-wx"}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login(e.tokens["viewer"])
	code, page := b.get("/console/patrol")
	if code != 200 {
		t.Fatalf("patrol page: %d %s", code, page)
	}
	for _, want := range []string{"巡检", `href="` + url + `"`, "县委常委会召开", "王建华", "王建国", "转载任务甲", "待转载"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// A department sees only its own accounts.
	d := e.browser()
	d.login(e.tokens["scj-editor"])
	if _, page := d.get("/console/patrol"); strings.Contains(page, "王建华") || !strings.Contains(page, "转载任务甲") {
		t.Errorf("the department's page shows another department's finding, or not its own task")
	}
}
