package web

import (
	"context"
	"errors"

	"github.com/herald-gov/herald/policies"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// scopePolicies leaves out of each policy's linked items those the actor's
// department may not see, unless they are published (public anyway): another
// department's drafts, rejected items and items in review are its own.
func (s *Server) scopePolicies(ctx context.Context, a queue.Actor, views []policies.View) ([]policies.View, error) {
	if s.queue.SeesAll(a) {
		return views, nil
	}
	for i := range views {
		kept := views[i].Items[:0:0]
		for _, it := range views[i].Items {
			if it.Published == nil {
				if _, err := s.queue.Item(ctx, a, it.ID); err != nil {
					if errors.Is(err, storage.ErrNotFound) || queue.IsRefusal(err) {
						continue
					}
					return nil, err
				}
			}
			kept = append(kept, it)
		}
		views[i].Items = kept
	}
	return views, nil
}
