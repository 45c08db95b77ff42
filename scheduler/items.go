package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// startDue expires items whose time passed before their last approval and
// moves scheduled items whose time has come to publishing: their pending
// deliveries become ready for the producer.
func (s *Scheduler) startDue(ctx context.Context) {
	if ids, err := s.queue.ExpireOverdue(ctx); err != nil {
		s.log.Error("expire overdue items", "err", err)
	} else {
		for _, id := range ids {
			s.log.Warn("item expired: its time passed before the last approval", "item", id)
		}
	}
	due, err := s.store.DueItems(ctx, s.opts.Now())
	if err != nil {
		s.log.Error("due items", "err", err)
		return
	}
	for _, id := range due {
		// A group's accounts are resolved now, at publication time.
		out, err := s.queue.StartPublishing(ctx, id)
		if err != nil && !errors.Is(err, storage.ErrConflict) {
			s.log.Error("start publishing", "item", id, "err", err)
		}
		if len(out.Added) > 0 || len(out.Dropped) > 0 {
			s.log.Info("group membership changed since the item was added", "item", id, "added", out.Added, "dropped", out.Dropped)
		}
	}
}

// settle moves publishing items whose deliveries are all final to done,
// partially_failed or failed, naming the accounts that failed and why.
func (s *Scheduler) settle(ctx context.Context) {
	ids, err := s.store.SettledItems(ctx)
	if err != nil {
		s.log.Error("settled items", "err", err)
		return
	}
	for _, id := range ids {
		ds, err := s.store.Deliveries(ctx, id)
		if err != nil {
			s.log.Error("deliveries", "item", id, "err", err)
			continue
		}
		states := make([]content.DeliveryState, len(ds))
		var failed, published, cancelled, unverified []string
		for i, d := range ds {
			states[i] = d.State
			switch d.State {
			case content.DeliveryFailed:
				failed = append(failed, d.Account+"："+d.Error)
			case content.DeliveryPublished:
				published = append(published, d.Account)
			case content.DeliveryCancelled:
				cancelled = append(cancelled, d.Account)
			case content.DeliveryUnverified:
				unverified = append(unverified, d.Account)
			}
		}
		to, ok := content.ItemStateFromDeliveries(states)
		if !ok {
			continue
		}
		var reasons []string
		if len(cancelled) > 0 { // cancelled while publishing
			reasons = append(reasons, fmt.Sprintf("已撤销：已发出 %d 个账号（%s），未发出 %d 个账号（%s）",
				len(published), strings.Join(published, "、"), len(cancelled), strings.Join(cancelled, "、")))
		}
		if len(failed) > 0 {
			reasons = append(reasons, "失败账号 "+strings.Join(failed, "；"))
		}
		if len(unverified) > 0 {
			reasons = append(reasons, fmt.Sprintf("无法核实 %d 个账号（%s）是否已发出：账号已从配置中删除，请在平台后台核对，勿重新发布",
				len(unverified), strings.Join(unverified, "、")))
		}
		reason := strings.Join(reasons, "；")
		err = s.store.TransitionItem(ctx, storage.Transition{ItemID: id, From: content.ItemPublishing, To: to, Reason: reason, Actor: "herald", Action: "settle"})
		if err != nil && !errors.Is(err, storage.ErrConflict) {
			s.log.Error("settle item", "item", id, "err", err)
			continue
		}
		s.log.Info("item settled", "item", id, "state", to, "failed", len(failed))
	}
}
