package main

import (
	"context"

	"github.com/herald-gov/herald/queue"
)

// signedRevision is the revision a CLI signature names: --revision, or the
// current one (named in the output).
func signedRevision(ctx context.Context, q *queue.Service, actor queue.Actor, id int64, revision int) (int, error) {
	if revision != 0 {
		return revision, nil
	}
	it, err := q.Item(ctx, actor, id)
	if err != nil {
		return 0, err
	}
	return it.Revision.Number, nil
}
