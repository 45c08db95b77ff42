// Review: submitting, the next level, approving and rejecting a revision.

package queue

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// Submit sends a draft (or an expired item given a new time) to review, or
// straight to scheduled when no review is configured.
func (s *Service) Submit(ctx context.Context, actor Actor, id int64) error {
	it, err := s.Item(ctx, actor, id)
	if err != nil {
		return err
	}
	if it.State != content.ItemDraft {
		return refuse(RefusedState, "", "稿件 %d 当前状态为「%s」，只有草稿可以提交审核", id, it.State.Label())
	}
	if err := s.checkNotPast(&it); err != nil {
		return err
	}
	if err := s.validateForTargets(ctx, &it); err != nil {
		return err
	}
	if _, err := s.CheckWording(it.Kind, &it.Revision); err != nil {
		return err
	}
	to := content.ItemInReview
	if len(s.cfg.Review.Levels) == 0 {
		to = s.readyState(&it)
	}
	return s.transition(ctx, storage.Transition{ItemID: id, From: it.State, To: to, Revision: it.Revision.ID, Actor: actor.Name, Action: "submit"})
}

func (s *Service) checkNotPast(it *content.Item) error {
	if it.PublishAt != nil && !it.PublishAt.After(s.now()) {
		return refuse(RefusedState, "at", "稿件 %d 的发布时间 %s 已过：请先设定新的发布时间", it.ID, it.PublishAt.In(s.cfg.Location).Format("2006-01-02 15:04"))
	}
	return nil
}

func (s *Service) validateForTargets(ctx context.Context, it *content.Item) error {
	ds, err := s.store.Deliveries(ctx, it.ID)
	if err != nil {
		return err
	}
	var p content.Platforms
	for _, d := range ds {
		p.WeChat = p.WeChat || d.Platform == configs.PlatformWeChat
		p.Weibo = p.Weibo || d.Platform == configs.PlatformWeibo
	}
	return content.Validate(it.Kind, &it.Revision, p).Err()
}

// NextLevel returns the 1-based level the item's current revision waits for
// and the names of the valid sign-offs so far.
func (s *Service) NextLevel(ctx context.Context, it *content.Item) (int, []content.Approval, error) {
	all, err := s.store.Approvals(ctx, it.ID)
	if err != nil {
		return 0, nil, err
	}
	var valid []content.Approval
	for _, a := range all {
		if !a.Voided && a.RevisionID == it.Revision.ID && a.Hash == it.Revision.Hash {
			valid = append(valid, a)
		}
	}
	return len(valid) + 1, valid, nil
}

// Approve signs the next review level of the item's current revision,
// whichever it is (the CLI without --revision). At the last level secrecyOK
// (保密审查) must be confirmed.
func (s *Service) Approve(ctx context.Context, actor Actor, id int64, secrecyOK bool) error {
	return s.ApproveRevision(ctx, actor, id, 0, secrecyOK)
}

