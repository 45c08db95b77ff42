package stats

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/channels/wechat"
	"github.com/herald-gov/herald/channels/weibo"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/internal/measure"
	"github.com/herald-gov/herald/storage"
)

// platformCalls sums the calls the sandbox saw, by path.
func platformCalls(b *testing.B, addr string) map[string]int64 {
	resp, err := http.Get("http://" + addr + "/_sandbox/state")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var st sandbox.State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		b.Fatal(err)
	}
	out := map[string]int64{}
	for _, w := range st.WeChat {
		for p, n := range w.Calls {
			out[p] += int64(n)
		}
	}
	for _, w := range st.Weibo {
		for p, n := range w.Calls {
			out[p] += int64(n)
		}
	}
	return out
}

// BenchmarkCollectYear collects a year for 1,000 accounts (900 WeChat, 100
// Weibo) from `herald sandbox` running in its own process (so peak RSS is
// herald's alone), and reports the platform calls made against the minimum
// the span limits allow, rows written per second and peak RSS.
//
//	go test -run '^$' -bench CollectYear -benchtime 1x ./stats/
func BenchmarkCollectYear(b *testing.B) {
	const wechatN, weiboN, days = 900, 100, 365
	dir := b.TempDir()
	bin := filepath.Join(dir, "herald")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/herald").CombinedOutput(); err != nil {
		b.Fatalf("build: %v %s", err, out)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	var y strings.Builder
	fmt.Fprintf(&y, "data_dir: %s\nwechat: {api_base: \"http://%s\"}\nweibo: {api_base: \"http://%s\"}\ngroups: [{name: county}, {name: departments}]\naccounts:\n", dir, addr, addr)
	for i := 0; i < wechatN; i++ {
		group := []string{"county", "departments", "townships"}[i%3]
		fmt.Fprintf(&y, "  - {id: wx%04d, name: n, platform: wechat, groups: [%s], app_id: app%04d, app_secret: s}\n", i, group, i)
	}
	for i := 0; i < weiboN; i++ {
		fmt.Fprintf(&y, "  - {id: wb%04d, name: n, platform: weibo, groups: [county], uid: \"%d\", access_token: t%d, link_url: \"https://x.gov.cn/\"}\n", i, 7000+i, i)
	}
	cfgPath := filepath.Join(dir, "herald.yaml")
	if err := os.WriteFile(cfgPath, []byte(y.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	sb := exec.Command(bin, "sandbox", "--listen", addr, "--seed", "8", "--config", cfgPath)
	if err := sb.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { sb.Process.Kill(); sb.Wait() }()
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Since(start) > 20*time.Second {
			b.Fatal("sandbox did not start")
		}
	}
	cfg, err := configs.Load(cfgPath)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := storage.Open(context.Background(), filepath.Join(dir, fmt.Sprint("run", i)))
		if err != nil {
			b.Fatal(err)
		}
		var accts []storage.Account
		for _, a := range cfg.Accounts {
			accts = append(accts, storage.Account{ID: a.ID, Name: a.Name, Platform: a.Platform})
		}
		if err := st.SyncAccounts(context.Background(), accts); err != nil {
			b.Fatal(err)
		}
		c := New(cfg, st, wechat.New(cfg, st, quiet, wechat.Options{}), weibo.New(cfg, st, quiet, nil), quiet)
		to := c.Yesterday().AddDate(0, 0, -1) // ready whatever the hour
		from := to.AddDate(0, 0, -(days - 1))
		b.StartTimer()
		start := time.Now()
		sum, err := c.Collect(context.Background(), from, to, nil, false, nil)
		elapsed := time.Since(start)
		b.StopTimer()
		if err != nil || len(sum.Failures) > 0 {
			b.Fatalf("collect: %v %v", err, sum.Failures)
		}
		// Minimum per WeChat account: ceil(365/7) spans x 2 user endpoints and
		// ceil(365/30) bizsummary spans, plus one batchget page per 20 published
		// articles back to the range's start; per Weibo account one timeline page,
		// and one users/counts snapshot per 100 Weibo accounts.
		userSpans := (days + 7 - 1) / 7
		bizSpans := (days + 30 - 1) / 30
		minimum := int64(wechatN * (2*userSpans + bizSpans))
		seen := platformCalls(b, addr)
		datacube := seen["/datacube/getusercumulate"] + seen["/datacube/getusersummary"] + seen["/datacube/getbizsummary"]
		rowsPerSec := float64(sum.RowsWritten) / elapsed.Seconds()
		fmt.Printf("collect a year: %d WeChat + %d Weibo accounts x %d days: %.1fs, %d rows written (%.0f rows/s); platform calls seen by the sandbox: %d datacube (span-limit minimum %d), %d batchget pages, %d Weibo timeline pages; herald peak RSS %.0f MB\n",
			wechatN, weiboN, days, elapsed.Seconds(), sum.RowsWritten, rowsPerSec, datacube, minimum,
			seen["/cgi-bin/freepublish/batchget"], seen["/2/statuses/user_timeline.json"], float64(measure.PeakRSS())/(1<<20))
		b.ReportMetric(float64(sum.Calls), "calls")
		b.ReportMetric(float64(minimum), "datacube-min")
		b.ReportMetric(rowsPerSec, "rows/s")
		b.ReportMetric(float64(measure.PeakRSS())/(1<<20), "peakRSS-MB")
		st.Close()
	}
}
