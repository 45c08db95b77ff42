// Package scheduler is herald's delivery engine: it turns approved items
// into exactly one publication per target account. Each delivery row is a
// job; the engine is cut the way job queues are:
//
//   - items.go: items start publishing at their time (their pending
//     deliveries become ready) and settle when every delivery is final;
//   - periodic.go: the cron enqueuer for recurring items;
//   - producer.go: fetches ready deliveries in batches and hands them to a
//     bounded pool of workers, one call sequence per account at a time;
//   - executor.go: the one place that owns a delivery's state machine
//     (pending → sending → published/unknown/failed) and the exactly-once
//     rule, written at the top of that file;
//   - retry_policy.go: when a failed attempt is tried again;
//   - rescuer.go: deliveries left in sending with no process running them
//     become unknown and are looked up;
//   - health.go, quiet_hours.go: accounts held for bad credentials, and the
//     quiet window;
//   - wake.go: how another herald process (the CLI) wakes the daemon.
//
// The engine talks to platforms only through channels.Channel. A newcomer
// follows an item from `post add` to the platform call through
// Scheduler.Run (wake), startDue, producer.pump, Executor.Execute and the
// channel's Publish.
package scheduler

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
	"golang.org/x/time/rate"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/ctxtime"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// Options tune the scheduler; zero values take the defaults.
