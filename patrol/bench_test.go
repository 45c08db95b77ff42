package patrol

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
)

// BenchmarkPatrol1000Accounts: 1,000 accounts (800 WeChat, 200 Weibo) with
// a month of publications each (about 30,000), read from the sandbox with
// no latency and checked. Run with -benchtime=1x; it prints the figures.
func BenchmarkPatrol1000Accounts(b *testing.B) {
	const wechatN, weiboN, days = 800, 200, 30
	text := []rune(prose(b))
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(b, wechatN, weiboN, "")
		pubs := 0
		for a := 0; a < wechatN+weiboN; a++ {
			for d := 0; d < days; d++ {
				at := e.Clock.Now().Add(-time.Duration(d)*24*time.Hour - time.Duration(a%600)*time.Minute)
				if a < wechatN {
					// An article of 1,000-1,600 characters cut from the report.
					start := (a*31 + d*97) % (len(text) - 1700)
					body := string(text[start : start+1000+(a+d)%600])
					if _, err := e.Sandbox.PlaceArticle(fmt.Sprintf("wxapp%03d", a), sandbox.HandArticle{Title: fmt.Sprintf("工作动态 %d-%d", a, d), Content: body, At: at}); err != nil {
						b.Fatal(err)
					}
				} else {
					start := (a*13 + d*7) % (len(text) - 200)
					if _, err := e.Sandbox.PlaceWeiboPost(fmt.Sprint(100000+a-wechatN), string(text[start:start+120]), at); err != nil {
						b.Fatal(err)
					}
				}
				pubs++
			}
		}
		from, to := e.window()
		ctx := context.Background()
		b.StartTimer()
		t0 := time.Now()
		res, err := e.p.Run(ctx, from, to, nil)
		elapsed := time.Since(t0)
		b.StopTimer()
		if err != nil || len(res.Unreadable) != 0 {
			b.Fatalf("%v %+v", err, res.Unreadable)
		}
		if res.Publications != pubs || res.Read != pubs {
			b.Fatalf("checked %d, read %d, placed %d", res.Publications, res.Read, pubs)
		}
		t1 := time.Now()
		again, err := e.p.Run(ctx, from, to, nil)
		if err != nil || again.Read != 0 {
			b.Fatalf("second run: %v, read %d", err, again.Read)
		}
		rerun := time.Since(t1)
		mb := float64(res.Chars) / 1e6
		b.ReportMetric(elapsed.Seconds(), "s/patrol")
		b.ReportMetric(float64(res.Publications), "publications")
		b.ReportMetric(mb/res.CheckTime.Seconds(), "MB/s-checked")
		b.ReportMetric(float64(res.Calls), "calls")
		b.Logf("first patrol: %d accounts, %d publications, %.1f MB of text, %d platform calls; %.1fs in all (reading %.1fs, checking %.2fs = %.1f MB/s), %d findings",
			res.Accounts, res.Publications, mb, res.Calls, elapsed.Seconds(), res.ReadTime.Seconds(), res.CheckTime.Seconds(), mb/res.CheckTime.Seconds(), len(res.Findings))
		b.Logf("second patrol (nothing new): %d platform calls, %.1fs", again.Calls, rerun.Seconds())
	}
}
