package scheduler

import (
	"context"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/queue"
)

// A --notify item whose mass-send answer is lost settles published without
// a second mass send, on a platform that checks the draft before the
// clientmsgid (40007 for the draft the first send consumed) and does not
// list mass-sent articles in batchget: the lookup asks draft/get about the
// draft herald made for the delivery, finds it gone (the mass send took
// it) and takes it as gone out. Nothing is sent again.
func TestNotifyAfterLostAnswerSettlesWithoutSecondMassSend(t *testing.T) {
	h := newHarness(t, testenv.Options{WeChat: 1, Sandbox: sandbox.Options{MassSendsUnlisted: true}})
	h.sb.LoseNext("/cgi-bin/message/mass/sendall", 1)
	h.start()
	id := h.add(queue.Draft{Title: "群发答复丢失", Notify: true})
	h.waitSettled([]int64{id}, 20*time.Second)
	it, _ := h.st.Item(context.Background(), id)
	if it.State != content.ItemDone {
		t.Fatalf("item %s: %s", it.State, it.StateReason)
	}
	st := h.sb.Snapshot().WeChat["wxapp000"]
	if len(st.MassSends) != 1 || len(st.Published) != 1 || st.Calls["/cgi-bin/freepublish/submit"] != 0 {
		t.Fatalf("platform: %d mass sends, %d published, %d submits; want one mass send", len(st.MassSends), len(st.Published), st.Calls["/cgi-bin/freepublish/submit"])
	}
	if n := st.Calls["/cgi-bin/message/mass/sendall"]; n != 1 {
		t.Fatalf("sendall called %d times after a lost answer, want 1", n)
	}
}
