package scheduler

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// periodic is the cron enqueuer: every scheduled recurring item is a cron
// entry (in the configured timezone) whose firing adds a scheduled copy of
// the item, with its own deliveries, and wakes the producer.
type periodic struct {
	store *storage.Store
	queue *queue.Service
	cron  *cron.Cron
	now   func() time.Time
	log   *slog.Logger
	wake  func()

	mu      sync.Mutex
	entries map[int64]cron.EntryID
}

// sync registers every scheduled recurring item and drops the entries of
// items no longer scheduled.
func (p *periodic) sync(ctx context.Context) {
	items, err := p.store.CronItems(ctx)
	if err != nil {
		p.log.Error("cron items", "err", err)
		return
	}
	want := map[int64]string{}
	for _, it := range items {
		if it.Cron != "" {
			want[it.ID] = it.Cron
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, entry := range p.entries {
		if _, ok := want[id]; !ok {
			p.cron.Remove(entry)
			delete(p.entries, id)
		}
	}
	for id, spec := range want {
		if _, ok := p.entries[id]; ok {
			continue
		}
		entry, err := p.cron.AddFunc(spec, func() { p.fire(context.Background(), id) })
		if err != nil {
			p.log.Error("bad cron spec", "item", id, "cron", spec, "err", err)
			continue
		}
		p.entries[id] = entry
		p.log.Info("recurring item registered", "item", id, "cron", spec, "next", p.cron.Entry(entry).Next.Format(time.RFC3339))
	}
}

func (p *periodic) fire(ctx context.Context, id int64) {
	child, err := p.queue.RunRecurring(ctx, id, p.now())
	if err != nil {
		p.log.Error("recurring item run", "item", id, "err", err)
		return
	}
	p.log.Info("recurring item fired", "item", id, "run", child)
	p.wake()
}
