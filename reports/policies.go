package reports

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/notify"
	"github.com/herald-gov/herald/policies"
	"github.com/herald-gov/herald/storage"
)

// PolicyCoverage is the 政策解读 sheet's content.
type PolicyCoverage struct {
	// Rows are the policies dated in the period, and earlier ones of the
	// same year still without a published 解读 or 图解.
	Rows []policies.View
	// LinkedGraphics counts the policy graphics (items of kind graphic
	// linked to a policy) first published in the period's year up to its
	// end: what reports.graphics_target is measured against.
	LinkedGraphics int
}

// buildPolicies computes the 政策解读 sheet for a period.
func buildPolicies(ctx context.Context, cfg *configs.Config, st *storage.Store, p Period, now time.Time) (*PolicyCoverage, error) {
	// Statuses as they stood at the period's end (or now, if earlier).
	at := p.To.AddDate(0, 0, 1)
	if now.Before(at) {
		at = now
	}
	views, err := policies.List(ctx, cfg, st, at)
	if err != nil {
		return nil, err
	}
	from, to := p.From.Format("2006-01-02"), p.To.Format("2006-01-02")
	yearStart := time.Date(p.To.Year(), 1, 1, 0, 0, 0, 0, cfg.Location)
	end := p.To.AddDate(0, 0, 1)
	pc := &PolicyCoverage{}
	counted := map[int64]bool{}
	for _, v := range views {
		for _, it := range v.Items {
			if it.Kind == "graphic" && it.Published != nil && !it.Published.Before(yearStart) && it.Published.Before(end) && !counted[it.ID] {
				counted[it.ID] = true
				pc.LinkedGraphics++
			}
		}
		if v.Date <= to && (v.Date >= from || v.Status != policies.StatusCovered && v.Date >= yearStart.Format("2006-01-02")) {
			pc.Rows = append(pc.Rows, v)
		}
	}
	return pc, nil
}

// policySheet writes 政策解读: the period's policies and their 解读/图解,
// and the year's graphics linked to policies against the yearly target.
func (m *Monthly) policySheet(wb *workbook, cfg *configs.Config) error {
	if m.Policies == nil {
		return nil
	}
	s, err := wb.newSheet("政策解读", wb.title+"（政策解读）", []column{{"政策ID", colText}, {"文件标题", colWrap}, {"发文机关", colWrap},
		{"文号", colText}, {"日期", colText}, {"解读稿件", colText}, {"图解稿件", colText}, {"首次发布", colText}, {"解读期限", colText},
		{"状态", colText}, {"原文链接", colWrap}})
	if err != nil {
		return err
	}
	pc := m.Policies
	count := map[string]int{}
	for _, v := range pc.Rows {
		count[v.Status]++
	}
	year := m.Period.To.Year()
	s.labelValue(fmt.Sprintf("本期政策文件（件，含本年此前尚未解读的）；解读期限为发布后 %d 个工作日", cfg.Policies.InterpretWithin), len(pc.Rows), colCount)
	s.labelValue("其中已解读（件）", count[policies.StatusCovered], colCount)
	s.labelValue("其中待解读（件）", count[policies.StatusPending], colCount)
	s.labelValue("其中逾期未解读（件）", count[policies.StatusOverdue], colCount)
	s.labelValue(fmt.Sprintf("%d年已发布的政策图解（篇，关联政策的图解）", year), pc.LinkedGraphics, colCount)
	s.labelValue(fmt.Sprintf("%d年度图解目标（篇）", year), m.Target, colCount)
	rate := 0.0
	if m.Target > 0 {
		rate = float64(pc.LinkedGraphics) / float64(m.Target)
	}
	s.labelValue("年度目标完成率", rate, colPct)
	s.headerRow()
	for _, v := range pc.Rows {
		var articles, graphics []string
		for _, it := range v.Items {
			if it.Kind == "graphic" {
				graphics = append(graphics, strconv.FormatInt(it.ID, 10))
			} else {
				articles = append(articles, strconv.FormatInt(it.ID, 10))
			}
		}
		first := ""
		if v.CoveredAt != nil {
			first = v.CoveredAt.In(cfg.Location).Format("2006-01-02 15:04")
		}
		s.add(v.ID, v.Title, v.Issuer, v.DocNumber, v.Date, strings.Join(articles, ","), strings.Join(graphics, ","),
			first, v.Deadline, v.Label(), v.URL)
	}
	if len(pc.Rows) == 0 {
		s.add(nil, "本期没有政策文件（policies.sources 中的县政府网站政策文件栏目）")
	}
	return s.finish()
}

// NotifyPolicies tells the group robot about policies that newly need a
// 解读 or 图解 and about those that became overdue, each once; a run that
// finds nothing new sends nothing. It returns whether a message was sent.
func NotifyPolicies(ctx context.Context, cfg *configs.Config, st *storage.Store, robot Sender, now time.Time) (bool, error) {
	if robot == nil {
		return false, nil
	}
	views, err := policies.List(ctx, cfg, st, now)
	if err != nil {
		return false, err
	}
	type notice struct{ key, value, line string }
	var fresh []notice
	for _, v := range views {
		if v.Status == policies.StatusCovered {
			continue
		}
		key := "policy-notice:" + strconv.FormatInt(v.ID, 10)
		if prev, err := st.GetValue(ctx, key); err == nil && prev == v.Status {
			continue
		}
		title, issuer, number := notify.Flat(v.Title), notify.Flat(v.Issuer), notify.Flat(v.DocNumber)
		line := fmt.Sprintf("待解读：《%s》（%s%s，%s），请于 %s 前发布解读或图解", title, issuer, prefixed("，", number), v.Date, v.Deadline)
		if v.Status == policies.StatusOverdue {
			line = fmt.Sprintf("已逾期：《%s》（%s%s，%s）应于 %s 前发布解读或图解，至今未发布", title, issuer, prefixed("，", number), v.Date, v.Deadline)
		}
		fresh = append(fresh, notice{key, v.Status, line})
	}
	if len(fresh) == 0 {
		return false, nil
	}
	var b strings.Builder
	b.WriteString("【herald 政策解读提醒】按政策文件与解读材料同步发布的要求：\n")
	const maxLines = 20
	for i, n := range fresh {
		if i == maxLines {
			fmt.Fprintf(&b, "……等共 %d 件，详见 herald policy list 或控制台“政策”页\n", len(fresh))
			break
		}
		b.WriteString("· " + n.line + "\n")
	}
	if err := robot.Send(ctx, b.String()); err != nil {
		return false, fmt.Errorf("reports: %w", err)
	}
	for _, n := range fresh { // remembered only once the robot took the message
		if err := st.SetValue(ctx, n.key, n.value, 0); err != nil {
			return true, err
		}
	}
	return true, nil
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}
