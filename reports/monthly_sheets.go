package reports

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// The monthly workbook: one function per sheet. A new sheet is a method of
// the form func(*workbook, *configs.Config) error, written with
// wb.newSheet, s.headerRow, s.add and s.finish, and one line in
// sheetBuilders.

// sheetBuilder writes one sheet of the report workbook.
type sheetBuilder func(wb *workbook, cfg *configs.Config) error

// sheetBuilders are the workbook's sheets in order.
func (m *Monthly) sheetBuilders() []sheetBuilder {
	return []sheetBuilder{
		m.summarySheet,     // 汇总
		m.monthSheets,      // 10月, 11月, 12月 (quarter and year only)
		m.rankSheet,        // 排名
		m.warnSheet,        // 预警
		m.graphicsSheet,    // 图解
		m.reachSheet,       // 转载
		m.detailSheet,      // 明细
		m.chartSheets,      // 图表, 图表数据
		m.patrolSheet,      // 巡检 (patrol.go)
		m.policySheet,      // 政策解读 (reports/policies.go)
		m.interactionSheet, // 互动 (reports/interaction.go)
	}
}

// ReportTitle is the title of a report workbook's sheets:
// 青山县政务新媒体2026年11月运行情况统计表.
func ReportTitle(cfg *configs.Config, p Period) string {
	return cfg.ReportRegion() + "政务新媒体" + p.Title() + "运行情况统计表"
}

// WriteWorkbook writes the report as a print-ready XLSX workbook: 汇总,
// a 汇总 per month for a quarter or a year, 排名, 预警, 图解, 转载, 明细,
// 图表 and 图表数据.
func (m *Monthly) WriteWorkbook(w io.Writer, cfg *configs.Config) error {
	wb, err := newWorkbook(ReportTitle(cfg, m.Period), cfg.ReportUnit(), m.Made)
	if err != nil {
		return err
	}
	defer wb.f.Close()
	for _, build := range m.sheetBuilders() {
		if err := build(wb, cfg); err != nil {
			return err
		}
	}
	return wb.write(w)
}

// summaryColumns: design.md fixes the first eleven.
func summaryColumns() []column {
	return []column{{"账号ID", colText}, {"账号名称", colText}, {"平台", colText}, {"分组", colText},
		{"月末粉丝数", colCount}, {"净增粉丝", colDelta}, {"发布数", colCount}, {"阅读数", colCount}, {"分享数", colCount},
		{"点赞数", colCount}, {"指数", colIndex}, {"缺数据天数", colCount}, {"缺数据日期", colWrap}}
}

var platformNames = map[string]string{configs.PlatformWeChat: "微信", configs.PlatformWeibo: "微博"}

func platformName(p string) string {
	if n, ok := platformNames[p]; ok {
		return n
	}
	return p
}

func (m *Monthly) summarySheet(wb *workbook, cfg *configs.Config) error {
	return writeSummary(wb, cfg, "汇总", wb.title, m.Summary, interactionNote(m.Interaction))
}

// monthSheets writes, for a quarter or a year, each month's 汇总.
func (m *Monthly) monthSheets(wb *workbook, cfg *configs.Config) error {
	for _, ms := range m.Months {
		name := fmt.Sprintf("%d月", int(ms.Period.From.Month()))
		if err := writeSummary(wb, cfg, name, ReportTitle(cfg, ms.Period), ms.Summary, interactionNote(ms.Interaction)); err != nil {
			return err
		}
	}
	return nil
}

// writeSummary writes a sheet in 汇总 form: a line per account, a 合计
// line, and how the index is computed.
func writeSummary(wb *workbook, cfg *configs.Config, name, title string, rows []SummaryRow, extra string) error {
	s, err := wb.newSheet(name, title, summaryColumns())
	if err != nil {
		return err
	}
	s.headerRow()
	titles := groupTitles(cfg)
	var total SummaryRow
	for _, r := range rows {
		var groups []string
		for _, g := range strings.Split(r.Groups, ",") {
			if g == "" {
				continue
			}
			if t := titles[g]; t != "" {
				g = t
			}
			groups = append(groups, g)
		}
		figure := func(v int64, bit figureSet) any {
			if r.given&bit == 0 {
				return nil // the platform gives no such figure: empty, never 0
			}
			return v
		}
		s.add(r.Account, r.Name, platformName(r.Platform), strings.Join(groups, "、"), r.Followers,
			figure(r.NetGrowth, givenNet), figure(r.Posts, givenPosts), figure(r.Reads, givenReads),
			figure(r.Shares, givenShares), figure(r.Likes, givenLikes), r.Index, len(r.MissingDays), strings.Join(r.MissingDays, "、"))
		total.NetGrowth += r.NetGrowth
		total.Posts += r.Posts
		total.Reads += r.Reads
		total.Shares += r.Shares
		total.Likes += r.Likes
		if r.Followers != nil {
			if total.Followers == nil {
				total.Followers = new(int64)
			}
			*total.Followers += *r.Followers
		}
	}
	s.add("合计", fmt.Sprintf("%d 个账号", len(rows)), nil, nil, total.Followers, total.NetGrowth, total.Posts, total.Reads,
		total.Shares, total.Likes)
	s.noteRow("注：微信账号指数为 WCI（清博 V14.2），微博账号为 BCI。" + strings.Join(WCIApproximations, "；") +
		"。空白表示平台不提供该项数据（微博不提供历史粉丝数，月末粉丝数为当月最后一次采集的快照）。" + CollectHint(rows) + extra)
	return s.finish()
}

