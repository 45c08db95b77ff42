package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/stats"
	"github.com/herald-gov/herald/storage"
)

// fixture is a county matrix on the sandbox: three WeChat accounts and two
// Weibo accounts, three items published in October 2026, and the
// statistics the real collector stored for September and October but the
// 31st.
type fixture struct {
	cfg *configs.Config
	st  *storage.Store
	sb  *sandbox.Server
	loc *time.Location
}

var appOf = map[string]string{"fabu": "wx0", "jyj": "wx1", "wjw": "wx2", "wb-fabu": "7001", "wb-gaj": "7002"}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	// The store's clock puts the publications in the reporting month; the
	// platform runs on the wall clock, so that it has figures for October.
	e := testenv.New(t, testenv.Options{Start: time.Date(2026, 10, 15, 10, 0, 0, 0, loc), Sandbox: sandbox.Options{Seed: 12, Now: time.Now},
		YAML: `reports: {graphics_target: 60}
groups: [{name: county, title: 县级}, {name: departments, title: 部门}]
departments:
  - {id: xwb, name: 青山县委宣传部（新闻办）, office: true}
`, Accounts: `
- {id: fabu, name: 青山发布, platform: wechat, groups: [county], app_id: wx0, app_secret: s}
- {id: jyj, name: 青山教育, platform: wechat, groups: [departments], app_id: wx1, app_secret: s}
- {id: wjw, name: 健康青山, platform: wechat, groups: [departments], app_id: wx2, app_secret: s}
- {id: wb-fabu, name: 青山发布微博, platform: weibo, groups: [county], uid: "7001", access_token: t1, link_url: "https://www.qingshan.gov.cn/"}
- {id: wb-gaj, name: 青山公安微博, platform: weibo, groups: [departments], uid: "7002", access_token: t2, link_url: "https://www.qingshan.gov.cn/"}`,
		WeChatApp: func(i int, app *sandbox.WeChatApp) { app.Followers = []int{15000, 3000, 3100}[i] },
		WeiboUser: func(i int, u *sandbox.WeiboUser) { u.Followers = []int{15991, 4200}[i] }})
	cfg, st, sb := e.Config, e.Store, e.Sandbox
	publish := func(kind content.Kind, title, targets string, to []string, ok int) {
		e.Published(t, testenv.Item{Kind: kind, Title: title, Targets: targets, Accounts: to, Failed: len(to) - ok})
	}
	publish(content.KindGraphic, "一图读懂农房改造补贴", "all", []string{"fabu", "jyj", "wjw"}, 3)
	publish(content.KindGraphic, "一图读懂医保新政", "group:departments", []string{"jyj", "wjw"}, 1)
	publish(content.KindArticle, "县政府常务会议", "fabu", []string{"fabu"}, 1)

	c := stats.New(cfg, st, e.WeChat, e.Weibo, e.Log)
	// Collect September and October but the 31st, which must then be named missing.
	from := time.Date(2026, 9, 1, 0, 0, 0, 0, loc)
	sum, err := c.Collect(ctx, from, time.Date(2026, 10, 30, 0, 0, 0, 0, loc), nil, false, nil)
	if err != nil || len(sum.Failures) > 0 {
		t.Fatalf("collect: %v %+v", err, sum.Failures)
	}
	return &fixture{cfg: cfg, st: st, sb: sb, loc: loc}
}

// render builds and writes the workbook for a period and opens it with
// excelize's reader.
func (fx *fixture) render(t *testing.T, p Period, now time.Time) (*Monthly, *excelize.File, []byte) {
	t.Helper()
	m, err := BuildMonthly(context.Background(), fx.cfg, fx.st, p, now)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.WriteWorkbook(&buf, fx.cfg); err != nil {
		t.Fatal(err)
	}
	raw := bytes.Clone(buf.Bytes())
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return m, f, raw
}

func rawRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestMonthlyWorkbookMatchesTheStore(t *testing.T) {
	fx := newFixture(t)
	p, _ := ParseMonth("2026-10", fx.loc)
	_, f, raw := fx.render(t, p, time.Date(2026, 11, 22, 10, 0, 0, 0, fx.loc))
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	charts := 0
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			charts++
		}
	}
	if charts != 2 {
		t.Fatalf("%d chart parts in the workbook, want 2", charts)
	}
	if got := f.GetSheetList(); fmt.Sprint(got) != "[汇总 排名 预警 图解 转载 明细 图表 图表数据 巡检 政策解读 互动]" {
		t.Fatalf("sheets %v", got)
	}
	sum := rawRows(t, f, "汇总")
	if sum[0][0] != "青山县政务新媒体2026年10月运行情况统计表" {
		t.Fatalf("汇总 title %q", sum[0][0])
	}
	if fmt.Sprint(sum[2][:11]) != "[账号ID 账号名称 平台 分组 月末粉丝数 净增粉丝 发布数 阅读数 分享数 点赞数 指数]" {
		t.Fatalf("汇总 header %v", sum[2])
	}
	rows, _ := fx.st.AllDailyStats(context.Background(), "2026-10-01", "2026-10-31")
	if note := sum[len(sum)-1][0]; !strings.Contains(note, "WCI") || !strings.Contains(note, "近似") {
		t.Fatalf("汇总 does not say how the index was computed: %q", note)
	}
	lines := sum[3 : len(sum)-2]
	if len(lines) != 5 {
		t.Fatalf("汇总 has %d account lines, want 5: %v", len(lines), lines)
	}
	var totalReads int64
	for _, line := range lines {
		var net, posts, reads int64
		for _, r := range rows {
			if r.Account != line[0] {
				continue
			}
			net += val64(r.NewFollowers) - val64(r.LostFollowers)
			posts += val64(r.Posts)
			reads += val64(r.Reads)
		}
		totalReads += reads
		if got, _ := strconv.ParseInt(line[6], 10, 64); got != posts {
			t.Fatalf("%s 发布数 %s, store says %d", line[0], line[6], posts)
		}
		var sbPosts int
		for d := 1; d <= 30; d++ {
			fig, _ := fx.sb.Figures(appOf[line[0]], fmt.Sprintf("2026-10-%02d", d))
			sbPosts += fig.Posts
		}
		// (The sandbox's Weibo timeline lists only posts made through its
		// API, not the history Figures reports: Weibo posts are checked
		// against the store above.)
		if line[2] == "微信" && strconv.Itoa(sbPosts) != line[6] {
			t.Fatalf("%s posts %s, the platform made %d", line[0], line[6], sbPosts)
		}
		// Only the 31st was not collected; Weibo's days without followers
		// are not missing (the platform keeps no history of them).
		if line[11] != "1" || line[12] != "2026-10-31" {
			t.Fatalf("%s missing days: %v", line[0], line[11:])
		}
		if line[2] == "微博" {
			if line[7] != "" {
				t.Fatalf("%s: Weibo gives no reads, the workbook says %q", line[0], line[7])
			}
			continue
		}
		if got, _ := strconv.ParseInt(line[5], 10, 64); got != net {
			t.Fatalf("%s 净增粉丝 %s, store says %d", line[0], line[5], net)
		}
		if got, _ := strconv.ParseInt(line[7], 10, 64); got != reads {
			t.Fatalf("%s 阅读数 %s, store says %d", line[0], line[7], reads)
		}
		if fig, _ := fx.sb.Figures(appOf[line[0]], "2026-10-30"); strconv.Itoa(fig.Followers) != line[4] {
			t.Fatalf("%s followers at month end %s, platform %d", line[0], line[4], fig.Followers)
		}
	}
	if total := sum[len(sum)-2]; total[0] != "合计" || total[7] != strconv.FormatInt(totalReads, 10) {
		t.Fatalf("汇总 合计 %v, reads should be %d", total, totalReads)
	}

	// 排名: WeChat by WCI and Weibo by BCI in separate tables.
	rank := rawRows(t, f, "排名")
	var sections []string
	var wechatRows, weiboRows [][]string
	for _, r := range rank[2:] {
		switch {
		case len(r) == 1:
			sections = append(sections, r[0])
		case r[0] == "分组":
		case len(sections) == 1:
			wechatRows = append(wechatRows, r)
		default:
			weiboRows = append(weiboRows, r)
		}
	}
	if len(sections) != 2 || !strings.Contains(sections[0], "微信") || !strings.Contains(sections[0], "WCI") ||
		!strings.Contains(sections[1], "微博") || !strings.Contains(sections[1], "BCI") {
		t.Fatalf("排名 sections %q", sections)
	}
	if len(wechatRows) != 3 || len(weiboRows) != 2 {
		t.Fatalf("排名: %d WeChat rows, %d Weibo rows", len(wechatRows), len(weiboRows))
	}
	for _, r := range wechatRows {
		if strings.HasPrefix(r[4], "wb-") {
			t.Fatalf("a Weibo account in the WeChat ranking: %v", r)
		}
		// Month on month: September was collected, so each account has a
		// previous rank, and the followers' change is the platform's.
		if r[2] == "" || r[2] == "—" {
			t.Fatalf("%s has no previous rank: %v", r[4], r)
		}
		now, _ := fx.sb.Figures(appOf[r[4]], "2026-10-30")
		before, _ := fx.sb.Figures(appOf[r[4]], "2026-09-30")
		if r[7] != strconv.Itoa(now.Followers) || r[8] != strconv.Itoa(before.Followers) || r[9] != strconv.Itoa(now.Followers-before.Followers) {
			t.Fatalf("%s followers %v, platform %d then %d", r[4], r[7:], before.Followers, now.Followers)
		}
		cur, _ := strconv.Atoi(r[1])
		prev, _ := strconv.Atoi(r[2])
		if r[3] != strconv.Itoa(prev-cur) {
			t.Fatalf("%s rank change %s, ranks %d then %d", r[4], r[3], prev, cur)
		}
	}
	if wechatRows[0][0] != "县级" || wechatRows[1][0] != "部门" || wechatRows[1][1] != "1" || wechatRows[2][1] != "2" {
		t.Fatalf("WeChat ranking %v", wechatRows)
	}
	i1, _ := strconv.ParseFloat(wechatRows[1][6], 64)
	i2, _ := strconv.ParseFloat(wechatRows[2][6], 64)
	if i1 < i2 {
		t.Fatalf("ranking not by index: %v", wechatRows)
	}
	for _, r := range weiboRows {
		if !strings.HasPrefix(r[4], "wb-") {
			t.Fatalf("a WeChat account in the Weibo ranking: %v", r)
		}
	}

	gr := rawRows(t, f, "图解")
	if gr[2][3] != "60" || gr[3][3] != "2" || gr[4][3] != "2" || gr[6][0] != "稿件ID" || len(gr) != 9 || gr[7][1] != "一图读懂农房改造补贴" {
		t.Fatalf("图解 %v", gr)
	}
	if v, _ := f.GetCellValue("图解", "C8"); v != "2026-10-15" {
		t.Fatalf("图解 first published %q, want 2026-10-15", v)
	}
	reach := rawRows(t, f, "转载")
	if len(reach) != 5 || reach[3][2] != "全部账号" || reach[3][3] != "3" || reach[3][4] != "3" || reach[4][2] != "分组：部门" || reach[4][3] != "2" || reach[4][4] != "1" {
		t.Fatalf("转载 %v", reach)
	}
	detail := rawRows(t, f, "明细")
	if want := 3 + len(rows); len(detail) != want {
		t.Fatalf("明细 rows %d, want %d", len(detail), want)
	}
	if v, _ := f.GetCellValue("明细", "A4"); v != "2026-10-01" {
		t.Fatalf("明细 first date %q", v)
	}
	// On 2026-11-22 the accounts' last stored publication is late October: more than 14 days.
	warn := rawRows(t, f, "预警")
	if len(warn) < 4 || warn[3][2] != "两周无更新（单项否决）" {
		t.Fatalf("预警 %v", warn)
	}
	// 图表数据: per-group daily followers; the county group is one WeChat
	// and one Weibo account.
	chart := rawRows(t, f, "图表数据")
	if chart[2][1] != "县级粉丝数" || chart[2][2] != "部门粉丝数" {
		t.Fatalf("图表数据 header %v", chart[2])
	}
	if v, _ := f.GetCellValue("图表数据", "A4"); v != "2026-10-01" {
		t.Fatalf("图表数据 first date %q", v)
	}
	if fig, _ := fx.sb.Figures("wx0", "2026-10-01"); chart[3][1] != strconv.Itoa(fig.Followers) {
		t.Fatalf("county followers on 10-01: %s, platform %d", chart[3][1], fig.Followers)
	}
	if pane, _ := f.GetPanes("汇总"); !pane.Freeze || pane.YSplit != 3 {
		t.Fatalf("汇总 header not frozen: %+v", pane)
	}
}

