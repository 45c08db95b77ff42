package main

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/scheduler"
)

// panicking is a channel with a bug: its first Publish makes the real
// platform calls, then panics before it can answer.
type panicking struct {
	channels.Channel
	panicked chan struct{}
}

func (p *panicking) Publish(ctx context.Context, acct *configs.Account, pub channels.Publication) (channels.Result, error) {
	res, err := p.Channel.Publish(ctx, acct, pub)
	select {
	case <-p.panicked:
		return res, err
	default:
		close(p.panicked)
		panic("wechat: index out of range [1] with length 1")
	}
}

// A channel that panics after publishing leaves its delivery unknown; the
// lookup finds the article, so it is published once (the sandbox saw one),
// and the daemon goes on serving: its console answers and the next item
// goes out.
func TestPanickingChannelIsLookedUpAndTheDaemonServesOn(t *testing.T) {
	e := newEnv(t, testenv.Options{WeChat: 1, YAML: "listen: 127.0.0.1:0\nreview: {levels: []}"})
	p := &panicking{panicked: make(chan struct{})}
	var addr string
	e.startDaemon(func(d *daemon) {
		_, _, reg := newChannels(d.cfg, d.store, e.Log)
		p.Channel = reg[configs.PlatformWeChat]
		reg[configs.PlatformWeChat] = p
		d.sched = scheduler.New(d.cfg, d.store, d.queue, reg, e.Log, scheduler.Options{})
		addr = d.ln.Addr().String()
	})
	first := e.addArticle("--to", "wx000", "--at", "now")
	testenv.Eventually(t, "the channel to panic", func() bool {
		select {
		case <-p.panicked:
			return true
		default:
			return false
		}
	})
	testenv.Eventually(t, "the first item to be found published", func() bool { return e.show(first).State == "done" })
	if got := e.show(first).Deliveries[0]; got.State != "published" || got.URL == "" {
		t.Fatalf("delivery after the panic: %+v", got)
	}
	code, out, _ := e.herald("audit", "--item", strconv.FormatInt(first, 10))
	if code != 0 || !strings.Contains(out, "sending → unknown") || !strings.Contains(out, "unknown → published") {
		t.Fatalf("the audit does not show the lookup:\n%s", out)
	}

	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the daemon stopped serving after the panic: %v", err)
	}
	resp.Body.Close()
	second := e.addArticle("--to", "wx000", "--at", "now")
	testenv.Eventually(t, "the second item to go out", func() bool { return e.show(second).State == "done" })
	if n := len(e.Sandbox.Snapshot().WeChat["wxapp000"].Published); n != 2 {
		t.Fatalf("the platform holds %d articles, want 2 (one per item)", n)
	}
}
