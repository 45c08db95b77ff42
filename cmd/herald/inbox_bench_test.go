package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/storage"
)

// BenchmarkPushUnderFanOut300 sends WeChat pushes (safe mode, each a new
// user message) to `herald serve` at 200 a second for 5 seconds while it
// fans an article out to 300 WeChat accounts (`herald sandbox` in its own
// process, 50 ms a call, 32 workers), and prints how long serve took to
// answer them (p50, p99, max) and that every message was stored once.
//
//	go test -run '^$' -bench PushUnderFanOut300 -benchtime 1x ./cmd/herald/
func BenchmarkPushUnderFanOut300(b *testing.B) {
	for i := 0; i < b.N; i++ {
		pushUnderFanOut(b, 300, 200, 5*time.Second)
	}
}

func pushUnderFanOut(b *testing.B, nWeChat, perSecond int, span time.Duration) {
	b.StopTimer()
	bin := buildBench(b)
	dir := b.TempDir()
	sbAddr, listen := freeAddrB(b), freeAddrB(b)
	var y strings.Builder
	fmt.Fprintf(&y, "data_dir: %s\nlisten: %s\nwechat: {api_base: \"http://%s\", timeout: 10s}\nweibo: {api_base: \"http://%s\", timeout: 10s}\n",
		filepath.Join(dir, "data"), listen, sbAddr, sbAddr)
	fmt.Fprintf(&y, "review: {levels: []}\ndelivery: {workers: 32}\naccounts:\n")
	for i := 0; i < nWeChat; i++ {
		push := ""
		if i == 0 {
			push = ", token: " + pushToken + ", encoding_aes_key: " + pushKey
		}
		fmt.Fprintf(&y, "  - {id: wx%04d, name: 公众号%d, platform: wechat, groups: [all], app_id: wxapp%04d, app_secret: s%04d%s}\n", i, i, i, i, push)
	}
	cfgPath := filepath.Join(dir, "herald.yaml")
	must(b, os.WriteFile(cfgPath, []byte(y.String()), 0o600))
	var img bytes.Buffer
	must(b, png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 64, 48))))
	must(b, os.WriteFile(filepath.Join(dir, "cover.png"), img.Bytes(), 0o600))
	must(b, os.WriteFile(filepath.Join(dir, "body.html"), []byte(`<p>青山县召开县政府常务会议。</p>`), 0o600))

	sb := exec.Command(bin, "sandbox", "--listen", sbAddr, "--latency", "50ms", "--publish-polls", "0", "--config", cfgPath)
	must(b, sb.Start())
	defer func() { _ = sb.Process.Kill(); _ = sb.Wait() }()
	waitListening(b, sbAddr)
	serve := exec.Command(bin, "serve", "--config", cfgPath)
	must(b, serve.Start())
	defer func() {
		if serve.ProcessState == nil {
			_ = serve.Process.Kill()
			_ = serve.Wait()
		}
	}()
	waitListening(b, listen)

	out, err := exec.Command(bin, "post", "add", "--config", cfgPath, "--kind", "article", "--title", "扇出时的推送", "--body-file",
		filepath.Join(dir, "body.html"), "--image", filepath.Join(dir, "cover.png"), "--to", "all", "--at", "now").Output()
	if err != nil {
		b.Fatalf("post add: %v %s", err, out)
	}
	id, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	must(b, err)

	cfg := sandbox.PushConfig{Token: pushToken, EncodingAESKey: pushKey}
	target := "http://" + listen + "/wechat/push/wx0000"
	n := perSecond * int(span/time.Second)
	took := make([]time.Duration, n)
	failed := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(perSecond))
	b.StartTimer()
	for i := 0; i < n; i++ {
		<-tick.C
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			m := sandbox.UserMessage{AppID: "wxapp0000", OpenID: fmt.Sprintf("o-%d", i%50), MsgID: 25000000000000000 + int64(i), Content: fmt.Sprintf("第%d条消息", i), At: time.Now()}
			enc, err := sandbox.Encrypt(pushKey, "wxapp0000", []byte(sandbox.MessageXML(m)), make([]byte, 16))
			if err != nil {
				panic(err)
			}
			body := "<xml><ToUserName><![CDATA[wxapp0000]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
			r, err := sandbox.Post(context.Background(), target+"?"+sandbox.SignURL(cfg, enc, time.Now(), strconv.Itoa(i)), body)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || r.Status != 200 {
				failed++
				return
			}
			took[i] = r.Took
		}(i)
	}
	wg.Wait()
	tick.Stop()
	b.StopTimer()

	st, err := storage.Open(context.Background(), filepath.Join(dir, "data"))
	must(b, err)
	defer st.Close()
	it, err := st.Item(context.Background(), id)
	must(b, err)
	fanoutState := string(it.State)
	deadline := time.Now().Add(30 * time.Second)
	stored := 0
	for time.Now().Before(deadline) {
		es, err := st.InboxEntries(context.Background(), storage.InboxFilter{})
		must(b, err)
		if stored = len(es); stored >= n-failed {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	must(b, serve.Process.Signal(syscall.SIGTERM))
	_ = serve.Wait()

	slices.Sort(took)
	ok := took[failed:]
	p := func(q float64) float64 { return float64(ok[int(q*float64(len(ok)-1))].Microseconds()) / 1000 }
	fmt.Printf("push under fan-out: %d pushes at %d/s while %d WeChat accounts were published to (item %s when the pushes ended): answered p50 %.1f ms, p99 %.1f ms, max %.1f ms; %d refused or unanswered; %d stored (once each)\n",
		n, perSecond, nWeChat, fanoutState, p(0.5), p(0.99), p(1), failed, stored)
	b.ReportMetric(p(0.99), "p99-ms")
	if stored != n-failed {
		b.Errorf("stored %d of %d pushes", stored, n-failed)
	}
}
