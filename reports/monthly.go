package reports

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/herald-gov/herald/channels/weibo"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// Period is a reporting period: a month or a quarter, local dates inclusive.
type Period struct {
	Label    string // 2026-11 or 2026-Q4
	From, To time.Time
}

// ParseMonth parses YYYY-MM.
func ParseMonth(s string, loc *time.Location) (Period, error) {
	t, err := time.ParseInLocation("2006-01", s, loc)
	if err != nil {
		return Period{}, fmt.Errorf("月份 %q 应写成 2026-11", s)
	}
	return Period{Label: s, From: t, To: t.AddDate(0, 1, -1)}, nil
}

// ParseQuarter parses YYYY-Qn.
func ParseQuarter(s string, loc *time.Location) (Period, error) {
	y, q, ok := strings.Cut(strings.ToUpper(s), "-Q")
	year, err1 := strconv.Atoi(y)
	n, err2 := strconv.Atoi(q)
	if !ok || err1 != nil || err2 != nil || n < 1 || n > 4 {
		return Period{}, fmt.Errorf("季度 %q 应写成 2026-Q4", s)
	}
	from := time.Date(year, time.Month(3*n-2), 1, 0, 0, 0, 0, loc)
	return Period{Label: s, From: from, To: from.AddDate(0, 3, -1)}, nil
}

func (p Period) days() []string {
	var out []string
	for d := p.From; !d.After(p.To); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format("2006-01-02"))
	}
	return out
}

// SummaryRow is one account's line on the 汇总 sheet.
type SummaryRow struct {
	Account, Name, Platform, Groups string
	Followers                       *int64 // at the period's end (the last stored day)
	NetGrowth, Posts, Reads         int64
	Shares, Likes                   int64
	Index                           float64
	MissingDays                     []string
}

// Monthly is everything the workbook shows, computed from the store.
type Monthly struct {
	Period   Period
	Summary  []SummaryRow
	Dormant  []DormantRow
	Graphics []storage.PublishedItem // policy graphics first published this year up to the period's end
	Reach    []storage.PublishedItem // items sent to a whole group, first published in the period
	Detail   []storage.DailyStat
	Target   int
	Warnings []string // 预警 lines beyond dormancy: tokens, credentials

	// Policies is the 政策解读 sheet (reports/policies.go).
	Policies *PolicyCoverage
}

// BuildMonthly computes the report for a period from stored data; it
// collects nothing.
func BuildMonthly(ctx context.Context, cfg *configs.Config, st *storage.Store, p Period, now time.Time) (*Monthly, error) {
	m := &Monthly{Period: p, Target: cfg.Reports.GraphicsTarget}
	from, to := p.From.Format("2006-01-02"), p.To.Format("2006-01-02")
	var err error
	if m.Detail, err = st.AllDailyStats(ctx, from, to); err != nil {
		return nil, err
	}
	byAccount := map[string][]storage.DailyStat{}
	for _, r := range m.Detail {
		byAccount[r.Account] = append(byAccount[r.Account], r)
	}
	accounts, err := st.Accounts(ctx, true)
	if err != nil {
		return nil, err
	}
	for _, a := range accounts {
		rows := byAccount[a.ID]
		if !a.Active && len(rows) == 0 {
			continue
		}
		s := SummaryRow{Account: a.ID, Name: a.Name, Platform: a.Platform, Groups: strings.Join(a.Groups, ",")}
		have := map[string]bool{}
		for _, r := range rows {
			if r.Followers != nil {
				s.Followers = r.Followers // rows are in date order: the last one stays
				have[r.Date] = true
			}
			s.NetGrowth += val64(r.NewFollowers) - val64(r.LostFollowers)
			s.Posts += val64(r.Posts)
			s.Reads += val64(r.Reads)
			s.Shares += val64(r.Shares)
			s.Likes += val64(r.Likes)
		}
		for _, d := range p.days() {
			if !have[d] && d <= now.In(cfg.Location).AddDate(0, 0, -1).Format("2006-01-02") {
				s.MissingDays = append(s.MissingDays, d)
			}
		}
		if a.Platform == configs.PlatformWeibo {
			rp, cm, lk, err := st.PostTotals(ctx, a.ID, from, to)
			if err != nil {
				return nil, err
			}
			s.Index = BCI(float64(s.Posts), float64(rp), float64(cm), float64(lk))
		} else {
			s.Index = WCIFromDaily(rows)
		}
		m.Summary = append(m.Summary, s)
	}
	if m.Dormant, err = Dormant(ctx, cfg, st, now); err != nil {
		return nil, err
	}
	for _, a := range accounts {
		if a.Active && a.Health == storage.HealthUnhealthy {
			m.Warnings = append(m.Warnings, a.ID+"|凭据异常|"+a.HealthMessage)
		}
	}
	for i := range cfg.Accounts {
		acct := &cfg.Accounts[i]
		if days, ok := weibo.TokenDaysLeft(acct, now, cfg.Location); ok && days <= weibo.ExpiryWarnDays {
			m.Warnings = append(m.Warnings, fmt.Sprintf("%s|微博授权即将到期|%d 天后到期（%s），请重新授权", acct.ID, days, acct.TokenExpires))
		}
	}
	yearStart := time.Date(p.To.Year(), 1, 1, 0, 0, 0, 0, cfg.Location)
	end := p.To.AddDate(0, 0, 1)
	items, err := st.PublishedItems(ctx, yearStart, end)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.Kind == "graphic" {
			m.Graphics = append(m.Graphics, it)
		}
		if !it.FirstPublished.Before(p.From) && (it.Targets == "all" || strings.HasPrefix(it.Targets, "group:")) {
			m.Reach = append(m.Reach, it)
		}
	}
	if m.Policies, err = buildPolicies(ctx, cfg, st, p, now); err != nil {
		return nil, err
	}
	return m, nil
}