// ApproveRevision signs the next review level of revision number revision
// (the one the reviewer saw; 0: the current one), refused when it is no
// longer the current revision and when actor saved it (unless
// review.allow_self_review). At the last level secrecyOK (保密审查) must be
// confirmed.
func (s *Service) ApproveRevision(ctx context.Context, actor Actor, id int64, revision int, secrecyOK bool) error {
	it, err := s.reviewable(ctx, actor, id, revision)
	if err != nil {
		return err
	}
	if it.Revision.CreatedBy == actor.Name && !s.cfg.Review.AllowSelfReview {
		return refuse(RefusedDenied, "", "%s 是稿件 %d 第%d版的作者，不能签署自己的稿件：请其他审核人签署", actor.Name, id, it.Revision.Number)
	}
	levels := s.cfg.Review.Levels
	level, signed, err := s.NextLevel(ctx, &it)
	if err != nil {
		return err
	}
	if level > len(levels) {
		return refuse(RefusedState, "", "稿件 %d 已完成全部审核", id)
	}
	name := levels[level-1]
	if !s.cfg.MayReview(name, actor.Name) {
		return refuse(RefusedDenied, "", "%s 无权签署%s（可签署：%s）", actor.Name, name, strings.Join(s.cfg.ReviewersFor(name), "、"))
	}
	for _, a := range signed {
		if a.Reviewer == actor.Name {
			return refuse(RefusedDenied, "", "%s 已签署%s，同一人不能签署两级审核", actor.Name, a.LevelName)
		}
	}
	last := level == len(levels)
	if last && !secrecyOK {
		return refuse(RefusedInput, "secrecy_ok", "%s是最后一级：请确认已通过保密审查后再签署", name)
	}
	next, reason := content.ItemInReview, ""
	if last {
		switch {
		case it.PublishAt != nil && !it.PublishAt.After(s.now()):
			next = content.ItemExpired
			reason = fmt.Sprintf("终审完成时发布时间 %s 已过，未发布；请重新设定发布时间后再提交", it.PublishAt.In(s.cfg.Location).Format("2006-01-02 15:04"))
		default:
			next = s.readyState(&it)
		}
	}
	err = s.store.Approve(ctx, storage.ApprovalInput{Approval: content.Approval{ItemID: id, RevisionID: it.Revision.ID, Level: level,
		LevelName: name, Reviewer: actor.Name, Hash: it.Revision.Hash, SecrecyOK: last && secrecyOK}, Next: next, Reason: reason})
	if errors.Is(err, storage.ErrConflict) {
		return refuse(RefusedState, "", "稿件 %d 刚被他人修改或签署，请重新查看后再审核", id)
	}
	if err == nil && next == content.ItemExpired {
		return refuse(RefusedState, "at", "终审完成时发布时间 %s 已过，未发布；请设定新的发布时间后重新提交", it.PublishAt.In(s.cfg.Location).Format("2006-01-02 15:04"))
	}
	return err
}

// reviewable returns an item in review whose current revision is number
// revision (0: any).
func (s *Service) reviewable(ctx context.Context, actor Actor, id int64, revision int) (content.Item, error) {
	it, err := s.Item(ctx, actor, id)
	if err != nil {
		return it, err
	}
	if it.State != content.ItemInReview {
		return it, refuse(RefusedState, "", "稿件 %d 当前状态为「%s」，不在审核中", id, it.State.Label())
	}
	if revision != 0 && revision != it.Revision.Number {
		return it, refuse(RefusedState, "revision", "稿件 %d 在您打开后已修改（您看到的是第%d版，当前是第%d版）：请重新查看后再审核", id, revision, it.Revision.Number)
	}
	return it, nil
}

// Reject sends an item in review back to draft with the reviewer's comment
// (the current revision, whichever it is).
func (s *Service) Reject(ctx context.Context, actor Actor, id int64, comment string) error {
	return s.RejectRevision(ctx, actor, id, 0, comment)
}

// RejectRevision sends an item in review back to draft with the reviewer's
// comment on revision number revision (0: the current one), refused when
// that is no longer the current revision.
func (s *Service) RejectRevision(ctx context.Context, actor Actor, id int64, revision int, comment string) error {
	comment = strings.TrimSpace(comment)
	if comment == "" {
		return refuse(RefusedInput, "comment", "退回须写明原因")
	}
	it, err := s.reviewable(ctx, actor, id, revision)
	if err != nil {
		return err
	}
	level, _, err := s.NextLevel(ctx, &it)
	if err != nil {
		return err
	}
	levels := s.cfg.Review.Levels
	if level > len(levels) {
		level = len(levels)
	}
	name := levels[level-1]
	if !s.cfg.MayReview(name, actor.Name) {
		return refuse(RefusedDenied, "", "%s 无权在%s退回稿件（可签署：%s）", actor.Name, name, strings.Join(s.cfg.ReviewersFor(name), "、"))
	}
	reason := fmt.Sprintf("%s退回（%s）：%s", name, actor.Name, comment)
	return s.transition(ctx, storage.Transition{ItemID: id, From: it.State, To: content.ItemDraft, Revision: it.Revision.ID,
		Reason: reason, Actor: actor.Name, Action: "reject", Detail: reason})
}
