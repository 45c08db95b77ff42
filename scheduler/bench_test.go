package scheduler

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/internal/measure"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/queue"
)

// BenchmarkFanOut publishes one article (cover + one body image) to 300
// WeChat and 50 Weibo accounts against the sandbox with 50 ms latency per
// call and 32 workers, and reports wall time against the critical-path
// bound: the sequential calls of every account, spread over the workers,
// times the latency. A WeChat article is 6 calls (token, add_material,
// uploadimg, draft/add, freepublish/submit, freepublish/get); a Weibo post 1.
//
//	go test -run '^$' -bench FanOut -benchtime 1x ./scheduler/
func BenchmarkFanOut(b *testing.B) {
	const (
		wechatAccounts, weiboAccounts = 300, 50
		workers                       = 32
		latency                       = 50 * time.Millisecond
		wechatCalls, weiboCalls       = 6, 1
	)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h := newHarness(b, testenv.Options{WeChat: wechatAccounts, Weibo: weiboAccounts, Workers: workers,
			Sandbox: sandbox.Options{Faults: sandbox.Faults{Latency: latency}, PublishPolls: -1}})
		h.start()
		b.StartTimer()
		start := time.Now()
		id := h.add(queue.Draft{Title: "扇出基准"})
		h.waitSettled([]int64{id}, 5*time.Minute)
		wall := time.Since(start)
		b.StopTimer()

		slots := wechatAccounts*wechatCalls + weiboAccounts*weiboCalls
		bound := time.Duration((slots+workers-1)/workers) * latency
		calls := 0
		snap := h.sb.Snapshot()
		for _, w := range snap.WeChat {
			for _, n := range w.Calls {
				calls += n
			}
		}
		for _, w := range snap.Weibo {
			for _, n := range w.Calls {
				calls += n
			}
		}
		it, _ := h.st.Item(context.Background(), id)
		ratio := wall.Seconds() / bound.Seconds()
		rss := measure.PeakRSS()
		fmt.Printf("fan-out: %d WeChat + %d Weibo accounts, %d workers, %s latency: wall %.2fs, critical-path bound %.2fs, ratio %.2f, platform calls %d (minimum %d), peak RSS %.1f MB, item %s\n",
			wechatAccounts, weiboAccounts, workers, latency, wall.Seconds(), bound.Seconds(), ratio, calls, slots, float64(rss)/(1<<20), it.State)
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(bound.Seconds(), "bound-s")
		b.ReportMetric(ratio, "ratio")
		b.ReportMetric(float64(calls), "calls")
		b.ReportMetric(float64(rss)/(1<<20), "peakRSS-MB")
		h.shutdown()
	}
}
