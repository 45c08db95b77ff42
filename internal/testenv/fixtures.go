package testenv

import (
	"context"
	"testing"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// Item describes an item that went out, for tests that need publications
// without running the engine (reports, statistics).
type Item struct {
	Kind    content.Kind
	Title   string
	Targets string // the item's TARGETS as written; "" is the accounts joined
	// Accounts it went to, in order; each is published unless Failed says
	// how many of the last ones failed.
	Accounts []string
	Failed   int
	// PolicyID links the item to a policy (0: none).
	PolicyID int64
}

// Published stores an item in publishing with a delivery per account,
// each moved pending → sending → published (or failed) through the store's
// guarded writes, and returns its id. Any error fails the test.
func (e *Env) Published(t testing.TB, it Item) int64 {
	t.Helper()
	ctx := context.Background()
	rev := content.Revision{Title: it.Title, Body: "x"}
	rev.Hash = rev.ContentHash(it.Kind)
	tg := make([]storage.Target, len(it.Accounts))
	for i, a := range it.Accounts {
		acct, ok := e.Config.Account(a)
		if !ok {
			t.Fatalf("testenv: no account %q in the config", a)
		}
		tg[i] = storage.Target{Account: a, Platform: acct.Platform}
	}
	targets := it.Targets
	if targets == "" {
		targets = content.Targets{IDs: it.Accounts}.String()
	}
	id, err := e.Store.CreateItem(ctx, storage.NewItem{Item: content.Item{Kind: it.Kind, State: content.ItemPublishing, Priority: content.PriorityNormal, Targets: targets},
		Revision: rev, Targets: tg, Actor: "t", PolicyID: it.PolicyID})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := e.Store.Deliveries(ctx, id)
	if err != nil || len(ds) != len(it.Accounts) {
		t.Fatalf("testenv: item %d has %d deliveries, want %d (%v)", id, len(ds), len(it.Accounts), err)
	}
	failedFrom := map[string]bool{}
	for _, a := range it.Accounts[len(it.Accounts)-it.Failed:] {
		failedFrom[a] = true
	}
	for _, d := range ds {
		to := content.DeliveryPublished
		if failedFrom[d.Account] {
			to = content.DeliveryFailed
		}
		for _, u := range []storage.DeliveryUpdate{
			{ID: d.ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: "a"},
			{ID: d.ID, From: content.DeliverySending, To: to, AttemptID: "a"},
		} {
			if err := e.Store.UpdateDelivery(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
	}
	return id
}
