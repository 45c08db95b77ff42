package scheduler

import (
	"context"
	"fmt"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/storage"
)

// An account whose credentials the platform refused is held: the producer
// does not fetch its pending deliveries while it is unhealthy (the ready
// query leaves them out), so a held account costs nothing per completion.
// It resumes as soon as a check passes — `herald accounts check` in another
// process, which wakes the daemon, or the daemon's own probe every
// Options.HealthEvery.

// probeHeld checks every held account that has deliveries waiting, and
// wakes the producer for those whose check passed. It runs in its own
// goroutine; done is called when it finishes.
func (s *Scheduler) probeHeld(ctx context.Context, done func()) {
	defer done()
	held, err := s.store.HeldAccounts(ctx)
	if err != nil {
		s.log.Error("held accounts", "err", err)
		return
	}
	for _, id := range held {
		if err := s.CheckAccount(ctx, id); err == nil {
			s.log.Info("account healthy again; its deliveries resume", "account", id)
			s.Wake()
		}
	}
}

// CheckAccount checks an account's credentials with its platform and
// records its health.
func (s *Scheduler) CheckAccount(ctx context.Context, id string) error {
	acct, ok := s.cfg.Account(id)
	if !ok {
		return fmt.Errorf("scheduler: account %s is not configured", id)
	}
	ch, err := s.channels.For(acct.Platform)
	if err != nil {
		return err
	}
	err = ch.Check(ctx, acct)
	switch channels.ClassOf(err) {
	case channels.ClassCredentials:
		_ = s.store.SetAccountHealth(ctx, id, storage.HealthUnhealthy, err.Error())
		return err
	default:
		if err != nil {
			return err // transient: leave health as it was
		}
	}
	return s.store.SetAccountHealth(ctx, id, storage.HealthOK, "")
}
