package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/storage"
)

// BenchmarkIdleHeldAccount prints `herald serve`'s CPU over 30 s of idling
// twice: with nothing to do, and with a Weibo account held for an expired
// token whose pending delivery's retry time has come (a retry planned
// before the token lapsed, or the end of the quiet hours). The held
// delivery waits for a health check, not a time: the two figures must be
// alike (it used to re-poll the store every 10 ms, 2.8 CPU-seconds per 30 s).
//
//	go test -run '^$' -bench IdleHeldAccount -benchtime 1x ./cmd/herald/
//
// HERALD_IDLE_WINDOW=10s shortens the window.
func BenchmarkIdleHeldAccount(b *testing.B) {
	window := 30 * time.Second
	if w, err := time.ParseDuration(os.Getenv("HERALD_IDLE_WINDOW")); err == nil {
		window = w
	}
	bin := buildBench(b)
	for i := 0; i < b.N; i++ {
		idle := idleCPU(b, bin, window, false)
		held := idleCPU(b, bin, window, true)
		b.ReportMetric(idle.Seconds(), "idle-cpu-s")
		b.ReportMetric(held.Seconds(), "held-cpu-s")
		fmt.Printf("serve CPU over %s idle: %s with nothing to do, %s with a held account (%.1f×)\n",
			window, idle.Round(time.Millisecond), held.Round(time.Millisecond), float64(held)/float64(max(idle, time.Millisecond)))
	}
}

func idleCPU(b *testing.B, bin string, window time.Duration, held bool) time.Duration {
	b.Helper()
	dir := b.TempDir()
	sbAddr, listen := freeAddrB(b), freeAddrB(b)
	cfg := fmt.Sprintf(`data_dir: %s
listen: %s
wechat: {api_base: "http://%s"}
weibo: {api_base: "http://%s"}
review: {levels: []}
accounts:
  - {id: wb0, name: 微博0, platform: weibo, groups: [all], uid: "100000", access_token: t0, link_url: "https://www.qingshan.gov.cn/"}
`, filepath.Join(dir, "data"), listen, sbAddr, sbAddr)
	cfgPath := filepath.Join(dir, "herald.yaml")
	must(b, os.WriteFile(cfgPath, []byte(cfg), 0o600))
	sbCfg := cfgPath
	if held {
		// The platform knows another token than herald's (it was revoked and
		// reissued): herald's publish gets 21332 and the account is held.
		sbCfg = filepath.Join(dir, "platform.yaml")
		must(b, os.WriteFile(sbCfg, []byte(strings.Replace(cfg, "access_token: t0", "access_token: reissued", 1)), 0o600))
	}
	sb := exec.Command(bin, "sandbox", "--listen", sbAddr, "--config", sbCfg)
	must(b, sb.Start())
	defer func() { _ = sb.Process.Kill(); _ = sb.Wait() }()
	waitListening(b, sbAddr)
	serve := exec.Command(bin, "serve", "--config", cfgPath)
	must(b, serve.Start())
	defer func() { _ = serve.Process.Kill(); _ = serve.Wait() }()
	waitListening(b, listen)
	if held {
		ctx := context.Background()
		st, err := storage.Open(ctx, filepath.Join(dir, "data"))
		must(b, err)
		defer st.Close()
		out, err := exec.Command(bin, "post", "add", "--config", cfgPath, "--kind", "short", "--title", "凭据", "--text", "凭据过期的账号", "--to", "wb0", "--at", "now").CombinedOutput()
		if err != nil {
			b.Fatalf("post add: %v\n%s", err, out)
		}
		var id int64
		fmt.Sscan(string(out), &id)
		testenv.EventuallyFor(b, "the account to be held", 20*time.Second, func() bool {
			accts, err := st.HeldAccounts(ctx)
			must(b, err)
			return len(accts) == 1
		})
		ds, err := st.Deliveries(ctx, id)
		must(b, err)
		must(b, st.SetDeliveryRetry(ctx, ds[0].ID, content.DeliveryPending, time.Now().Add(-time.Second), "微博调用频率超限，稍后重试"))
	}
	time.Sleep(time.Second) // settle
	cpu0 := procCPU(b, serve.Process.Pid)
	time.Sleep(window) // the measurement: the daemon idles
	return procCPU(b, serve.Process.Pid) - cpu0
}
