package scheduler

import (
	"context"
	"sync"
	"time"

	"github.com/herald-gov/herald/storage"
)

// The producer fetches ready deliveries from the store in batches and
// hands them to a bounded pool of workers (delivery.workers), at most one
// call sequence per account at a time. A completion costs no query: the
// next delivery comes from the batch already fetched, and a new batch is
// fetched only when the batch runs short. Only the Run loop goroutine
// touches the producer's maps; workers report back on done.
type producer struct {
	s       *Scheduler
	exec    *Executor
	workers int
	batch   int

	inflight map[int64]string // delivery id -> account, while a worker runs it
	busy     map[string]bool  // accounts with a call sequence in flight
	ready    []storage.ReadyDelivery
	// more: the last fetch filled its batch, so more deliveries may be ready.
	more bool
	// cooldown holds deliveries whose last execution could not write
	// anything: they are not dispatched again before the time given.
	cooldown map[int64]time.Time
	// next is the earliest time something is known to become due; nextKnown
	// says whether it still stands (else the store is asked when idle).
	next      time.Time
	nextKnown bool

	done chan Execution
	wg   sync.WaitGroup
}

func newProducer(s *Scheduler) *producer {
	w := s.cfg.Delivery.Workers
	return &producer{s: s, exec: s.exec, workers: w, batch: max(w, 16),
		inflight: map[int64]string{}, busy: map[string]bool{}, cooldown: map[int64]time.Time{},
		done: make(chan Execution, w)}
}

// refresh drops what was fetched: the next pump reads the store afresh
// (new items, an account that resumed, urgent work first).
func (p *producer) refresh() {
	p.ready = p.ready[:0]
	p.more = true
	p.next, p.nextKnown = time.Time{}, false
}

// holds reports whether this process is running the delivery.
func (p *producer) holds(id int64) bool {
	_, ok := p.inflight[id]
	return ok
}

func (p *producer) idle() bool {
	return len(p.inflight) == 0 && len(p.ready) == 0 && !p.more
}

// pump starts queued deliveries while workers are free, fetching the next
// batch when the ready list runs short.
func (p *producer) pump(ctx, workCtx context.Context) {
	for {
		p.dispatch(workCtx)
		free := p.workers - len(p.inflight)
		if free == 0 || !p.more || len(p.ready) >= 4*p.batch || ctx.Err() != nil {
			return
		}
		p.fetch(ctx)
		if len(p.ready) == 0 {
			return
		}
	}
}

// fetch appends the next batch of ready deliveries, leaving out those
// already queued, in flight or cooling down.
func (p *producer) fetch(ctx context.Context) {
	now := p.s.opts.Now()
	skip := make([]int64, 0, len(p.inflight)+len(p.ready)+len(p.cooldown))
	for id := range p.inflight {
		skip = append(skip, id)
	}
	for _, r := range p.ready {
		skip = append(skip, r.ID)
	}
	for id, until := range p.cooldown {
		if until.After(now) {
			skip = append(skip, id)
		} else {
			delete(p.cooldown, id)
		}
	}
	rows, err := p.s.store.ReadyDeliveries(ctx, now, p.batch, skip...)
	if err != nil {
		if ctx.Err() == nil {
			p.s.log.Error("ready deliveries", "err", err)
			p.noteNext(now.Add(time.Second))
		}
		p.more = false
		return
	}
	p.ready = append(p.ready, rows...)
	p.more = len(rows) == p.batch
}

// dispatch starts queued deliveries in order while workers are free; a
// delivery whose account is busy waits in the ready list.
func (p *producer) dispatch(workCtx context.Context) {
	kept := p.ready[:0]
	for i, r := range p.ready {
		if len(p.inflight) >= p.workers {
			kept = append(kept, p.ready[i:]...)
			break
		}
		if p.busy[r.Account] || p.holds(r.ID) {
			kept = append(kept, r)
			continue
		}
		p.start(workCtx, r)
	}
	clear(p.ready[len(kept):])
	p.ready = kept
}

func (p *producer) start(workCtx context.Context, r storage.ReadyDelivery) {
	p.inflight[r.ID] = r.Account
	p.busy[r.Account] = true
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.done <- p.exec.Execute(workCtx, r)
	}()
}

// complete takes a worker's outcome.
func (p *producer) complete(o Execution) {
	delete(p.inflight, o.ID)
	delete(p.busy, o.Account)
	if o.Held {
		p.cooldown[o.ID] = o.Next
	}
	if !o.Next.IsZero() {
		p.noteNext(o.Next)
	}
}

func (p *producer) noteNext(t time.Time) {
	if p.next.IsZero() || t.Before(p.next) {
		p.next = t
	}
}

// wait returns how long the loop may sleep before something becomes due.
func (p *producer) wait(ctx context.Context) time.Duration {
	if p.idle() && !p.nextKnown {
		next, err := p.s.store.NextWake(ctx)
		if err != nil {
			if ctx.Err() == nil {
				p.s.log.Error("next wake", "err", err)
			}
			next = time.Time{}
		}
		if !next.IsZero() {
			p.noteNext(next)
		}
		p.nextKnown = true
	}
	for _, until := range p.cooldown {
		p.noteNext(until)
	}
	wait := time.Minute
	if !p.next.IsZero() {
		wait = min(wait, max(p.next.Sub(p.s.opts.Now()), 10*time.Millisecond))
	}
	return wait
}
