package scheduler

import (
	"context"
	"testing"
	"time"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// An account held for bad credentials costs nothing while it waits: its
// pending delivery waits for a health check, not a time, so the scheduler's
// loop does not wake for it (it used to re-poll the store every 10 ms for
// as long as the credential stayed bad).
func TestHeldAccountDoesNotSpin(t *testing.T) {
	h := newHarness(t, testenv.Options{Weibo: 1})
	h.sched = New(h.cfg, h.st, h.q, h.reg, quiet, Options{BackoffBase: 5 * time.Millisecond, BackoffMax: 20 * time.Millisecond,
		HealthEvery: time.Hour, PollEvery: 20 * time.Millisecond, LookupEvery: 20 * time.Millisecond})
	h.sb.ExpireWeiboToken("100000")
	h.start()
	id := h.add(queue.Draft{Kind: content.KindShort, Title: "凭据过期", Body: "凭据过期的账号"})
	testenv.Eventually(t, "the account to be held", func() bool {
		held, err := h.st.HeldAccounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return len(held) == 1
	})
	ds, _ := h.st.Deliveries(context.Background(), id)
	if len(ds) != 1 || ds[0].State != content.DeliveryPending {
		t.Fatalf("deliveries: %+v", ds)
	}
	// A retry time that came while the account is held (a transient error
	// before the credential went bad, quiet hours): the delivery still waits
	// for the account, not for the time.
	if err := h.st.SetDeliveryRetry(context.Background(), ds[0].ID, content.DeliveryPending, time.Now().Add(-time.Second), "微博调用频率超限，稍后重试"); err != nil {
		t.Fatal(err)
	}
	m0 := h.sched.maintains.Load()
	h.sched.Wake()
	testenv.Eventually(t, "the scheduler's pass after the wake", func() bool { return h.sched.maintains.Load() != m0 })
	before := h.sched.maintains.Load()
	window := time.Second
	time.Sleep(window) // the measurement window: the daemon is idle, nothing to wait for
	n := h.sched.maintains.Load() - before
	t.Logf("store passes in %s with a held account: %d", window, n)
	if n > 5 {
		t.Fatalf("the scheduler made %d passes over the store in %s with nothing due: it spins on the held account", n, window)
	}
	if a, _ := h.st.Account(context.Background(), "wb000"); a.Health != storage.HealthUnhealthy {
		t.Fatalf("account health %q", a.Health)
	}
}