// TestWorkbookPrintsLikeAForm reads the page setup back: every sheet A4
// landscape, one page wide, its header row repeated on printed pages, a
// title row and the 制表单位/制表日期 line, dates as yyyy-mm-dd.
func TestWorkbookPrintsLikeAForm(t *testing.T) {
	fx := newFixture(t)
	p, _ := ParseMonth("2026-10", fx.loc)
	_, f, _ := fx.render(t, p, time.Date(2026, 11, 22, 10, 0, 0, 0, fx.loc))
	titles := map[string]string{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" {
			titles[dn.Scope] = dn.RefersTo
		}
	}
	firstHeader := map[string]string{"汇总": "账号ID", "排名": "分组", "预警": "账号ID", "图解": "稿件ID", "转载": "稿件ID", "明细": "日期", "图表数据": "日期", "巡检": "账号ID"}
	for _, sheet := range f.GetSheetList() {
		layout, err := f.GetPageLayout(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if *layout.Orientation != "landscape" || *layout.Size != 9 || layout.FitToWidth == nil || *layout.FitToWidth != 1 ||
			layout.FitToHeight == nil || *layout.FitToHeight != 0 {
			t.Errorf("%s: page layout %s size %d fit %v x %v, want A4 landscape one page wide", sheet, *layout.Orientation, *layout.Size, layout.FitToWidth, layout.FitToHeight)
		}
		props, _ := f.GetSheetProps(sheet)
		if props.FitToPage == nil || !*props.FitToPage {
			t.Errorf("%s: fit to page is off", sheet)
		}
		title, _ := f.GetCellValue(sheet, "A1")
		if !strings.HasPrefix(title, "青山县政务新媒体2026年10月运行情况统计表") {
			t.Errorf("%s: title %q", sheet, title)
		}
		unit, _ := f.GetCellValue(sheet, "A2")
		if unit != "制表单位：青山县委宣传部（新闻办）" {
			t.Errorf("%s: 制表单位 line %q", sheet, unit)
		}
		row2, _ := f.GetRows(sheet)
		if !strings.Contains(strings.Join(row2[1], ""), "制表日期：2026-11-22") {
			t.Errorf("%s: no 制表日期 in %q", sheet, row2[1])
		}
		want, ok := firstHeader[sheet]
		if !ok {
			continue // 图表: charts only
		}
		ref := titles[sheet]
		var r1, r2 int
		if _, err := fmt.Sscanf(ref[strings.Index(ref, "!"):], "!$%d:$%d", &r1, &r2); err != nil || r1 != r2 {
			t.Errorf("%s: print titles %q, want one header row", sheet, ref)
			continue
		}
		if got, _ := f.GetCellValue(sheet, cell(1, r1)); got != want {
			t.Errorf("%s: print titles row %d starts %q, want the header %q", sheet, r1, got, want)
		}
		if pane, _ := f.GetPanes(sheet); pane.YSplit != r1 {
			t.Errorf("%s: frozen at row %d, header at %d", sheet, pane.YSplit, r1)
		}
	}
	// The summary title spans the table.
	merged, _ := f.GetMergeCells("汇总")
	spans := false
	for _, mc := range merged {
		spans = spans || mc.GetStartAxis() == "A1" && mc.GetEndAxis() == "M1"
	}
	if !spans {
		t.Errorf("汇总 title does not span A1:M1: %v", merged)
	}
	for _, c := range []struct{ sheet, cell string }{{"明细", "A4"}, {"图表数据", "A4"}, {"图解", "C8"}} {
		id, _ := f.GetCellStyle(c.sheet, c.cell)
		style, err := f.GetStyle(id)
		if err != nil || style.CustomNumFmt == nil || *style.CustomNumFmt != "yyyy-mm-dd" {
			t.Errorf("%s!%s: date format %+v, want yyyy-mm-dd", c.sheet, c.cell, style)
		}
	}
	// Columns are sized to their content: the account names fit.
	if w, _ := f.GetColWidth("汇总", "B"); w < displayWidth("青山公安微博") {
		t.Errorf("汇总 column B is %.1f wide, narrower than the names", w)
	}
}

