package reports

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/policies"
	"github.com/herald-gov/herald/storage"
)

// PolicyCoverage is the 政策解读 sheet's content.
type PolicyCoverage struct {
	// Rows are the policies dated in the period, and earlier ones still
	// without a published 解读 or 图解.
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
		if v.Date <= to && (v.Date >= from || v.Status != policies.StatusCovered) {
			pc.Rows = append(pc.Rows, v)
		}
	}
	return pc, nil
}

var policyHeader = []string{"政策ID", "文件标题", "发文机关", "文号", "日期", "解读（稿件）", "图解（稿件）", "首次发布", "解读期限", "状态", "原文链接"}

// writePolicies adds the 政策解读 sheet: the yearly policy-graphic target
// against graphics linked to policies, then one row per policy.
func (m *Monthly) writePolicies(f *excelize.File, cfg *configs.Config, bold int) error {
	const name = "政策解读"
	if m.Policies == nil {
		return nil
	}
	if _, err := f.NewSheet(name); err != nil {
		return err
	}
	set := func(col, row int, v any) {
		cell, _ := excelize.CoordinatesToCellName(col, row)
		f.SetCellValue(name, cell, v)
	}
	pc := m.Policies
	covered, pending, overdue := 0, 0, 0
	for _, v := range pc.Rows {
		switch v.Status {
		case policies.StatusCovered:
			covered++
		case policies.StatusOverdue:
			overdue++
		default:
			pending++
		}
	}
	set(1, 1, fmt.Sprintf("%s 政策文件 %d 件：已解读 %d，待解读 %d，逾期 %d（期限为发布后 %d 个工作日）", m.Period.Label, len(pc.Rows), covered, pending, overdue, cfg.Policies.InterpretWithin))
	set(1, 2, fmt.Sprintf("%d年已发布政策图解（关联政策的图解）", m.Period.To.Year()))
	set(4, 2, pc.LinkedGraphics)
	set(5, 2, "年度目标")
	set(6, 2, m.Target)
	if m.Target > 0 {
		set(7, 2, "完成率")
		set(8, 2, float64(pc.LinkedGraphics)/float64(m.Target))
		pct, _ := f.NewStyle(&excelize.Style{NumFmt: 10})
		f.SetCellStyle(name, "H2", "H2", pct)
	}
	for i, h := range policyHeader {
		set(i+1, 4, h)
	}
	last, _ := excelize.CoordinatesToCellName(len(policyHeader), 4)
	f.SetCellStyle(name, "A4", last, bold)
	for i, w := range []float64{8, 48, 22, 20, 12, 14, 14, 18, 12, 10, 40} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		f.SetColWidth(name, col, col, w)
	}
	for i, v := range pc.Rows {
		r := i + 5
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
		for c, val := range []any{v.ID, v.Title, v.Issuer, v.DocNumber, v.Date, strings.Join(articles, ","), strings.Join(graphics, ","),
			first, v.Deadline, v.Label(), v.URL} {
			set(c+1, r, val)
		}
	}
	return f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 4, TopLeftCell: "A5", ActivePane: "bottomLeft"})
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
		line := fmt.Sprintf("待解读：《%s》（%s%s，%s），请于 %s 前发布解读或图解", v.Title, v.Issuer, prefixed("，", v.DocNumber), v.Date, v.Deadline)
		if v.Status == policies.StatusOverdue {
			line = fmt.Sprintf("已逾期：《%s》（%s%s，%s）应于 %s 前发布解读或图解，至今未发布", v.Title, v.Issuer, prefixed("，", v.DocNumber), v.Date, v.Deadline)
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
