package main

import (
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/internal/testenv"
)

// An item the CLI adds while serve runs starts delivering within 2 seconds
// (design.md): the daemon notices the other connection's commit.
func TestItemAddedByCLIStartsWithinTwoSeconds(t *testing.T) {
	e := newEnv(t, testenv.Options{WeChat: 1, Sandbox: sandbox.Options{Seed: 3}, YAML: "listen: 127.0.0.1:0\nreview: {levels: []}"})
	e.startDaemon(nil)
	time.Sleep(300 * time.Millisecond) // the daemon is idle, waiting

	added := time.Now()
	e.addArticle("--to", "wx000", "--at", "now")
	for {
		if calls := e.Sandbox.Snapshot().WeChat["wxapp000"].Calls; len(calls) > 0 {
			t.Logf("first platform call %s after the CLI added the item", time.Since(added).Round(time.Millisecond))
			break
		}
		if time.Since(added) > 2*time.Second {
			t.Fatal("nothing reached the platform within 2 s of the CLI adding a due item")
		}
		time.Sleep(20 * time.Millisecond)
	}

}
