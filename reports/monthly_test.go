package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/channels/wechat"
	"github.com/herald-gov/herald/channels/weibo"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/stats"
	"github.com/herald-gov/herald/storage"
)

func TestMonthlyWorkbookMatchesTheStore(t *testing.T) {
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	sb := sandbox.New(sandbox.Options{Seed: 12})
	for i, f := range []int{15000, 3000, 3100} {
		sb.AddWeChatApp(sandbox.WeChatApp{AppID: fmt.Sprintf("wx%d", i), Secret: "s", Followers: f})
	}
	srv := httptest.NewServer(sb)
	defer srv.Close()
	cfg, err := configs.Parse([]byte(fmt.Sprintf(`
data_dir: %s
wechat: {api_base: %q}
reports: {graphics_target: 60}
groups: [{name: county, title: 县级}, {name: departments, title: 部门}]
accounts:
  - {id: fabu, name: 青山发布, platform: wechat, groups: [county], app_id: wx0, app_secret: s}
  - {id: jyj, name: 青山教育, platform: wechat, groups: [departments], app_id: wx1, app_secret: s}
  - {id: wjw, name: 健康青山, platform: wechat, groups: [departments], app_id: wx2, app_secret: s}
`, t.TempDir(), srv.URL)))
	if err != nil {
		t.Fatal(err)
	}
	// The store's clock puts the publications in the reporting month.
	published := time.Date(2026, 10, 15, 10, 0, 0, 0, loc)
	st, err := storage.Open(ctx, cfg.DataDir, storage.WithClock(func() time.Time { return published }))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var accts []storage.Account
	for _, a := range cfg.Accounts {
		accts = append(accts, storage.Account{ID: a.ID, Name: a.Name, Platform: a.Platform, Groups: a.Groups})
	}
	st.SyncAccounts(ctx, accts)
	publish := func(kind content.Kind, title, targets string, to []string, ok int) {
		rev := content.Revision{Title: title, Body: "x"}
		rev.Hash = rev.ContentHash(kind)
		var tg []storage.Target
		for _, a := range to {
			tg = append(tg, storage.Target{Account: a, Platform: "wechat"})
		}
		id, err := st.CreateItem(ctx, storage.NewItem{Item: content.Item{Kind: kind, State: content.ItemPublishing, Priority: "normal", Targets: targets},
			Revision: rev, Targets: tg, Actor: "t"})
		if err != nil {
			t.Fatal(err)
		}
		ds, _ := st.Deliveries(ctx, id)
		for i, d := range ds {
			st.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: d.ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: "a"})
			to := content.DeliveryPublished
			if i >= ok {
				to = content.DeliveryFailed
			}
			st.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: d.ID, From: content.DeliverySending, To: to, AttemptID: "a"})
		}
	}
	publish(content.KindGraphic, "一图读懂农房改造补贴", "all", []string{"fabu", "jyj", "wjw"}, 3)
	publish(content.KindGraphic, "一图读懂医保新政", "group:departments", []string{"jyj", "wjw"}, 1)
	publish(content.KindArticle, "县政府常务会议", "fabu", []string{"fabu"}, 1)

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := stats.New(cfg, st, wechat.New(cfg, st, quiet, wechat.Options{}), weibo.New(cfg, st, quiet), quiet)
	p, _ := ParseMonth("2026-10", loc)
	// Collect all of October but the 31st, which must then be named missing.
	if _, err := c.Collect(ctx, p.From, p.To.AddDate(0, 0, -1), nil, false, nil); err != nil {
		t.Fatal(err)
	}
	m, err := BuildMonthly(ctx, cfg, st, p, time.Date(2026, 11, 22, 10, 0, 0, 0, loc))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.WriteWorkbook(&buf, cfg); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
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
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); fmt.Sprint(got) != "[汇总 排名 预警 图解 转载 明细 图表 政策解读]" {
		t.Fatalf("sheets %v", got)
	}
	sum, _ := f.GetRows("汇总")
	if fmt.Sprint(sum[0][:11]) != "[账号ID 账号名称 平台 分组 月末粉丝数 净增粉丝 发布数 阅读数 分享数 点赞数 指数]" {
		t.Fatalf("汇总 header %v", sum[0])
	}
	rows, _ := st.AllDailyStats(ctx, "2026-10-01", "2026-10-31")
	if note := sum[len(sum)-1][0]; !strings.Contains(note, "WCI") || !strings.Contains(note, "近似") {
		t.Fatalf("汇总 does not say how the index was computed: %q", note)
	}
	for _, line := range sum[1 : len(sum)-2] {
		var followers, net, posts, reads int64
		for _, r := range rows {
			if r.Account != line[0] {
				continue
			}
			followers = *r.Followers
			net += *r.NewFollowers - *r.LostFollowers
			posts += *r.Posts
			reads += *r.Reads
		}
		want := []int64{followers, net, posts, reads}
		for i, col := range []int{4, 5, 6, 7} {
			if got, _ := strconv.ParseInt(line[col], 10, 64); got != want[i] {
				t.Fatalf("%s column %s: %s, store says %d", line[0], sum[0][col], line[col], want[i])
			}
		}
		if fig, _ := sb.Figures(map[string]string{"fabu": "wx0", "jyj": "wx1", "wjw": "wx2"}[line[0]], "2026-10-30"); strconv.Itoa(fig.Followers) != line[4] {
			t.Fatalf("%s followers at month end %s, platform %d", line[0], line[4], fig.Followers)
		}
		if line[11] != "1" || line[12] != "2026-10-31" {
			t.Fatalf("%s missing days: %v", line[0], line[11:])
		}
	}
	rank, _ := f.GetRows("排名")
	if len(rank) != 4 || rank[1][0] != "县级" || rank[2][0] != "部门" || rank[2][1] != "1" || rank[3][1] != "2" {
		t.Fatalf("排名 %v", rank)
	}
	i2, _ := strconv.ParseFloat(rank[2][5], 64)
	i3, _ := strconv.ParseFloat(rank[3][5], 64)
	if i2 < i3 {
		t.Fatalf("ranking not by index: %v", rank)
	}
	gr, _ := f.GetRows("图解")
	if gr[1][3] != "60" || gr[2][3] != "2" || len(gr) != 7 || gr[5][1] != "一图读懂农房改造补贴" {
		t.Fatalf("图解 %v", gr)
	}
	reach, _ := f.GetRows("转载")
	if len(reach) != 3 || reach[1][2] != "all" || reach[1][3] != "3" || reach[1][4] != "3" || reach[2][3] != "2" || reach[2][4] != "1" {
		t.Fatalf("转载 %v", reach)
	}
	detail, _ := f.GetRows("明细")
	if len(detail) != 1+3*30 {
		t.Fatalf("明细 rows %d, want %d", len(detail), 1+3*30)
	}
	// On 2026-11-22 the accounts' last stored publication is late October: more than 14 days.
	warn, _ := f.GetRows("预警")
	if len(warn) != 4 || warn[1][2] != "两周无更新（单项否决）" {
		t.Fatalf("预警 %v", warn)
	}
	// 图表: per-group daily followers; the county group is the one account.
	chart, _ := f.GetRows("图表")
	if chart[0][1] != "县级" || chart[0][2] != "部门" || chart[1][0] != "2026-10-01" {
		t.Fatalf("图表 table %v", chart[:2])
	}
	if fig, _ := sb.Figures("wx0", "2026-10-01"); chart[1][1] != strconv.Itoa(fig.Followers) {
		t.Fatalf("county followers on 10-01: %s, platform %d", chart[1][1], fig.Followers)
	}
	if pane, _ := f.GetPanes("汇总"); !pane.Freeze || pane.YSplit != 1 {
		t.Fatalf("汇总 header not frozen: %+v", pane)
	}
}

func TestPeriods(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	q, err := ParseQuarter("2026-Q4", loc)
	if err != nil || q.From.Format("2006-01-02") != "2026-10-01" || q.To.Format("2006-01-02") != "2026-12-31" {
		t.Fatalf("%+v %v", q, err)
	}
	m, err := ParseMonth("2026-02", loc)
	if err != nil || m.To.Format("2006-01-02") != "2026-02-28" {
		t.Fatalf("%+v %v", m, err)
	}
	for _, bad := range []string{"2026-Q5", "2026Q1", "Q1"} {
		if _, err := ParseQuarter(bad, loc); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if _, err := ParseMonth("2026-13", loc); err == nil {
		t.Error("month 13 accepted")
	}
}
