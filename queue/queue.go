// Package queue is herald's content queue: adding, editing, submitting,
// reviewing and cancelling items. The CLI and the HTTP API both act through
// it, so review rules and department scoping hold whatever the door.
package queue

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// Actor is who acts: a name, and the department they act for ("" or the
// news office: any account).
type Actor struct {
	Name       string
	Department string
}

// Service runs queue operations against the store under the config's rules.
type Service struct {
	cfg     *configs.Config
	store   *storage.Store
	now     func() time.Time
	wording *content.Wording
}

// New returns a Service. now may be nil for the wall clock.
func New(cfg *configs.Config, store *storage.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{cfg: cfg, store: store, now: now, wording: content.NewWording(cfg.Wording).WithLeaders(cfg.ContentLeaders())}
}

func (s *Service) transition(ctx context.Context, t storage.Transition) error {
	err := s.store.TransitionItem(ctx, t)
	if errors.Is(err, storage.ErrConflict) {
		return refuse(RefusedState, "", "稿件 %d 刚被他人修改，请重新查看", t.ItemID)
	}
	return err
}

// Levels returns the configured review levels.
func (s *Service) Levels() []string { return slices.Clone(s.cfg.Review.Levels) }
