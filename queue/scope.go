package queue

import (
	"context"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// The one department rule for reads, used by the CLI, the API and the
// console alike: the news office (or an actor with no department: the
// command line on the server) sees every account and item; any other
// department sees its own accounts and the items it made.

// SeesAll reports whether actor sees every account and item.
func (s *Service) SeesAll(actor Actor) bool { return s.unrestricted(actor) }

// Accounts returns the active accounts actor may see, in the store's order.
func (s *Service) Accounts(ctx context.Context, actor Actor) ([]storage.Account, error) {
	all, err := s.store.Accounts(ctx, false)
	if err != nil {
		return nil, err
	}
	if s.unrestricted(actor) {
		return all, nil
	}
	out := []storage.Account{}
	for _, a := range all {
		if a.Department == actor.Department {
			out = append(out, a)
		}
	}
	return out, nil
}

// AccountIDs returns the ids of the accounts actor may see.
func (s *Service) AccountIDs(ctx context.Context, actor Actor) ([]string, error) {
	accts, err := s.Accounts(ctx, actor)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(accts))
	for i, a := range accts {
		ids[i] = a.ID
	}
	return ids, nil
}

// Items lists the items actor may see that match f.
func (s *Service) Items(ctx context.Context, actor Actor, f storage.ItemFilter) ([]content.Item, error) {
	if !s.unrestricted(actor) {
		f.Department = actor.Department
	}
	return s.store.ListItems(ctx, f)
}
