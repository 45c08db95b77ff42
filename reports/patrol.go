package reports

import (
	"context"
	"fmt"
	"strings"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// PatrolReport is what the 巡检 sheet shows: the patrol's findings in
// publications of the period, the update-rule breaches today, and the
// repost tasks due in the period.
type PatrolReport struct {
	Findings []storage.Finding
	Breaches map[string][]RuleStatus // account -> rules not met
	Tasks    []storage.Task
}

// buildPatrol gathers the 巡检 sheet's data for a period.
func buildPatrol(ctx context.Context, st *storage.Store, p Period, dormant []DormantRow) (*PatrolReport, error) {
	end := p.To.AddDate(0, 0, 1)
	fs, err := st.Findings(ctx, p.From, end, false)
	if err != nil {
		return nil, err
	}
	tasks, err := st.Tasks(ctx)
	if err != nil {
		return nil, err
	}
	r := &PatrolReport{Findings: fs, Breaches: map[string][]RuleStatus{}}
	for _, t := range tasks {
		if !t.Due.Before(p.From) && t.Due.Before(end) {
			r.Tasks = append(r.Tasks, t)
		}
	}
	for _, d := range dormant {
		if len(d.Breaches) > 0 {
			r.Breaches[d.Account] = d.Breaches
		}
	}
	return r, nil
}

// patrolSheet writes 巡检: findings (publication, problem, suggestion, link),
// update-rule breaches, and repost tasks with who did them.
func (m *Monthly) patrolSheet(wb *workbook, cfg *configs.Config) error {
	s, err := wb.newSheet("巡检", wb.title+"（巡检）", []column{{"账号ID", colText}, {"账号名称", colText}, {"发布日期", colDate},
		{"标题", colWrap}, {"问题", colText}, {"建议", colText}, {"上下文", colWrap}, {"链接", colWrap}})
	if err != nil {
		return err
	}
	name := func(id string) string {
		if a, ok := cfg.Account(id); ok {
			return a.Name
		}
		return ""
	}
	pr := m.Patrol
	if pr == nil {
		pr = &PatrolReport{}
	}
	s.sectionRow(fmt.Sprintf("一、已发布内容中的错敏词与领导姓名错误（%d 处）", len(pr.Findings)))
	s.headerRow()
	for _, f := range pr.Findings {
		s.add(f.Account, name(f.Account), f.PublishedAt.In(cfg.Location), f.Title, f.Term, f.Suggestion, f.Context, f.URL)
	}
	if len(pr.Findings) == 0 {
		s.add("", "", nil, "本期巡检未发现问题（herald patrol 读取各账号在平台上的全部发布内容后检查）")
	}
	s.sectionRow("二、未达到更新要求的账号")
	s.headerRow()
	n := 0
	for _, a := range cfg.Accounts {
		for _, b := range pr.Breaches[a.ID] {
			s.add(a.ID, a.Name, nil, b.Rule, fmt.Sprintf("近%d天发布%d条", b.Days, b.Posts), fmt.Sprintf("至少%d条", b.MinPosts), "", "")
			n++
		}
	}
	if n == 0 {
		s.add("", "", nil, "全部账号均达到更新要求")
	}
	s.sectionRow(fmt.Sprintf("三、上级转载任务（本期截止 %d 项）", len(pr.Tasks)))
	s.headerRow()
	states := map[string]string{storage.TaskDone: "已转载", storage.TaskLate: "逾期转载", storage.TaskMissing: "未转载", storage.TaskPending: "待转载"}
	for _, t := range pr.Tasks {
		for _, a := range t.Accounts {
			var at any
			if a.PublishedAt != nil {
				at = a.PublishedAt.In(cfg.Location)
			}
			s.add(a.Account, name(a.Account), at, t.Title, states[a.State], "截止 "+t.Due.In(cfg.Location).Format("2006-01-02 15:04"), "", strings.TrimSpace(firstNonEmpty(a.URL, t.URL)))
		}
	}
	if len(pr.Tasks) == 0 {
		s.add("", "", nil, "本期没有到期的转载任务")
	}
	return s.finish()
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
