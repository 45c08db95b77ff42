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

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// BenchmarkExportXLSX exports 1,000 accounts x 365 days (365,000 rows) to
// XLSX with the real `herald stats export` command in a subprocess, and
// reports its wall time and peak RSS (the target: under 5 s and 200 MB).
//
//	go test -run '^$' -bench ExportXLSX -benchtime 1x ./cmd/herald/
func BenchmarkExportXLSX(b *testing.B) {
	const accounts, days = 1000, 365
	dir := b.TempDir()
	bin := filepath.Join(dir, "herald")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v %s", err, out)
	}
	var y strings.Builder
	fmt.Fprintf(&y, "data_dir: %s\naccounts:\n", filepath.Join(dir, "data"))
	for i := 0; i < accounts; i++ {
		fmt.Fprintf(&y, "  - {id: wx%04d, name: n, platform: wechat, app_id: a%04d, app_secret: s}\n", i, i)
	}
	cfgPath := filepath.Join(dir, "herald.yaml")
	os.WriteFile(cfgPath, []byte(y.String()), 0o600)
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
	for i := 0; i < accounts; i++ {
		rows := make([]storage.DailyStat, days)
		for d := range rows {
			rows[d] = storage.DailyStat{Account: fmt.Sprintf("wx%04d", i), Date: start.AddDate(0, 0, d).Format("2006-01-02"),
				Followers: p(int64(1000 + i + d)), NewFollowers: p(3), LostFollowers: p(1), Posts: p(int64(d % 3)),
				Reads: p(int64(200 + d)), Shares: p(8), Likes: p(5), Zaikan: p(2), Comments: p(1)}
		}
		if _, err := st.UpsertDailyStats(context.Background(), rows); err != nil {
			b.Fatal(err)
		}
	}
	st.Close()
	to := start.AddDate(0, 0, days-1).Format("2006-01-02")
	for i := 0; i < b.N; i++ {
		out := filepath.Join(dir, fmt.Sprintf("year%d.xlsx", i))
		cmd := exec.Command(bin, "stats", "export", "--config", cfgPath, "--from", "2025-01-01", "--to", to, "--format", "xlsx", "--out", out)
		began := time.Now()
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("export: %v %s", err, msg)
		}
		wall := time.Since(began)
		rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
		info, _ := os.Stat(out)
		fmt.Printf("export %d accounts x %d days (%d rows) to XLSX: wall %.2fs, peak RSS %.0f MB, file %.1f MB\n",
			accounts, days, accounts*days, wall.Seconds(), float64(rss)/1024, float64(info.Size())/(1<<20))
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(float64(rss)/1024, "peakRSS-MB")
	}
}