// TestQuarterAndYear: the same sheets over the period plus one 汇总 per
// month whose figures are the month's own report's.
func TestQuarterAndYear(t *testing.T) {
	fx := newFixture(t)
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, fx.loc)
	q, _ := ParseQuarter("2026-Q4", fx.loc)
	_, f, _ := fx.render(t, q, now)
	if got := f.GetSheetList(); fmt.Sprint(got) != "[汇总 10月 11月 12月 排名 预警 图解 转载 明细 图表 图表数据 巡检 政策解读 互动]" {
		t.Fatalf("quarter sheets %v", got)
	}
	if v, _ := f.GetCellValue("汇总", "A1"); v != "青山县政务新媒体2026年第四季度运行情况统计表" {
		t.Fatalf("quarter title %q", v)
	}
	if v, _ := f.GetCellValue("10月", "A1"); v != "青山县政务新媒体2026年10月运行情况统计表" {
		t.Fatalf("October title %q", v)
	}
	mp, _ := ParseMonth("2026-10", fx.loc)
	_, mf, _ := fx.render(t, mp, now)
	oct, month := rawRows(t, f, "10月"), rawRows(t, mf, "汇总")
	if fmt.Sprint(oct[2:]) != fmt.Sprint(month[2:]) {
		t.Fatalf("quarter's 10月 differs from October's 汇总:\n%v\n%v", oct[2:], month[2:])
	}
	// Only September and October hold figures: the quarter's posts are October's.
	qs := rawRows(t, f, "汇总")
	for i, line := range qs[3:6] {
		if line[6] != month[3+i][6] {
			t.Fatalf("%s: quarter posts %s, October %s", line[0], line[6], month[3+i][6])
		}
	}
	y, _ := ParseYear("2026", fx.loc)
	_, yf, _ := fx.render(t, y, now)
	list := yf.GetSheetList()
	if len(list) != 11+12 || list[1] != "1月" || list[12] != "12月" {
		t.Fatalf("year sheets %v", list)
	}
	if v, _ := yf.GetCellValue("汇总", "A1"); v != "青山县政务新媒体2026年度运行情况统计表" {
		t.Fatalf("year title %q", v)
	}
	ys := rawRows(t, yf, "汇总")
	sept := rawRows(t, yf, "9月")
	for i, line := range ys[3:6] {
		p1, _ := strconv.Atoi(line[6])
		p2, _ := strconv.Atoi(sept[3+i][6])
		p3, _ := strconv.Atoi(month[3+i][6])
		if p1 != p2+p3 {
			t.Fatalf("%s: the year's posts %d, September %d + October %d", line[0], p1, p2, p3)
		}
	}
	// The year's 图解 against the yearly target.
	gr := rawRows(t, yf, "图解")
	if gr[2][0] != "2026年度目标（篇）" || gr[2][3] != "60" || gr[3][3] != "2" || gr[5][3] != strconv.FormatFloat(2.0/60, 'f', -1, 64) {
		t.Fatalf("year 图解 %v", gr[:6])
	}
}

