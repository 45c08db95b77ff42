package patrol

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/reports"
)

// The monthly workbook's 巡检 sheet lists the findings with their links, the
// update-rule breaches and the repost tasks.
func TestMonthlyWorkbookPatrolSheet(t *testing.T) {
	e := newEnv(t, 2, 0, "patrol:\n  update_rules:\n    - {targets: wx001, days: 7, min_posts: 2}\n")
	ctx := context.Background()
	bad := place(t, e, "wxapp000", sandbox.HandArticle{Title: "县委常委会召开", Content: "<p>县委书记王建华主持。</p>", At: e.Clock.Now().Add(-48 * time.Hour)})
	if _, err := e.p.AddTask(ctx, "县委常委会召开", "", e.Clock.Now().Add(time.Hour), "all"); err != nil {
		t.Fatal(err)
	}
	from, to := e.window()
	if _, err := e.p.Run(ctx, from, to, nil); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(2 * time.Hour)
	if _, _, err := e.p.UpdateTasks(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := reports.ParseMonth("2026-11", e.Config.Location)
	if err != nil {
		t.Fatal(err)
	}
	m, err := reports.BuildMonthly(ctx, e.Config, e.Store, p, e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.WriteWorkbook(&buf, e.Config); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("巡检")
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, r := range rows {
		all = append(all, strings.Join(r, "|"))
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{"wx000|公众号0|", "王建华|王建国", bad.URL, "wx001|公众号1||每周至少2条|近7天发布0条", "已转载", "未转载"} {
		if !strings.Contains(text, want) {
			t.Errorf("巡检 sheet lacks %q:\n%s", want, text)
		}
	}
}
