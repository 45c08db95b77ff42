package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// BenchmarkReportYear writes the yearly workbook (`herald report monthly
// --year`) over a year of stored figures for 1,000 accounts (900 WeChat,
// 100 Weibo, in three groups) with the real command in a subprocess, and
// reports its wall time and peak RSS (the target: under 10 s and 300 MB).
//
//	go test -run '^$' -bench ReportYear -benchtime 1x ./cmd/herald/
func BenchmarkReportYear(b *testing.B) {
	const wechatN, weiboN, days = 900, 100, 365
	dir := b.TempDir()
	bin := filepath.Join(dir, "herald")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v %s", err, out)
	}
	var y strings.Builder
	fmt.Fprintf(&y, "data_dir: %s\ngroups: [{name: county, title: 县级}, {name: departments, title: 部门}, {name: townships, title: 乡镇}]\n", filepath.Join(dir, "data"))
	fmt.Fprintf(&y, "departments: [{id: xwb, name: 青山县委宣传部（新闻办）, office: true}]\naccounts:\n")
	groups := []string{"county", "departments", "townships"}
	for i := 0; i < wechatN; i++ {
		fmt.Fprintf(&y, "  - {id: wx%04d, name: 青山公众号%d, platform: wechat, groups: [%s], app_id: a%04d, app_secret: s}\n", i, i, groups[i%3], i)
	}
	for i := 0; i < weiboN; i++ {
		fmt.Fprintf(&y, "  - {id: wb%04d, name: 青山微博%d, platform: weibo, groups: [%s], uid: \"%d\", access_token: t%d, link_url: \"https://x.gov.cn/\"}\n", i, i, groups[i%3], 7000+i, i)
	}
	cfgPath := filepath.Join(dir, "herald.yaml")
	if err := os.WriteFile(cfgPath, []byte(y.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	cfg, err := configs.Load(cfgPath)
	if err != nil {
		b.Fatal(err)
	}
	st, err := storage.Open(context.Background(), cfg.DataDir)
	if err != nil {
		b.Fatal(err)
	}
	st.SyncAccounts(context.Background(), accountsFromConfig(cfg))
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	p := func(n int64) *int64 { return &n }
	for _, a := range cfg.Accounts {
		rows := make([]storage.DailyStat, days)
		for d := range rows {
			r := storage.DailyStat{Account: a.ID, Date: start.AddDate(0, 0, d).Format("2006-01-02"), Posts: p(int64(d % 3))}
			if a.Platform == configs.PlatformWeChat {
				r.Followers, r.NewFollowers, r.LostFollowers = p(int64(1000+d)), p(3), p(1)
				r.Reads, r.Shares, r.Likes, r.Zaikan, r.Comments = p(int64(200+d)), p(8), p(5), p(2), p(1)
			} else if d == days-1 {
				r.Followers = p(15991) // Weibo: a snapshot, not a history
			}
			rows[d] = r
		}
		if _, err := st.UpsertDailyStats(context.Background(), rows); err != nil {
			b.Fatal(err)
		}
	}
	st.Close()
	for i := 0; i < b.N; i++ {
		out := filepath.Join(dir, fmt.Sprintf("year%d.xlsx", i))
		cmd := exec.Command(bin, "report", "monthly", "--config", cfgPath, "--year", "2025", "--out", out)
		began := time.Now()
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("report: %v %s", err, msg)
		}
		wall := time.Since(began)
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		rss := ru.Maxrss // KiB on Linux
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		info, _ := os.Stat(out)
		b.StopTimer()
		f, err := excelize.OpenFile(out)
		if err != nil {
			b.Fatal(err)
		}
		sheets := f.GetSheetList()
		title, _ := f.GetCellValue("汇总", "A1")
		f.Close()
		if sheets[1] != "1月" || sheets[12] != "12月" || title != "青山县政务新媒体2025年度运行情况统计表" {
			b.Fatalf("workbook: sheets %v, title %q", sheets, title)
		}
		b.StartTimer()
		// On a shared machine the wall time includes waiting for a core; the
		// CPU time (user + system) is what the command itself costs.
		fmt.Printf("report --year: %d accounts x %d days (%d daily rows, %d sheets): wall %.2fs, CPU %.2fs, peak RSS %.0f MB, file %.1f MB\n",
			wechatN+weiboN, days, (wechatN+weiboN)*days, len(sheets), wall.Seconds(), cpu.Seconds(), float64(rss)/1024, float64(info.Size())/(1<<20))
		b.ReportMetric(cpu.Seconds(), "cpu-s")
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(float64(rss)/1024, "peakRSS-MB")
	}
}