// rankSheet writes 排名: the WeChat accounts by WCI and the Weibo accounts
// by BCI in two tables, each account's rank inside its group next to its
// rank and followers in the previous period.
func (m *Monthly) rankSheet(wb *workbook, cfg *configs.Config) error {
	end := map[PeriodKind]string{KindMonth: "月末", KindQuarter: "季末", KindYear: "年末"}[m.Period.Kind]
	prev := m.Period.previousName()
	cols := []column{{"分组", colText}, {"名次", colCount}, {prev + "名次", colCount}, {"名次变化", colRankDelta},
		{"账号ID", colText}, {"账号名称", colText}, {"指数", colIndex}, {end + "粉丝数", colCount},
		{prev + "末粉丝数", colCount}, {"粉丝增减", colDelta}}
	s, err := wb.newSheet("排名", wb.title+"（排名）", cols)
	if err != nil {
		return err
	}
	titles := map[string]string{configs.PlatformWeChat: "微信公众号按传播指数 WCI 排名", configs.PlatformWeibo: "微博按传播指数 BCI 排名"}
	numerals := []string{"一", "二"}
	for i, r := range m.Rankings {
		s.sectionRow(fmt.Sprintf("%s、%s（名次变化：↑ 上升，↓ 下降，与%s比）", numerals[i%2], titles[r.Platform], prev))
		s.headerRow()
		for _, row := range r.Rows {
			var prevRank, change any = "—", "新"
			if row.PrevRank > 0 {
				prevRank, change = row.PrevRank, row.PrevRank-row.Rank
			}
			var growth any
			if row.Followers != nil && row.PrevFollower != nil {
				growth = *row.Followers - *row.PrevFollower
			}
			s.add(row.Group, row.Rank, prevRank, change, row.Account, row.Name, row.Index, row.Followers, row.PrevFollower, growth)
		}
	}
	if len(m.Rankings) == 0 {
		s.headerRow()
		s.add("本期无账号数据")
	}
	return s.finish()
}

// warnSheet writes 预警: the two-week rule, Weibo tokens about to expire,
// accounts with failing credentials.
func (m *Monthly) warnSheet(wb *workbook, cfg *configs.Config) error {
	s, err := wb.newSheet("预警", wb.title+"（预警）", []column{{"账号ID", colText}, {"账号名称", colText}, {"类型", colText}, {"说明", colWrap}})
	if err != nil {
		return err
	}
	s.headerRow()
	names := map[string]string{}
	for _, a := range m.Summary {
		names[a.Account] = a.Name
	}
	n := 0
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
		s.add(d.Account, d.Name, kind, what)
		n++
	}
	for _, w := range m.Warnings {
		parts := strings.SplitN(w, "|", 3)
		for len(parts) < 3 {
			parts = append(parts, "")
		}
		s.add(parts[0], names[parts[0]], parts[1], parts[2])
		n++
	}
	if n == 0 {
		s.add("", "", "无", "本期没有需要预警的账号")
	}
	return s.finish()
}

// graphicsSheet writes 图解: the year's policy graphics against the yearly
// target, then the list.
func (m *Monthly) graphicsSheet(wb *workbook, cfg *configs.Config) error {
	s, err := wb.newSheet("图解", wb.title+"（政策图解）", []column{{"稿件ID", colText}, {"政策图解标题", colWrap}, {"首次发布", colDate}, {"发布账号数", colCount}})
	if err != nil {
		return err
	}
	year := m.Period.To.Year()
	inPeriod := 0
	for _, g := range m.Graphics {
		if !g.FirstPublished.Before(m.Period.From) {
			inPeriod++
		}
	}
	rate := 0.0
	if m.Target > 0 {
		rate = float64(len(m.Graphics)) / float64(m.Target)
	}
	s.labelValue(fmt.Sprintf("%d年度目标（篇）", year), m.Target, colCount)
	s.labelValue(fmt.Sprintf("%d年已发布（篇，截至%s）", year, m.Period.To.Format("2006-01-02")), len(m.Graphics), colCount)
	s.labelValue("其中本期发布（篇）", inPeriod, colCount)
	s.labelValue("年度目标完成率", rate, colPct)
	s.headerRow()
	for _, g := range m.Graphics {
		s.add(g.ItemID, g.Title, g.FirstPublished.In(cfg.Location), g.Published)
	}
	if len(m.Graphics) == 0 {
		s.add(nil, fmt.Sprintf("%d年尚无已发布的政策图解", year))
	}
	return s.finish()
}