func val64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// Sheet names and the 汇总 header (design.md fixes its first columns).
var (
	summaryHeader = []string{"账号ID", "账号名称", "平台", "分组", "月末粉丝数", "净增粉丝", "发布数", "阅读数", "分享数", "点赞数", "指数", "缺数据天数", "缺数据日期"}
	rankHeader    = []string{"分组", "名次", "账号ID", "账号名称", "平台", "指数"}
	warnHeader    = []string{"账号ID", "账号名称", "类型", "说明"}
	detailHeader  = []string{"日期", "账号ID", "平台", "粉丝数", "新增粉丝", "取关", "发布数", "阅读数", "分享数", "点赞数", "在看", "评论数"}
)

// WriteWorkbook writes the report as an XLSX workbook with the sheets 汇总,
// 排名, 预警, 图解, 转载, 明细: Chinese headers, column widths, frozen header rows.
func (m *Monthly) WriteWorkbook(w io.Writer, cfg *configs.Config) error {
	f := excelize.NewFile()
	defer f.Close()
	names := map[string]string{}
	for _, a := range m.Summary {
		names[a.Account] = a.Name
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"FBEAEA"}, Pattern: 1}})
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	idx, _ := f.NewStyle(&excelize.Style{NumFmt: 2})
	sheet := func(name string, header []string, widths []float64) error {
		if name == "汇总" {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		for i, h := range header {
			cell, _ := excelize.CoordinatesToCellName(i+1, 1)
			f.SetCellValue(name, cell, h)
			col, _ := excelize.ColumnNumberToName(i + 1)
			width := 12.0
			if i < len(widths) {
				width = widths[i]
			}
			f.SetColWidth(name, col, col, width)
		}
		last, _ := excelize.CoordinatesToCellName(len(header), 1)
		f.SetCellStyle(name, "A1", last, bold)
		return f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	row := func(name string, r int, values ...any) {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		f.SetSheetRow(name, cell, &values)
	}
	nullable := func(p *int64) any {
		if p == nil {
			return nil
		}
		return *p
	}

	if err := sheet("汇总", summaryHeader, []float64{16, 16, 8, 14, 12, 10, 8, 10, 8, 8, 10, 10, 40}); err != nil {
		return err
	}
	for i, s := range m.Summary {
		missing := strings.Join(s.MissingDays, ",")
		row("汇总", i+2, s.Account, s.Name, s.Platform, s.Groups, nullable(s.Followers), s.NetGrowth, s.Posts, s.Reads, s.Shares, s.Likes,
			round2(s.Index), len(s.MissingDays), missing)
		cell, _ := excelize.CoordinatesToCellName(11, i+2)
		f.SetCellStyle("汇总", cell, cell, idx)
	}
	// Say how the index was computed and which inputs were approximated.
	row("汇总", len(m.Summary)+3, "注：微信账号指数为 WCI（清博 V14.2），微博账号为 BCI。"+strings.Join(WCIApproximations, "；")+"。")

	if err := sheet("排名", rankHeader, []float64{14, 6, 16, 16, 8, 10}); err != nil {
		return err
	}
	r := 2
	for _, g := range rankGroups(cfg, m.Summary) {
		for rank, s := range g.rows {
			row("排名", r, g.title, rank+1, s.Account, s.Name, s.Platform, round2(s.Index))
			r++
		}
	}

	if err := sheet("预警", warnHeader, []float64{16, 16, 18, 60}); err != nil {
		return err
	}
	r = 2
	for _, d := range m.Dormant {
		if d.Level == LevelOK {
			continue
		}
		what := "从未发布"
		if d.DaysSince != nil {
			what = fmt.Sprintf("已 %d 天未更新（最近发布 %s）", *d.DaysSince, d.LastPublished.Format("2006-01-02"))
		}
		kind := "两周无更新（单项否决）"
		if d.Level == LevelWarn {
			kind = "长期未更新（预警）"
		}
		row("预警", r, d.Account, d.Name, kind, what)
		r++
	}
	for _, w := range m.Warnings {
		parts := strings.SplitN(w, "|", 3)
		row("预警", r, parts[0], names[parts[0]], parts[1], parts[2])
		r++
	}

	if err := sheet("图解", []string{"稿件ID", "政策图解标题", "首次发布", "发布账号数"}, []float64{10, 40, 14, 12}); err != nil {
		return err
	}
	row("图解", 2, "年度目标", nil, nil, m.Target)
	row("图解", 3, fmt.Sprintf("%d年已发布", m.Period.To.Year()), nil, nil, len(m.Graphics))
	rate := 0.0
	if m.Target > 0 {
		rate = float64(len(m.Graphics)) / float64(m.Target)
	}
	row("图解", 4, "完成率", nil, nil, rate)
	pct, _ := f.NewStyle(&excelize.Style{NumFmt: 10})
	f.SetCellStyle("图解", "D4", "D4", pct)
	for i, g := range m.Graphics {
		row("图解", i+6, g.ItemID, g.Title, excelDate(g.FirstPublished.In(cfg.Location)), g.Published)
		cell, _ := excelize.CoordinatesToCellName(3, i+6)
		f.SetCellStyle("图解", cell, cell, dateStyle)
	}

	if err := sheet("转载", []string{"稿件ID", "标题", "目标", "目标账号数", "已发布账号数", "转载率"}, []float64{10, 40, 16, 12, 12, 10}); err != nil {
		return err
	}
	for i, it := range m.Reach {
		share := 0.0
		if it.Deliveries > 0 {
			share = float64(it.Published) / float64(it.Deliveries)
		}
		row("转载", i+2, it.ItemID, it.Title, it.Targets, it.Deliveries, it.Published, share)
		cell, _ := excelize.CoordinatesToCellName(6, i+2)
		f.SetCellStyle("转载", cell, cell, pct)
	}

	if err := sheet("明细", detailHeader, []float64{12, 16, 8}); err != nil {
		return err
	}
	platforms := map[string]string{}
	for _, s := range m.Summary {
		platforms[s.Account] = s.Platform
	}
	for i, d := range m.Detail {
		t, _ := time.ParseInLocation("2006-01-02", d.Date, time.UTC)
		row("明细", i+2, excelDate(t), d.Account, platforms[d.Account], nullable(d.Followers), nullable(d.NewFollowers), nullable(d.LostFollowers),
			nullable(d.Posts), nullable(d.Reads), nullable(d.Shares), nullable(d.Likes), nullable(d.Zaikan), nullable(d.Comments))
	}
	if len(m.Detail) > 0 {
		last, _ := excelize.CoordinatesToCellName(1, len(m.Detail)+1)
		f.SetCellStyle("明细", "A2", last, dateStyle)
	}
	if err := m.writeCharts(f, cfg, bold); err != nil {
		return err
	}
	if err := m.writePolicies(f, cfg, bold); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err := f.WriteTo(w)
	return err
}

// writeCharts adds the 图表 sheet: per-group daily followers and reads as
// tables and as native line charts (a clerk can restyle or copy them).
func (m *Monthly) writeCharts(f *excelize.File, cfg *configs.Config, bold int) error {
	const name = "图表"
	if _, err := f.NewSheet(name); err != nil {
		return err
	}
	groups := rankGroups(cfg, m.Summary)
	days := m.Period.days()
	groupOf := map[string][]string{}
	for _, g := range groups {
		for _, s := range g.rows {
			groupOf[s.Account] = append(groupOf[s.Account], g.title)
		}
	}
	followers := map[string]map[string]int64{} // group -> date -> sum
	reads := map[string]map[string]int64{}
	for _, g := range groups {
		followers[g.title], reads[g.title] = map[string]int64{}, map[string]int64{}
	}
	for _, r := range m.Detail {
		for _, g := range groupOf[r.Account] {
			followers[g][r.Date] += val64(r.Followers)
			reads[g][r.Date] += val64(r.Reads)
		}
	}
	// Two tables side by side: followers from column A, reads after a gap.
	readsCol := len(groups) + 3
	f.SetCellValue(name, "A1", "日期（粉丝数）")
	c, _ := excelize.CoordinatesToCellName(readsCol, 1)
	f.SetCellValue(name, c, "日期（阅读数）")
	for gi, g := range groups {
		c1, _ := excelize.CoordinatesToCellName(gi+2, 1)
		c2, _ := excelize.CoordinatesToCellName(readsCol+gi+1, 1)
		f.SetCellValue(name, c1, g.title)
		f.SetCellValue(name, c2, g.title)
	}
	last, _ := excelize.CoordinatesToCellName(readsCol+len(groups), 1)
	f.SetCellStyle(name, "A1", last, bold)
	for di, d := range days {
		r := di + 2
		c1, _ := excelize.CoordinatesToCellName(1, r)
		c2, _ := excelize.CoordinatesToCellName(readsCol, r)
		f.SetCellValue(name, c1, d)
		f.SetCellValue(name, c2, d)
		for gi, g := range groups {
			if v, ok := followers[g.title][d]; ok {
				cell, _ := excelize.CoordinatesToCellName(gi+2, r)
				f.SetCellValue(name, cell, v)
			}
			if v, ok := reads[g.title][d]; ok {
				cell, _ := excelize.CoordinatesToCellName(readsCol+gi+1, r)
				f.SetCellValue(name, cell, v)
			}
		}
	}
	if len(groups) == 0 || len(days) == 0 {
		return nil
	}
	lastRow := len(days) + 1
	series := func(firstCol int) []excelize.ChartSeries {
		var out []excelize.ChartSeries
		dateCol, _ := excelize.ColumnNumberToName(firstCol - 1)
		for gi := range groups {
			col, _ := excelize.ColumnNumberToName(firstCol + gi)
			out = append(out, excelize.ChartSeries{
				Name:       fmt.Sprintf("'%s'!$%s$1", name, col),
				Categories: fmt.Sprintf("'%s'!$%s$2:$%s$%d", name, dateCol, dateCol, lastRow),
				Values:     fmt.Sprintf("'%s'!$%s$2:$%s$%d", name, col, col, lastRow),
			})
		}
		return out
	}
	anchor, _ := excelize.CoordinatesToCellName(readsCol+len(groups)+2, 2)
	err := f.AddChart(name, anchor, &excelize.Chart{Type: excelize.Line, Series: series(2),
		Title: []excelize.RichTextRun{{Text: m.Period.Label + " 各分组粉丝数"}}, Dimension: excelize.ChartDimension{Width: 640, Height: 300}})
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	anchor, _ = excelize.CoordinatesToCellName(readsCol+len(groups)+2, 19)
	err = f.AddChart(name, anchor, &excelize.Chart{Type: excelize.Line, Series: series(readsCol + 1),
		Title: []excelize.RichTextRun{{Text: m.Period.Label + " 各分组阅读数"}}, Dimension: excelize.ChartDimension{Width: 640, Height: 300}})
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	return nil
}

// excelDate is a calendar date as an Excel serial (days since 1899-12-30).
func excelDate(t time.Time) float64 {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return d.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }

type rankGroup struct {
	title string
	rows  []SummaryRow
}

// rankGroups orders accounts by index inside each group (the config's group
// order, then any others), an account in several groups ranked in each.
func rankGroups(cfg *configs.Config, summary []SummaryRow) []rankGroup {
	var order []string
	titles := map[string]string{}
	for _, g := range cfg.Groups {
		order = append(order, g.Name)
		titles[g.Name] = g.Title
	}
	members := map[string][]SummaryRow{}
	for _, s := range summary {
		groups := strings.Split(s.Groups, ",")
		if s.Groups == "" {
			groups = []string{"未分组"}
		}
		for _, g := range groups {
			if !slices.Contains(order, g) {
				order = append(order, g)
			}
			members[g] = append(members[g], s)
		}
	}
	var out []rankGroup
	for _, g := range order {
		rows := members[g]
		if len(rows) == 0 {
			continue
		}
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Index > rows[j].Index })
		title := titles[g]
		if title == "" {
			title = g
		}
		out = append(out, rankGroup{title, rows})
	}
	return out
}
