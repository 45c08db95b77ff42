package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/internal/testenv"
)

// An item the CLI adds while serve runs starts delivering within 2 seconds
// (design.md): the daemon notices the other connection's commit.
func TestItemAddedByCLIStartsWithinTwoSeconds(t *testing.T) {
	e := newEnv(t, testenv.Options{WeChat: 1, Sandbox: sandbox.Options{Seed: 3}, YAML: "listen: 127.0.0.1:0\nreview: {levels: []}"})
	var addr string
	e.startDaemon(func(d *daemon) { addr = d.ln.Addr().String() })
	testenv.Eventually(t, "the daemon to serve", func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})

	added := time.Now()
	e.addArticle("--to", "wx000", "--at", "now")
	testenv.Eventually(t, "the first platform call", func() bool { return len(e.Sandbox.Snapshot().WeChat["wxapp000"].Calls) > 0 })
	if took := time.Since(added); took > 2*time.Second {
		t.Fatalf("the first platform call came %s after the CLI added a due item, want within 2 s", took.Round(time.Millisecond))
	}

}