// labelValue writes a bordered line: a label across all columns but the
// last, the value in the last.
func (s *sheet) labelValue(label string, value any, kind colKind) {
	s.endBlock()
	s.row++
	last := len(s.cols)
	s.merged(s.row, 1, last-1, label, s.wb.styles[colText])
	s.wb.f.SetCellValue(s.name, cell(last, s.row), value)
	s.wb.f.SetCellStyle(s.name, cell(last, s.row), cell(last, s.row), s.wb.styles[kind])
}

// reachSheet writes 转载: for items sent to a whole group, how many of its
// accounts published them.
func (m *Monthly) reachSheet(wb *workbook, cfg *configs.Config) error {
	s, err := wb.newSheet("转载", wb.title+"（转载）", []column{{"稿件ID", colText}, {"标题", colWrap}, {"目标", colText},
		{"目标账号数", colCount}, {"已发布账号数", colCount}, {"转载率", colPct}, {"无法核实账号数", colCount}})
	if err != nil {
		return err
	}
	s.headerRow()
	titles := groupTitles(cfg)
	for _, it := range m.Reach {
		share := 0.0
		if it.Deliveries > 0 {
			share = float64(it.Published) / float64(it.Deliveries)
		}
		target := it.Targets
		if target == "all" {
			target = "全部账号"
		} else if g, ok := strings.CutPrefix(target, "group:"); ok {
			if t := titles[g]; t != "" {
				g = t
			}
			target = "分组：" + g
		}
		s.add(it.ItemID, it.Title, target, it.Deliveries, it.Published, share, it.Unverified)
	}
	if len(m.Reach) == 0 {
		s.add(nil, "本期没有发往整个分组的稿件")
	}
	return s.finish()
}

// detailColumns are 明细's columns.
var detailColumns = []column{{"日期", colDate}, {"账号ID", colText}, {"账号名称", colText}, {"平台", colText},
	{"粉丝数", colCount}, {"新增粉丝", colCount}, {"取关", colCount}, {"发布数", colCount}, {"阅读数", colCount},
	{"分享数", colCount}, {"点赞数", colCount}, {"在看", colCount}, {"评论数", colCount}}

