package wechat

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/content"
)

// Two channels with different wechat.api_base and wechat.timeout work side
// by side in one process: each one's calls reach its own platform and obey
// its own timeout (the library's hooks are process-wide; herald's settings
// travel with each request).
func TestTwoChannelsWithDifferentSettingsCoexist(t *testing.T) {
	fast := newEnv(t, sandbox.Options{Seed: 41})
	slow := newEnv(t, sandbox.Options{Seed: 42, Faults: sandbox.Faults{Latency: 300 * time.Millisecond}})
	slow.cfg.WeChat.Timeout = 100 * time.Millisecond
	slow.open()

	var wg sync.WaitGroup
	var fastErr, slowErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, fastErr = fast.ch.Publish(context.Background(), fast.acct["fabu"], fast.pub(content.KindArticle, fast.article("快的平台")))
	}()
	go func() {
		defer wg.Done()
		_, slowErr = slow.ch.Publish(context.Background(), slow.acct["fabu"], slow.pub(content.KindArticle, slow.article("慢的平台")))
	}()
	wg.Wait()
	if fastErr != nil {
		t.Fatalf("the channel with a 5 s timeout failed: %v", fastErr)
	}
	if slowErr == nil {
		t.Fatal("the channel with a 100 ms timeout published against a platform answering in 300 ms")
	}
	if p := fast.state("wx_fabu").Published; len(p) != 1 || p[0].Title != "快的平台" {
		t.Fatalf("the first platform has %+v", p)
	}
	if p := slow.state("wx_fabu").Published; len(p) != 0 {
		t.Fatalf("the second platform has %+v", p)
	}
	for path := range slow.state("wx_fabu").Calls {
		if strings.Contains(path, "draft") {
			t.Fatalf("the first channel's calls reached the second platform: %v", slow.state("wx_fabu").Calls)
		}
	}
}