type Options struct {
	// PollEvery is how often the database is checked for changes made by
	// other processes when no wake-up came (default 500 ms).
	PollEvery time.Duration
	// LookupEvery is how long to wait before looking an unknown attempt up
	// again when the platform could not tell yet (default 30 s).
	LookupEvery time.Duration
	// BackoffBase and BackoffMax shape the retry backoff (default 2 s, 10 min).
	BackoffBase, BackoffMax time.Duration
	// Grace bounds how long shutdown waits for calls in flight (default 10 s).
	Grace time.Duration
	// HealthEvery is how often held accounts are checked again (default 10 min).
	HealthEvery time.Duration
	// RescueEvery is how often the rescuer looks for orphaned sending rows
	// (default 1 min).
	RescueEvery time.Duration
	// SettleDelay batches item settling while deliveries still run (default 100 ms).
	SettleDelay time.Duration
	// Rates limit how many deliveries start per second on a platform, with
	// a burst of delivery.workers. The default paces Weibo at 50/s: its
	// call limits count per IP address, and every account's calls leave
	// from this one. WeChat is not paced: its limits count per official
	// account (each its own app), and the producer already runs at most one
	// call sequence per account at a time.
	Rates map[string]rate.Limit
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Scheduler is the delivery engine. Create it with New and call Run.
type Scheduler struct {
	cfg      *configs.Config
	store    *storage.Store
	queue    *queue.Service
	channels channels.Registry
	log      *slog.Logger
	opts     Options
	exec     *Executor
	wake     chan struct{}
	retracts *retractor
	// maintains counts the loop's passes over the store (due items,
	// settling, a fresh fetch): an idle daemon makes none until something
	// changes or comes due.
	maintains atomic.Int64
}

// New returns a scheduler.
func New(cfg *configs.Config, store *storage.Store, q *queue.Service, reg channels.Registry, log *slog.Logger, opts Options) *Scheduler {
	if opts.PollEvery == 0 {
		opts.PollEvery = 500 * time.Millisecond
	}
	if opts.LookupEvery == 0 {
		opts.LookupEvery = 30 * time.Second
	}
	if opts.BackoffBase == 0 {
		opts.BackoffBase = 2 * time.Second
	}
	if opts.BackoffMax == 0 {
		opts.BackoffMax = 10 * time.Minute
	}
	if opts.Grace == 0 {
		opts.Grace = 10 * time.Second
	}
	if opts.HealthEvery == 0 {
		opts.HealthEvery = 10 * time.Minute
	}
	if opts.RescueEvery == 0 {
		opts.RescueEvery = time.Minute
	}
	if opts.SettleDelay == 0 {
		opts.SettleDelay = 100 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	rates := map[string]rate.Limit{configs.PlatformWeibo: 50}
	for p, r := range opts.Rates {
		rates[p] = r
	}
	limiters := map[string]*rate.Limiter{}
	for p, r := range rates {
		limiters[p] = rate.NewLimiter(r, cfg.Delivery.Workers)
	}
	s := &Scheduler{cfg: cfg, store: store, queue: q, channels: reg, log: log, opts: opts, wake: make(chan struct{}, 1)}
	s.retracts = &retractor{s: s, failedAt: map[int64]time.Time{}}
	s.exec = &Executor{cfg: cfg, store: store, channels: reg, retry: Backoff{Base: opts.BackoffBase, Max: opts.BackoffMax},
		quiet: newQuietHours(cfg), now: opts.Now, sleep: ctxtime.Sleep, log: log, limiters: limiters, lookupEvery: opts.LookupEvery,
		attemptID: newAttemptID, revisions: map[int64]content.Revision{}, refusals: map[refusalKey]string{}}
	if q != nil {
		s.exec.wording = func(kind content.Kind, rev *content.Revision) error {
			_, err := q.CheckWording(kind, rev)
			return err
		}
	}
	return s
}

// Wake asks the scheduler to look for work now (e.g. after the API added an item).
func (s *Scheduler) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx ends, then stops taking work, lets calls in flight
// finish within the grace period, and returns. Every state change is
// committed as it happens, so there is nothing else to persist.
func (s *Scheduler) Run(ctx context.Context, extraCron func(c *cron.Cron) error) error {
	// Calls in flight get their own context: shutdown gives them Grace to finish.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	if _, err := s.rescue(ctx, nil); err != nil {
		return err
	}
	c := cron.New(cron.WithLocation(s.cfg.Location))
	if extraCron != nil {
		if err := extraCron(c); err != nil {
			return err
		}
	}
	c.Start()
	defer c.Stop()
	per := &periodic{store: s.store, queue: s.queue, cron: c, now: s.opts.Now, log: s.log, wake: s.Wake, entries: map[int64]cron.EntryID{}}

	version, _ := s.store.DataVersion(ctx)

	p := newProducer(s)
	poll := time.NewTicker(s.opts.PollEvery)
	defer poll.Stop()
	rescueTick := time.NewTicker(s.opts.RescueEvery)
	defer rescueTick.Stop()
	healthTick := time.NewTicker(s.opts.HealthEvery)
	defer healthTick.Stop()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var settleC <-chan time.Time
	probeDone := make(chan struct{}, 1)
	probing, settleDirty := false, false

	maintain := func() {
		s.maintains.Add(1)
		s.startDue(ctx)
		per.sync(ctx)
		s.settle(ctx) // a cancel or a rescue may have finished an item
		s.retracts.kick(workCtx)
		p.refresh()
	}
	maintain()
	s.log.Info("scheduler started", "workers", s.cfg.Delivery.Workers)
	for {
		select {
		case <-ctx.Done():
			return s.shutdown(p, cancelWork)
		case o := <-p.done:
			p.complete(o)
			settleDirty = settleDirty || o.State.Final()
		case <-s.wake:
			maintain()
		case <-timer.C:
			maintain()
		case <-poll.C:
			if v, err := s.store.DataVersion(ctx); err == nil && v != version {
				version = v
				maintain()
			}
		case <-rescueTick.C:
			if n, err := s.rescue(ctx, p.holds); err != nil {
				s.log.Error("rescue sending deliveries", "err", err)
			} else if n > 0 {
				p.refresh()
			}
		case <-healthTick.C:
			if !probing {
				probing = true
				go s.probeHeld(workCtx, func() { probeDone <- struct{}{} })
			}
		case <-probeDone:
			probing = false
		case <-settleC:
			settleC = nil
			s.settle(ctx)
			s.retracts.kick(workCtx)
		}
		p.pump(ctx, workCtx)
		if settleDirty {
			if p.idle() {
				settleC = nil
				settleDirty = false
				s.settle(ctx)
				s.retracts.kick(workCtx)
			} else if settleC == nil {
				settleC = time.After(s.opts.SettleDelay)
				settleDirty = false
			}
		}
		timer.Reset(p.wait(ctx))
	}
}

// shutdown stops dispatching and lets calls in flight finish within Grace.
func (s *Scheduler) shutdown(p *producer, cancelWork context.CancelFunc) error {
	done := make(chan struct{})
	go func() { p.wg.Wait(); s.retracts.wg.Wait(); close(done) }()
	select {
	case <-done:
		s.log.Info("scheduler stopped: no calls in flight")
	case <-time.After(s.opts.Grace):
		cancelWork()
		<-done
		s.log.Warn("scheduler stopped: calls in flight were cut off; they are reconciled at next start", "grace", s.opts.Grace)
	}
	return nil
}
