package storage

import (
	"context"
	"errors"
	"testing"

	"github.com/herald-gov/herald/content"
)

// publishingItem makes an item in publishing with deliveries to a and w.
func publishingItem(t *testing.T, s *Store) (int64, map[string]content.Delivery) {
	t.Helper()
	ctx := context.Background()
	id, _ := newItem(t, s)
	_, err := s.db.ExecContext(ctx, "UPDATE items SET state = 'publishing' WHERE id = ?", id)
	must(t, err)
	return id, deliveriesByAccount(t, s, id)
}

func deliveriesByAccount(t *testing.T, s *Store, id int64) map[string]content.Delivery {
	t.Helper()
	ds, err := s.Deliveries(context.Background(), id)
	must(t, err)
	out := map[string]content.Delivery{}
	for _, d := range ds {
		out[d.Account] = d
	}
	return out
}

// Nothing new starts once an item is cancelled: the claim (pending →
// sending) is refused in the same guarded UPDATE, even for a worker that
// read the delivery as pending before the cancel committed.
func TestClaimRefusedOnceTheItemIsCancelled(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	id, ds := publishingItem(t, s)
	must(t, s.TransitionItem(ctx, Transition{ItemID: id, From: content.ItemPublishing, To: content.ItemCancelled, Actor: "x", Action: "cancel"}))
	// A pending row left behind (read by a worker before the cancel).
	_, err := s.db.ExecContext(ctx, "UPDATE deliveries SET state = 'pending' WHERE id = ?", ds["a"].ID)
	must(t, err)
	err = s.UpdateDelivery(ctx, DeliveryUpdate{ID: ds["a"].ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: "late"})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("claim on a cancelled item: %v, want ErrConflict", err)
	}
}

// An attempt in flight at the cancel that comes back without having
// published (a transient error, or a lookup that found nothing) is never
// put back to pending for a retry: the store refuses (ErrItemCancelled)
// and the executor ends it cancelled.
func TestAttemptBackFromFlightAfterCancelIsNotRetried(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	id, ds := publishingItem(t, s)
	must(t, s.UpdateDelivery(ctx, DeliveryUpdate{ID: ds["a"].ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: "att"}))
	must(t, s.UpdateDelivery(ctx, DeliveryUpdate{ID: ds["w"].ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: "att"}))
	must(t, s.UpdateDelivery(ctx, DeliveryUpdate{ID: ds["w"].ID, From: content.DeliverySending, To: content.DeliveryUnknown, AttemptID: "att"}))
	must(t, s.TransitionItem(ctx, Transition{ItemID: id, From: content.ItemPublishing, To: content.ItemCancelled, Actor: "x", Action: "cancel"}))

	for _, u := range []DeliveryUpdate{
		{ID: ds["a"].ID, From: content.DeliverySending, To: content.DeliveryPending, AttemptID: "att", Error: "系统繁忙"},
		{ID: ds["w"].ID, From: content.DeliveryUnknown, To: content.DeliveryPending, AttemptID: "att", Error: "核实未发布"},
	} {
		if err := s.UpdateDelivery(ctx, u); !errors.Is(err, ErrItemCancelled) {
			t.Errorf("retry of %d after the cancel: %v, want ErrItemCancelled", u.ID, err)
		}
	}
	// Another attempt's write is a conflict, not a cancel.
	if err := s.UpdateDelivery(ctx, DeliveryUpdate{ID: ds["a"].ID, From: content.DeliverySending, To: content.DeliveryPending, AttemptID: "old"}); !errors.Is(err, ErrConflict) {
		t.Errorf("stale attempt: %v, want ErrConflict", err)
	}
	for acct, d := range deliveriesByAccount(t, s, id) {
		if d.State == content.DeliveryPending {
			t.Errorf("%s: put back to pending after the cancel", acct)
		}
	}
}

func TestCancelItemInFlightKeepsPublishingThenSettles(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	id, ds := publishingItem(t, s)
	must(t, s.UpdateDelivery(ctx, DeliveryUpdate{ID: ds["a"].ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: "att"}))
	out, err := s.CancelItem(ctx, id, content.ItemPublishing, "编辑", func(o CancelOutcome) string { return "已撤销" })
	must(t, err)
	if out.State != content.ItemPublishing || len(out.InFlight) != 1 || len(out.Cancelled) != 1 || out.Cancelled[0].Account != "w" {
		t.Fatalf("outcome: %+v", out)
	}
	if again, _ := s.CancelRequested(ctx, id); !again {
		t.Fatal("cancel not recorded")
	}
	// The in-flight one publishes: the item is settled as partially_failed by the scheduler.
	must(t, s.UpdateDelivery(ctx, DeliveryUpdate{ID: ds["a"].ID, From: content.DeliverySending, To: content.DeliveryPublished, AttemptID: "att"}))
	ids, err := s.SettledItems(ctx)
	must(t, err)
	if len(ids) != 1 || ids[0] != id {
		t.Fatalf("settled items: %v", ids)
	}
	// A second cancel of a cancelled item is refused by the state machine.
	if _, err := s.CancelItem(ctx, id, content.ItemCancelled, "编辑", func(CancelOutcome) string { return "" }); err == nil {
		t.Fatal("cancel of a cancelled item accepted")
	}
}
