package queue_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// One rule for reads: the office sees everything, a department its own
// accounts and items.
func TestScopeOfReads(t *testing.T) {
	q, _ := setup(t)
	ctx := context.Background()
	scjActor := queue.Actor{Name: "赵磊", Department: "scj"}
	if _, err := q.Add(ctx, office, queue.Draft{Kind: content.KindArticle, Title: "县里的", Body: "<p>x</p>", Images: cover(), Targets: "fabu", When: "now"}); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Add(ctx, scjActor, queue.Draft{Kind: content.KindArticle, Title: "局里的", Body: "<p>x</p>", Images: cover(), Targets: "scj-wx", When: "now"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		actor    queue.Actor
		accounts string
		items    int
	}{
		{office, "[fabu fabu-wb scj-wx]", 2},
		{queue.Actor{Name: "cli"}, "[fabu fabu-wb scj-wx]", 2},
		{scjActor, "[scj-wx]", 1},
	} {
		ids, err := q.AccountIDs(ctx, c.actor)
		if err != nil {
			t.Fatal(err)
		}
		items, err := q.Items(ctx, c.actor, storage.ItemFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids) != c.accounts || len(items) != c.items {
			t.Errorf("%s sees accounts %v and %d items, want %s and %d", c.actor.Department, ids, len(items), c.accounts, c.items)
		}
	}
}
