package scheduler

import (
	"context"
	"errors"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// The rescuer finds deliveries left in sending with no executor running
// them — a process that died mid-call, or an answer this process could not
// record — and turns them into unknown, so that the executor looks them up
// before anything is sent again (rule 3). It runs once at start, where
// every sending row is orphaned, and then every Options.RescueEvery, where
// it spares the deliveries this process has in flight.

// rescue turns orphaned sending rows into unknown. held reports whether this
// process is running a delivery; nil at start.
func (s *Scheduler) rescue(ctx context.Context, held func(id int64) bool) (int, error) {
	left, err := s.store.InFlight(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range left {
		if held != nil && held(d.ID) {
			continue
		}
		err := s.store.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: d.ID, From: content.DeliverySending, To: content.DeliveryUnknown,
			AttemptID: d.AttemptID, Error: reasonRescued, Detail: "sending → unknown: no process is running this attempt"})
		switch {
		case err == nil:
			n++
		case errors.Is(err, storage.ErrConflict):
		default:
			return n, err
		}
	}
	if n > 0 {
		s.log.Warn("deliveries left in sending by an attempt no process runs; looking them up before anything is retried", "count", n)
	}
	return n, nil
}
