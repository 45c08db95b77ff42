package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// BenchmarkPostAddDocx imports the 20-page report with 10 pictures
// (content/docx/testdata/report20.docx) with the real `herald post add
// --docx` in a subprocess, to 2 WeChat and 1 Weibo account, and reports
// its wall time and peak RSS (the target: under 1 s and 100 MB).
//
//	go test -run '^$' -bench PostAddDocx -benchtime 3x ./cmd/herald/
func BenchmarkPostAddDocx(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "herald")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v %s", err, out)
	}
	cfgPath := filepath.Join(dir, "herald.yaml")
	cfg := fmt.Sprintf("data_dir: %s\nreview: {levels: []}\naccounts:\n"+
		"  - {id: a, name: 青山发布, platform: wechat, app_id: wx1, app_secret: s}\n"+
		"  - {id: b, name: 青山文旅, platform: wechat, app_id: wx2, app_secret: s}\n"+
		"  - {id: c, name: 青山发布, platform: weibo, uid: \"1\", access_token: t, link_url: \"https://www.qingshan.gov.cn/\"}\n",
		filepath.Join(dir, "data"))
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	doc, _ := filepath.Abs(docxFixture("report20.docx"))
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bin, "post", "add", "--config", cfgPath, "--kind", "article", "--docx", doc, "--to", "all", "--draft")
		began := time.Now()
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("post add --docx: %v %s", err, msg)
		}
		wall := time.Since(began)
		rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
		fmt.Printf("post add --docx report20.docx (20 pages, 10 pictures, 10 tables): wall %.0f ms, peak RSS %.0f MB\n",
			wall.Seconds()*1000, float64(rss)/1024)
		b.ReportMetric(wall.Seconds()*1000, "wall-ms")
		b.ReportMetric(float64(rss)/1024, "peakRSS-MB")
	}
}
