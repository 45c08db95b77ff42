package content

import (
	"fmt"
	"testing"
)

// The allowed transitions, written out independently of state.go: every pair
// not listed here must be refused.
var wantItem = map[string]bool{
	"draft>in_review": true, "draft>approved": true, "draft>scheduled": true, "draft>cancelled": true,
	"in_review>draft": true, "in_review>approved": true, "in_review>scheduled": true, "in_review>expired": true, "in_review>cancelled": true,
	"approved>scheduled": true, "approved>in_review": true, "approved>draft": true, "approved>cancelled": true,
	"scheduled>publishing": true, "scheduled>in_review": true, "scheduled>draft": true, "scheduled>approved": true, "scheduled>cancelled": true,
	"publishing>done": true, "publishing>partially_failed": true, "publishing>failed": true, "publishing>cancelled": true,
	"partially_failed>publishing": true, "failed>publishing": true,
	"expired>draft": true, "expired>in_review": true,
	// post retract: nothing of the item left on the platforms
	"publishing>retracted": true, "done>retracted": true, "partially_failed>retracted": true, "failed>retracted": true,
}

var wantDelivery = map[string]bool{
	"pending>sending": true, "pending>failed": true, "pending>cancelled": true,
	"sending>published": true, "sending>failed": true, "sending>pending": true, "sending>unknown": true,
	"unknown>published": true, "unknown>pending": true, "unknown>failed": true,
	// known not to have gone out, and the item was cancelled meanwhile
	"sending>cancelled": true, "unknown>cancelled": true,
	"failed>pending": true,
	// its account left the config while the outcome was unknown
	"unknown>unverified": true,
}

func TestItemTransitionsTable(t *testing.T) {
	for _, from := range ItemStates {
		for _, to := range ItemStates {
			key := fmt.Sprintf("%s>%s", from, to)
			err := CheckItemTransition(from, to)
			if wantItem[key] && err != nil {
				t.Errorf("%s refused: %v", key, err)
			}
			if !wantItem[key] && err == nil {
				t.Errorf("%s allowed, must be refused", key)
			}
		}
	}
	if err := CheckItemTransition("bogus", ItemDraft); err == nil {
		t.Error("unknown state allowed")
	}
}

func TestDeliveryTransitionsTable(t *testing.T) {
	for _, from := range DeliveryStates {
		for _, to := range DeliveryStates {
			key := fmt.Sprintf("%s>%s", from, to)
			err := CheckDeliveryTransition(from, to)
			if wantDelivery[key] && err != nil {
				t.Errorf("%s refused: %v", key, err)
			}
			if !wantDelivery[key] && err == nil {
				t.Errorf("%s allowed, must be refused", key)
			}
		}
	}
	// A published delivery can never be sent again: the one rule that matters most.
	if CheckDeliveryTransition(DeliveryPublished, DeliveryPending) == nil || CheckDeliveryTransition(DeliveryPublished, DeliverySending) == nil {
		t.Fatal("published delivery may be re-sent")
	}
}

func TestItemStateFromDeliveries(t *testing.T) {
	cases := []struct {
		in   []DeliveryState
		want ItemState
		ok   bool
	}{
		{[]DeliveryState{DeliveryPublished, DeliveryPublished}, ItemDone, true},
		{[]DeliveryState{DeliveryPublished, DeliveryFailed}, ItemPartiallyFailed, true},
		{[]DeliveryState{DeliveryFailed, DeliveryFailed}, ItemFailed, true},
		{[]DeliveryState{DeliveryPublished, DeliveryUnknown}, "", false},
		{[]DeliveryState{DeliveryPublished, DeliverySending}, "", false},
		// cancelled while publishing: something went out, not everything
		{[]DeliveryState{DeliveryCancelled, DeliveryPublished}, ItemPartiallyFailed, true},
		{[]DeliveryState{DeliveryCancelled}, ItemCancelled, true},
		// may have gone out: never failed, never an invitation to publish again
		{[]DeliveryState{DeliveryPublished, DeliveryUnverified}, ItemDone, true},
		{[]DeliveryState{DeliveryUnverified}, ItemDone, true},
		{[]DeliveryState{DeliveryUnverified, DeliveryFailed}, ItemPartiallyFailed, true},
		// cancelled, nothing went out, one had failed
		{[]DeliveryState{DeliveryCancelled, DeliveryFailed}, ItemCancelled, true},
	}
	for _, c := range cases {
		got, ok := ItemStateFromDeliveries(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("%v -> %s,%v want %s,%v", c.in, got, ok, c.want, c.ok)
		}
	}
}
