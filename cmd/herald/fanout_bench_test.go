package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/internal/measure"
	"github.com/herald-gov/herald/storage"
)

// BenchmarkServeFanOut300 and BenchmarkServeFanOut3000 measure `herald
// serve` as it runs: the platform is `herald sandbox` in its own process
// (50 ms a call), the item is added by `herald post add` in a third
// process, and the figures are read from the kernel (/proc/PID/stat for
// serve's CPU, VmHWM for its peak RSS) and from the sandbox (when the first
// API call arrived). The bound is the critical path: every account's
// sequential calls spread over the workers, times the latency. A WeChat
// article with a body image is 6 calls (token, add_material, uploadimg,
// draft/add, freepublish/submit, freepublish/get, which answers the final
// status at once: --publish-polls 0); a Weibo post 1.
//
//	flock /tmp/herald-heavy.lock go test -run '^$' -bench ServeFanOut -benchtime 1x ./cmd/herald/
//
// HERALD_BENCH_BIN=path runs a herald built elsewhere instead of this tree
// (to compare two builds run by run: the host's speed varies between runs).
func BenchmarkServeFanOut300(b *testing.B) {
	for i := 0; i < b.N; i++ {
		serveFanOut(b, 300, 50, 32, false)
	}
}

// BenchmarkServeFanOut300WarmTokens is the same fan-out as a daemon that has
// run for a while sees it: every account's access token is already stored
// (`herald accounts check` ran first, in its own process), so a WeChat
// article is the five publishing calls (add_material, uploadimg, draft/add,
// freepublish/submit, freepublish/get).
func BenchmarkServeFanOut300WarmTokens(b *testing.B) {
	for i := 0; i < b.N; i++ {
		serveFanOut(b, 300, 50, 32, true)
	}
}

// BenchmarkServeFanOut3000 is the large matrix: 3,000 WeChat accounts, 128 workers.
func BenchmarkServeFanOut3000(b *testing.B) {
	for i := 0; i < b.N; i++ {
		serveFanOut(b, 3000, 0, 128, false)
	}
}

