package scheduler

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herald-gov/herald/content"
)

// retractRetryAfter is how long the daemon waits before trying again to
// delete a publication whose deletion failed.
const retractRetryAfter = 10 * time.Minute

// retractor carries on the retracts clerks asked for (queue.Service.Retract,
// from the CLI, the API or the console): what was in flight at the retract
// and settles published is deleted, and the item ends retracted once the
// platforms have nothing of it. It runs in its own goroutine, one pass at a
// time, so that platform calls never hold up the scheduler's loop.
type retractor struct {
	s       *Scheduler
	wg      sync.WaitGroup
	running atomic.Bool
	again   atomic.Bool

	mu       sync.Mutex
	failedAt map[int64]time.Time // delivery id → when its deletion last failed
}

// kick asks for a pass; one runs at a time and a kick during a pass makes
// another follow it.
func (r *retractor) kick(ctx context.Context) {
	if r.s.queue == nil {
		return
	}
	r.again.Store(true)
	if !r.running.CompareAndSwap(false, true) {
		return
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			r.again.Store(false)
			r.pass(ctx)
			if r.again.Load() && ctx.Err() == nil {
				continue
			}
			r.running.Store(false)
			// A kick between the check and the store found running set and left.
			if !r.again.Load() || ctx.Err() != nil || !r.running.CompareAndSwap(false, true) {
				return
			}
		}
	}()
}

func (r *retractor) pass(ctx context.Context) {
	s := r.s
	ids, err := s.store.RetractingItems(ctx)
	if err != nil {
		s.log.Error("retracting items", "err", err)
		return
	}
	now := s.opts.Now()
	try := func(d content.Delivery) bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		at, ok := r.failedAt[d.ID]
		return !ok || now.Sub(at) >= retractRetryAfter
	}
	failed := func(d content.Delivery, err error) {
		r.mu.Lock()
		r.failedAt[d.ID] = now
		r.mu.Unlock()
		s.log.Warn("retract: could not delete a publication; trying again later", "item", d.ItemID, "account", d.Account,
			"retry_in", retractRetryAfter.String(), "err", err)
	}
	for _, id := range ids {
		if ctx.Err() != nil {
			return
		}
		state, err := s.queue.ContinueRetract(ctx, s.channels, id, try, failed)
		if err != nil {
			s.log.Error("continue retract", "item", id, "err", err)
			continue
		}
		if state == content.ItemRetracted {
			s.log.Info("item retracted: nothing of it is left on the platforms", "item", id)
		}
	}
}
