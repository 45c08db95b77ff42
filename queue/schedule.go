// The scheduler's entry points: recurring runs, starting a due item, expiring items still in review.

package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// RunRecurring makes one run of an approved recurring item: a copy of its
// current revision, scheduled now, with one delivery per account its targets
// name at this moment. It returns the run's item id.
func (s *Service) RunRecurring(ctx context.Context, parentID int64, now time.Time) (int64, error) {
	parent, err := s.store.Item(ctx, parentID)
	if err != nil {
		return 0, err
	}
	if parent.State != content.ItemScheduled || parent.Cron == "" {
		return 0, refuse(RefusedState, "", "稿件 %d 不是已排期的定时稿件", parentID)
	}
	_, accounts, err := s.resolveTargets(ctx, Actor{Name: "herald", Department: parent.Department}, parent.Targets)
	if err != nil {
		return 0, err
	}
	run := content.Item{Kind: parent.Kind, State: content.ItemScheduled, Priority: parent.Priority, Targets: parent.Targets,
		Department: parent.Department, Notify: parent.Notify, PublishNow: true}
	rev := parent.Revision
	rev.Hash = rev.ContentHash(parent.Kind)
	tg := make([]storage.Target, len(accounts))
	for i, a := range accounts {
		tg[i] = storage.Target{Account: a.ID, Platform: a.Platform}
	}
	detail := fmt.Sprintf("定时稿件 %d 按 %s 于 %s 运行", parentID, parent.Cron, now.In(s.cfg.Location).Format("2006-01-02 15:04"))
	return s.store.CreateItem(ctx, storage.NewItem{Item: run, Revision: rev, Targets: tg, Actor: "herald",
		Audit: []storage.AuditEntry{{Actor: "herald", Action: "cron-run", Detail: detail}}})
}

// StartPublishing moves a due scheduled item to publishing. An item sent
// to a group (or to all) goes to the accounts in it now, at publication
// time, not to those it had when the item was added: accounts that joined
// get a delivery, accounts that left are not published to (the audit entry
// names both). Accounts named by id stay as they are.
func (s *Service) StartPublishing(ctx context.Context, id int64) (storage.StartOutcome, error) {
	it, err := s.store.Item(ctx, id)
	if err != nil {
		return storage.StartOutcome{}, err
	}
	var targets []storage.Target
	tg, accounts, err := s.resolveTargets(ctx, Actor{Name: "herald", Department: it.Department}, it.Targets)
	switch {
	case err != nil && !IsRefusal(err):
		return storage.StartOutcome{}, err
	case err != nil || (!tg.All && tg.Group == ""):
		// Accounts named by id (or a group now empty: nothing is added, and
		// the accounts it had keep their deliveries): as added.
		ds, err := s.store.Deliveries(ctx, id)
		if err != nil {
			return storage.StartOutcome{}, err
		}
		for _, d := range ds {
			targets = append(targets, storage.Target{Account: d.Account, Platform: d.Platform})
		}
	default:
		for _, a := range accounts {
			targets = append(targets, storage.Target{Account: a.ID, Platform: a.Platform})
		}
	}
	return s.store.StartPublishing(ctx, id, targets, it.Targets, "herald")
}

// readyState is where an approved item goes: scheduled when it has a time.
func (s *Service) readyState(it *content.Item) content.ItemState {
	if it.HasTime() {
		return content.ItemScheduled
	}
	return content.ItemApproved
}

// ExpireOverdue marks every item still in review whose fixed time has passed
// as expired, so that it is never published late without a new time. It
// returns the ids expired.
func (s *Service) ExpireOverdue(ctx context.Context) ([]int64, error) {
	items, err := s.store.ListItems(ctx, storage.ItemFilter{States: []content.ItemState{content.ItemInReview}, Limit: 100000})
	if err != nil {
		return nil, err
	}
	var expired []int64
	for _, it := range items {
		if it.PublishAt == nil || it.PublishAt.After(s.now()) {
			continue
		}
		reason := fmt.Sprintf("发布时间 %s 前未完成审核，未发布；请重新设定发布时间后再提交", it.PublishAt.In(s.cfg.Location).Format("2006-01-02 15:04"))
		err := s.store.TransitionItem(ctx, storage.Transition{ItemID: it.ID, From: content.ItemInReview, To: content.ItemExpired,
			Revision: it.Revision.ID, Reason: reason, Actor: "herald", Action: "expire"})
		if errors.Is(err, storage.ErrConflict) {
			continue // approved or edited meanwhile
		}
		if err != nil {
			return expired, err
		}
		expired = append(expired, it.ID)
	}
	return expired, nil
}