func TestPeriods(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	q, err := ParseQuarter("2026-Q4", loc)
	if err != nil || q.From.Format("2006-01-02") != "2026-10-01" || q.To.Format("2006-01-02") != "2026-12-31" {
		t.Fatalf("%+v %v", q, err)
	}
	if prev := q.Previous(); prev.Label != "2026-Q3" || prev.From.Format("2006-01-02") != "2026-07-01" || prev.To.Format("2006-01-02") != "2026-09-30" {
		t.Fatalf("before Q4: %+v", prev)
	}
	q1, _ := ParseQuarter("2026-Q1", loc)
	if prev := q1.Previous(); prev.Label != "2025-Q4" {
		t.Fatalf("before 2026-Q1: %+v", prev)
	}
	m, err := ParseMonth("2026-02", loc)
	if err != nil || m.To.Format("2006-01-02") != "2026-02-28" {
		t.Fatalf("%+v %v", m, err)
	}
	jan, _ := ParseMonth("2026-01", loc)
	if prev := jan.Previous(); prev.Label != "2025-12" || prev.To.Format("2006-01-02") != "2025-12-31" {
		t.Fatalf("before January: %+v", prev)
	}
	y, err := ParseYear("2026", loc)
	if err != nil || y.To.Format("2006-01-02") != "2026-12-31" || len(y.Months()) != 12 || y.Previous().Label != "2025" {
		t.Fatalf("%+v %v", y, err)
	}
	for p, want := range map[Period]string{m: "2026年2月", q: "2026年第四季度", y: "2026年度"} {
		if p.Title() != want {
			t.Errorf("%s title %q, want %q", p.Label, p.Title(), want)
		}
	}
	for _, bad := range []string{"2026-Q5", "2026Q1", "Q1"} {
		if _, err := ParseQuarter(bad, loc); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	for _, bad := range []string{"26", "2026-01", "year"} {
		if _, err := ParseYear(bad, loc); err == nil {
			t.Errorf("year %s accepted", bad)
		}
	}
	if _, err := ParseMonth("2026-13", loc); err == nil {
		t.Error("month 13 accepted")
	}
}

// TestWriteSampleWorkbook writes the October workbook of the fixture to
// $HERALD_SAMPLE_WORKBOOK when set (docs/print-report.sh prints it with
// LibreOffice for the screenshot in docs/).
func TestWriteSampleWorkbook(t *testing.T) {
	out := os.Getenv("HERALD_SAMPLE_WORKBOOK")
	if out == "" {
		t.Skip("HERALD_SAMPLE_WORKBOOK not set")
	}
	fx := newFixture(t)
	p, _ := ParseMonth("2026-10", fx.loc)
	_, _, raw := fx.render(t, p, time.Date(2026, 11, 2, 10, 0, 0, 0, fx.loc))
	if err := os.WriteFile(out, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}