func serveFanOut(b *testing.B, nWeChat, nWeibo, workers int, warmTokens bool) {
	const latency = 50 * time.Millisecond
	b.StopTimer()
	bin := buildBench(b)
	dir := b.TempDir()
	sbAddr, listen := freeAddrB(b), freeAddrB(b)
	var y strings.Builder
	fmt.Fprintf(&y, "data_dir: %s\nlisten: %s\nwechat: {api_base: \"http://%s\", timeout: 10s}\nweibo: {api_base: \"http://%s\", timeout: 10s}\n",
		filepath.Join(dir, "data"), listen, sbAddr, sbAddr)
	fmt.Fprintf(&y, "review: {levels: []}\ndelivery: {workers: %d}\naccounts:\n", workers)
	for i := 0; i < nWeChat; i++ {
		fmt.Fprintf(&y, "  - {id: wx%04d, name: 公众号%d, platform: wechat, groups: [all], app_id: wxapp%04d, app_secret: s%04d}\n", i, i, i, i)
	}
	for i := 0; i < nWeibo; i++ {
		fmt.Fprintf(&y, "  - {id: wb%04d, name: 微博%d, platform: weibo, groups: [all], uid: \"%d\", access_token: t%04d, link_url: \"https://www.qingshan.gov.cn/\"}\n", i, i, 100000+i, i)
	}
	cfgPath := filepath.Join(dir, "herald.yaml")
	must(b, os.WriteFile(cfgPath, []byte(y.String()), 0o600))
	var img bytes.Buffer
	must(b, png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 64, 48))))
	must(b, os.WriteFile(filepath.Join(dir, "cover.png"), img.Bytes(), 0o600))
	img.Reset()
	must(b, png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 48, 64))))
	must(b, os.WriteFile(filepath.Join(dir, "photo.png"), img.Bytes(), 0o600))
	must(b, os.WriteFile(filepath.Join(dir, "body.html"), []byte(`<p>青山县召开县政府常务会议。</p><img src="photo.png">`), 0o600))

	sb := exec.Command(bin, "sandbox", "--listen", sbAddr, "--latency", latency.String(), "--publish-polls", "0", "--config", cfgPath)
	must(b, sb.Start())
	defer func() { _ = sb.Process.Kill(); _ = sb.Wait() }()
	waitListening(b, sbAddr)

	serve := exec.Command(bin, "serve", "--config", cfgPath)
	var serveLog bytes.Buffer
	serve.Stderr = &serveLog
	must(b, serve.Start())
	defer func() {
		if serve.ProcessState == nil {
			_ = serve.Process.Kill()
			_ = serve.Wait()
		}
	}()
	waitListening(b, listen)
	if warmTokens {
		if out, err := exec.Command(bin, "accounts", "check", "--config", cfgPath).CombinedOutput(); err != nil {
			b.Fatalf("accounts check: %v\n%s", err, out)
		}
		resp, err := http.Post("http://"+sbAddr+"/_sandbox/first_call", "application/json", nil)
		must(b, err)
		resp.Body.Close()
	}
	time.Sleep(700 * time.Millisecond) // the daemon is idle, waiting
	cpu0 := procCPU(b, serve.Process.Pid)
	sbCPU0 := procCPU(b, sb.Process.Pid)

	b.StartTimer()
	start := time.Now()
	add := exec.Command(bin, "post", "add", "--config", cfgPath, "--kind", "article", "--title", "扇出基准", "--body-file",
		filepath.Join(dir, "body.html"), "--image", filepath.Join(dir, "cover.png"), "--to", "all", "--at", "now")
	out, err := add.Output()
	if err != nil {
		b.Fatalf("post add: %v %s", err, out)
	}
	added := time.Now()
	id, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	must(b, err)

	var firstCall time.Time
	for firstCall.IsZero() {
		var st struct {
			FirstCallAt time.Time `json:"first_call_at"`
		}
		resp, err := http.Get("http://" + sbAddr + "/_sandbox/state")
		must(b, err)
		must(b, json.NewDecoder(resp.Body).Decode(&st))
		resp.Body.Close()
		firstCall = st.FirstCallAt
		if firstCall.IsZero() {
			if time.Since(added) > 10*time.Second {
				b.Fatalf("no platform call 10 s after post add\n%s", serveLog.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	cfg, err := configs.Load(cfgPath)
	must(b, err)
	st, err := storage.Open(context.Background(), cfg.DataDir)
	must(b, err)
	defer st.Close()
	for {
		it, err := st.Item(context.Background(), id)
		must(b, err)
		if it.State.Final() {
			if it.State != "done" {
				b.Errorf("item ended %s: %s", it.State, it.StateReason)
			}
			break
		}
		if time.Since(start) > 10*time.Minute {
			b.Fatalf("item still %s after 10 min", it.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
	wall := time.Since(start)
	b.StopTimer()
	cpu := procCPU(b, serve.Process.Pid) - cpu0
	sbCPU := procCPU(b, sb.Process.Pid) - sbCPU0
	rss := measure.PeakRSSOf(serve.Process.Pid)
	must(b, serve.Process.Signal(syscall.SIGTERM))
	if err := serve.Wait(); err != nil {
		b.Errorf("serve: %v", err)
	}

	n := nWeChat + nWeibo
	perWeChat := 6
	if warmTokens {
		perWeChat = 5 // no token call
	}
	slots := nWeChat*perWeChat + nWeibo
	bound := time.Duration((slots+workers-1)/workers) * latency
	ratio := wall.Seconds() / bound.Seconds()
	perDelivery := cpu / time.Duration(n)
	fmt.Printf("serve fan-out: %d WeChat + %d Weibo, %d workers, %s latency (sandbox in its own process): wall %.2fs, bound %.2fs, ratio %.2f; first call %.0f ms after post add returned (%.0f ms after it started); serve CPU %.2fs = %.2f ms/delivery; serve peak RSS %.1f MB; sandbox CPU %.2fs (serve/sandbox %.2f)\n",
		nWeChat, nWeibo, workers, latency, wall.Seconds(), bound.Seconds(), ratio,
		float64(firstCall.Sub(added).Microseconds())/1000, float64(firstCall.Sub(start).Microseconds())/1000,
		cpu.Seconds(), float64(perDelivery.Microseconds())/1000, float64(rss)/(1<<20), sbCPU.Seconds(), cpu.Seconds()/sbCPU.Seconds())
	if logs := serveLog.String(); strings.Contains(logs, "level=ERROR") || strings.Contains(logs, "level=WARN") {
		lines := strings.Split(logs, "\n")
		n := 0
		for _, l := range lines {
			if (strings.Contains(l, "level=ERROR") || strings.Contains(l, "level=WARN")) && n < 10 {
				b.Logf("serve: %s", l)
				n++
			}
		}
	}
	b.ReportMetric(ratio, "ratio")
	b.ReportMetric(float64(firstCall.Sub(added).Milliseconds()), "firstcall-ms")
	b.ReportMetric(float64(perDelivery.Microseconds())/1000, "cpu-ms/delivery")
	b.ReportMetric(float64(rss)/(1<<20), "peakRSS-MB")
	// The machine's speed varies from run to run; the sandbox's CPU for the
	// same calls varies with it, so this ratio is the steadier figure.
	b.ReportMetric(cpu.Seconds()/sbCPU.Seconds(), "serve/sandbox-cpu")
}

func must(b testing.TB, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

func buildBench(b testing.TB) string {
	b.Helper()
	if bin := os.Getenv("HERALD_BENCH_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(b.TempDir(), "herald")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddrB(b testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(b, err)
	defer ln.Close()
	return ln.Addr().String()
}

func waitListening(b testing.TB, addr string) {
	b.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("nothing listens on %s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// procCPU is a process's user+system CPU time (measure.CPUOf).
func procCPU(b testing.TB, pid int) time.Duration {
	d, err := measure.CPUOf(pid)
	must(b, err)
	return d
}