// detailSheet writes 明细, the daily rows, streamed from the store (a year
// for 1,000 accounts is 365,000 rows).
func (m *Monthly) detailSheet(wb *workbook, cfg *configs.Config) error {
	const name = "明细"
	if _, err := wb.f.NewSheet(name); err != nil {
		return err
	}
	wb.sheets++
	// Page setup lives in the sheet's own XML: set it before streaming.
	if err := wb.printSetup(name, 3); err != nil {
		return err
	}
	sw, err := wb.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	names, platforms := map[string]string{}, map[string]string{}
	idWidth, nameWidth := displayWidth("账号ID"), displayWidth("账号名称")
	for _, a := range m.Summary {
		names[a.Account], platforms[a.Account] = a.Name, platformName(a.Platform)
		idWidth, nameWidth = max(idWidth, displayWidth(a.Account)), max(nameWidth, displayWidth(a.Name))
	}
	widths := []float64{12, idWidth + 2, nameWidth + 2, 6}
	for i, c := range detailColumns {
		w := 11.0
		if i < len(widths) {
			w = widths[i]
		}
		if err := sw.SetColWidth(i+1, i+1, max(w, displayWidth(c.name)+4)); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 3, TopLeftCell: "A4", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	last := len(detailColumns)
	half := (last + 1) / 2
	rows := []struct {
		cells  []any
		height float64
	}{
		{[]any{excelize.Cell{StyleID: wb.titleStyle, Value: wb.title + "（明细）"}}, 30},
		{[]any{excelize.Cell{StyleID: wb.unitStyle, Value: "制表单位：" + wb.unit}}, 20},
		{nil, 24},
	}
	rows[1].cells = append(rows[1].cells, make([]any, half-1)...)
	rows[1].cells = append(rows[1].cells, excelize.Cell{StyleID: wb.madeStyle, Value: "制表日期：" + wb.made})
	for _, c := range detailColumns {
		rows[2].cells = append(rows[2].cells, excelize.Cell{StyleID: wb.header, Value: c.name})
	}
	for i, r := range rows {
		if err := sw.SetRow(cell(1, i+1), r.cells, excelize.RowOpts{Height: r.height}); err != nil {
			return err
		}
	}
	for _, mr := range [][2]string{{cell(1, 1), cell(last, 1)}, {cell(1, 2), cell(half, 2)}, {cell(half+1, 2), cell(last, 2)}} {
		if err := sw.MergeCell(mr[0], mr[1]); err != nil {
			return err
		}
	}
	styles := make([]int, last)
	for i, c := range detailColumns {
		styles[i] = wb.styles[c.kind]
	}
	cells := make([]any, last)
	serials := map[string]float64{}
	r := 3
	err = m.Detail(func(d storage.DailyStat) error {
		serial, ok := serials[d.Date]
		if !ok {
			t, err := time.ParseInLocation("2006-01-02", d.Date, time.UTC)
			if err != nil {
				return fmt.Errorf("bad stored date %q: %w", d.Date, err)
			}
			serial = excelDate(t)
			serials[d.Date] = serial
		}
		values := [4]any{serial, d.Account, names[d.Account], platforms[d.Account]}
		nums := figures(d)
		for i := range cells {
			var v any
			if i < len(values) {
				v = values[i]
			} else if p := nums[i-len(values)]; p != nil {
				v = *p
			}
			cells[i] = excelize.Cell{StyleID: styles[i], Value: v}
		}
		r++
		return sw.SetRow(cell(1, r), cells)
	})
	if err != nil {
		return err
	}
	return sw.Flush()
}

// chartSheets writes 图表, per-group daily followers and reads as native
// line charts sized for an A4 landscape page, and 图表数据, the table they
// draw (a clerk can restyle or copy both).
func (m *Monthly) chartSheets(wb *workbook, cfg *configs.Config) error {
	const charts, data = "图表", "图表数据"
	c := m.Chart
	cols := []column{{"日期", colDate}}
	for _, g := range c.Groups {
		cols = append(cols, column{g + "粉丝数", colCount})
	}
	for _, g := range c.Groups {
		cols = append(cols, column{g + "阅读数", colCount})
	}
	// 图表 has no table: its title spans the 16 default-width columns
	// (about 1,020 px) the charts cover.
	cs, err := wb.newSheet(charts, wb.title+"（图表）", make([]column, 16))
	if err != nil {
		return err
	}
	cs.fixed = slices.Repeat([]float64{8.43}, 16)
	if err := cs.finish(); err != nil {
		return err
	}
	ds, err := wb.newSheet(data, wb.title+"（图表数据）", cols)
	if err != nil {
		return err
	}
	ds.headerRow()
	for di, d := range c.Days {
		t, _ := time.ParseInLocation("2006-01-02", d, time.UTC)
		values := []any{t}
		for gi := range c.Groups {
			values = append(values, c.Followers[gi][di])
		}
		for gi := range c.Groups {
			values = append(values, c.Reads[gi][di])
		}
		ds.add(values...)
	}
	if err := ds.finish(); err != nil {
		return err
	}
	if len(c.Groups) == 0 || len(c.Days) == 0 {
		return nil
	}
	first, last := ds.header+1, ds.header+len(c.Days)
	series := func(firstCol int) []excelize.ChartSeries {
		var out []excelize.ChartSeries
		for gi := range c.Groups {
			col, _ := excelize.ColumnNumberToName(firstCol + gi)
			out = append(out, excelize.ChartSeries{
				Name:       fmt.Sprintf("'%s'!$%s$%d", data, col, ds.header),
				Categories: fmt.Sprintf("'%s'!$A$%d:$A$%d", data, first, last),
				Values:     fmt.Sprintf("'%s'!$%s$%d:$%s$%d", data, col, first, col, last),
			})
		}
		return out
	}
	// A4 landscape with the margins above prints about 1,040 x 680 px at
	// 100%: two charts of 1,000 x 290 px under the title rows.
	// About 16 labelled days on the date axis, whatever the period's length.
	axisFont := excelize.Font{Size: 9, Color: "404040"}
	axis := excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: "m月d日"}, Font: axisFont,
		TickLabelSkip: max(1, (len(c.Days)+15)/16)}
	yAxis := excelize.ChartAxis{MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: fmtCount}, Font: axisFont}
	for i, ch := range []struct {
		title    string
		firstCol int
	}{{"各分组粉丝数", 2}, {"各分组阅读数", 2 + len(c.Groups)}} {
		anchor := cell(1, 4+i*17)
		err := wb.f.AddChart(charts, anchor, &excelize.Chart{Type: excelize.Line, Series: series(ch.firstCol),
			Title:     []excelize.RichTextRun{{Text: m.Period.Title() + ch.title}},
			Dimension: excelize.ChartDimension{Width: 1000, Height: 290},
			Legend:    excelize.ChartLegend{Position: "bottom"},
			XAxis:     axis, YAxis: yAxis})
		if err != nil {
			return fmt.Errorf("chart: %w", err)
		}
	}
	return nil
}
