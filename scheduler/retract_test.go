package scheduler

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/queue"
)

// sharesOf counts the statuses/share calls every Weibo account made and the
// posts of the item (by its text) the platform holds, and how many of those
// are not deleted.
func sharesOf(snap sandbox.State, text string) (calls, posts, live int) {
	for _, u := range snap.Weibo {
		calls += u.Calls["/2/statuses/share.json"]
		for _, p := range u.Posts {
			if strings.Contains(p.Text, text) {
				posts++
				if !p.Deleted {
					live++
				}
			}
		}
	}
	return calls, posts, live
}

// A retract during a fan-out stops it: nothing is published after the
// retract returns, what went out before or was in flight is deleted, and
// the item ends retracted with nothing of it on the platform.
func TestRetractMidFanOutLeavesNothing(t *testing.T) {
	h := newHarness(t, testenv.Options{Weibo: 40, Workers: 4, Sandbox: sandbox.Options{Faults: sandbox.Faults{Latency: 40 * time.Millisecond}}})
	h.start()
	const text = "撤回测试：本条将被撤回"
	id := h.add(queue.Draft{Kind: content.KindShort, Title: "撤回测试", Body: text})
	testenv.Eventually(t, "the fan-out to start", func() bool {
		_, posts, _ := sharesOf(h.sb.Snapshot(), text)
		return posts >= 6
	})
	rep, err := h.q.Retract(context.Background(), queue.Actor{Name: "test"}, id, h.reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	callsAtRetract, _, _ := sharesOf(h.sb.Snapshot(), text)
	t.Logf("retract: %s", rep.Message())
	if len(rep.Stopped) == 0 || len(rep.Deleted) == 0 {
		t.Fatalf("the retract should have stopped some and deleted some: %s", rep.Message())
	}
	testenv.Eventually(t, "the item to be retracted", func() bool {
		it, err := h.st.Item(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return it.State == content.ItemRetracted
	})
	calls, posts, live := sharesOf(h.sb.Snapshot(), text)
	if calls != callsAtRetract {
		t.Errorf("%d publishing calls reached the platform after the retract returned", calls-callsAtRetract)
	}
	if live != 0 {
		t.Errorf("%d of the item's %d posts are still on the platform", live, posts)
	}
	if posts >= 40 {
		t.Errorf("the fan-out went on: %d posts", posts)
	}
	t.Logf("%d posts went out before the retract stopped the rest; all deleted", posts)
}
