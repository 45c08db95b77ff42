package queue

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// reasonRetractUnverified is what a retract says of a delivery herald
// cannot verify.
const reasonRetractUnverified = "无法核实是否已发出：请在平台后台核对，如已发出请手动删除"

// RetractReport says what a retract did, account by account, for the
// clerk. Accounts are named by their names.
type RetractReport struct {
	ItemID int64
	// State is the item's state after the retract: retracted when the
	// platforms have nothing of it; otherwise as it was while deliveries in
	// flight settle or deletions failed.
	State content.ItemState
	// Deleted were deleted from their platform by this retract.
	Deleted []string
	// Before had been deleted by an earlier retract.
	Before []string
	// Stopped had not gone out: this retract cancelled them.
	Stopped []string
	// InFlight were being sent: what settles published is deleted then.
	InFlight []string
	// NotOut had failed or been cancelled before: nothing to delete.
	NotOut []string
	// Unverified may have gone out: the clerk checks by hand.
	Unverified []string
	// Failed could not be deleted (with the reason).
	Failed []string
}

// Message is what the CLI prints and the console and API show.
func (r RetractReport) Message() string {
	var parts []string
	add := func(format string, list []string) {
		if len(list) > 0 {
			parts = append(parts, fmt.Sprintf(format, len(list), strings.Join(list, "、")))
		}
	}
	add("已从 %d 个账号删除：%s", r.Deleted)
	add("%d 个账号此前已删除：%s", r.Before)
	add("已停止 %d 个账号的发送（未发出）：%s", r.Stopped)
	add("%d 个账号撤回时正在发送，结果确定后如已发出将自动删除：%s", r.InFlight)
	add("%d 个账号未发出，无需删除：%s", r.NotOut)
	add("%d 个账号无法核实是否已发出（账号已从配置中删除），请在平台后台核对，如已发出请手动删除：%s", r.Unverified)
	add("%d 个账号删除失败：%s", r.Failed)
	if len(parts) == 0 {
		parts = append(parts, "未向任何账号发出")
	}
	msg := fmt.Sprintf("稿件 %d：%s。", r.ItemID, strings.Join(parts, "；"))
	switch r.State {
	case content.ItemRetracted:
		return msg + "当前状态：已撤回，平台上已无此稿件。"
	case content.ItemPublishing:
		return msg + "当前状态：撤回中（正在发送的账号结果确定后，如已发出由 herald 服务自动删除；结果见稿件详情）。"
	}
	return msg + fmt.Sprintf("当前状态：%s（撤回未完成，详情见稿件）。", r.State.Label())
}

// Retract takes an item off the platforms: first nothing more goes out
// (pending deliveries are cancelled, as by Cancel, and an attempt in flight
// that comes back unpublished is cancelled), then what went out is deleted,
// then what was in flight is deleted once it settles published — by the
// daemon (ContinueRetract), which may be another process. The item ends
// retracted once the platforms have nothing of it.
//
// With accounts, only what went out to those accounts is deleted and the
// item is not stopped (it must have finished publishing).
func (s *Service) Retract(ctx context.Context, actor Actor, id int64, reg channels.Registry, accounts []string) (RetractReport, error) {
	it, err := s.Item(ctx, actor, id)
	if err != nil {
		return RetractReport{}, err
	}
	rep := RetractReport{ItemID: id}
	if len(accounts) > 0 {
		return s.retractAccounts(ctx, actor, it, reg, accounts)
	}
	out, err := s.store.RequestRetract(ctx, id, actor.Name)
	if errors.Is(err, storage.ErrConflict) {
		if it.State == content.ItemCancelled {
			return rep, refuse(RefusedState, "", "稿件 %d 已撤销，未向任何账号发出，无需撤回", id)
		}
		return rep, refuse(RefusedState, "", "稿件 %d 当前状态为「%s」，尚未发布，不能撤回（未发布的稿件请撤销）", id, it.State.Label())
	}
	if err != nil {
		return rep, err
	}
	rep.Before = s.labels(out.Deleted)
	rep.Stopped = s.labels(out.Stopped)
	rep.InFlight = s.labels(out.InFlight)
	rep.NotOut = s.labels(out.NotOut)
	rep.Unverified = s.labels(out.Unverified)
	tried := map[int64]bool{}
	for _, d := range out.ToDelete {
		tried[d.ID] = true
		if err := s.retractOne(ctx, reg, d, actor.Name); err != nil {
			rep.Failed = append(rep.Failed, s.label(d.Account)+"（"+err.Error()+"）")
			continue
		}
		rep.Deleted = append(rep.Deleted, s.label(d.Account))
	}
	// What was in flight and has settled published since is deleted now;
	// the rest is the daemon's (ContinueRetract).
	settled := map[string]bool{}
	state, err := s.continueRetract(ctx, reg, id, actor.Name, func(d content.Delivery) bool { return !tried[d.ID] },
		func(d content.Delivery, err error) {
			settled[d.Account] = true
			if err != nil {
				rep.Failed = append(rep.Failed, s.label(d.Account)+"（"+err.Error()+"）")
			} else {
				rep.Deleted = append(rep.Deleted, s.label(d.Account))
			}
		})
	if err != nil {
		return rep, err
	}
	rep.InFlight = slices.DeleteFunc(rep.InFlight, func(l string) bool {
		for a := range settled {
			if l == s.label(a) {
				return true
			}
		}
		return false
	})
	rep.State = state
	return rep, nil
}

// ContinueRetract carries on the retract of an item (the daemon calls it
// for every item whose retract is unfinished): it deletes what settled
// published since — tryDelete says whether to try a delivery now (nil:
// every one); failed hears of each deletion that failed — and ends the item
// retracted once the platforms have nothing of it. An item whose
// deliveries are all final but whose deletions failed ends in the state its
// deliveries give, with the reason; the retract goes on. It returns the
// item's state.
func (s *Service) ContinueRetract(ctx context.Context, reg channels.Registry, id int64, tryDelete func(content.Delivery) bool, failed func(content.Delivery, error)) (content.ItemState, error) {
	return s.continueRetract(ctx, reg, id, "herald", tryDelete, func(d content.Delivery, err error) {
		if err != nil && failed != nil {
			failed(d, err)
		}
	})
}

func (s *Service) continueRetract(ctx context.Context, reg channels.Registry, id int64, actor string, tryDelete func(content.Delivery) bool, done func(content.Delivery, error)) (content.ItemState, error) {
	ds, err := s.store.Deliveries(ctx, id)
	if err != nil {
		return "", err
	}
	if err := s.store.MarkRetractions(ctx, id, ds); err != nil {
		return "", err
	}
	for _, d := range ds {
		if d.State != content.DeliveryPublished || d.RetractedAt != nil || (tryDelete != nil && !tryDelete(d)) {
			continue
		}
		done(d, s.retractOne(ctx, reg, d, actor))
	}
	return s.finishRetract(ctx, id, actor)
}

// finishRetract ends the item retracted when nothing of it is left on the
// platforms; a publishing item whose deliveries are all final but not all
// deleted ends in the state they give, the reason naming what is left.
func (s *Service) finishRetract(ctx context.Context, id int64, actor string) (content.ItemState, error) {
	done, err := s.store.FinishRetract(ctx, id, actor, "已撤回：未发出的已停止发送，已发出的已删除")
	if err != nil {
		return "", err
	}
	if done {
		return content.ItemRetracted, nil
	}
	it, err := s.store.Item(ctx, id)
	if err != nil {
		return "", err
	}
	if it.State != content.ItemPublishing {
		return it.State, nil
	}
	ds, err := s.store.Deliveries(ctx, id)
	if err != nil {
		return "", err
	}
	if err := s.store.MarkRetractions(ctx, id, ds); err != nil {
		return "", err
	}
	states := make([]content.DeliveryState, len(ds))
	var left []string
	for i, d := range ds {
		states[i] = d.State
		switch {
		case d.State == content.DeliveryPublished && d.RetractedAt == nil:
			left = append(left, s.label(d.Account)+"（未能删除）")
		case d.State == content.DeliveryUnverified:
			left = append(left, s.label(d.Account)+"（"+reasonRetractUnverified+"）")
		}
	}
	to, ok := content.ItemStateFromDeliveries(states)
	if !ok {
		return it.State, nil // still in flight
	}
	reason := "撤回未完成，平台上可能仍有：" + strings.Join(left, "、")
	err = s.store.TransitionItem(ctx, storage.Transition{ItemID: id, From: content.ItemPublishing, To: to, Reason: reason, Actor: actor, Action: "retract"})
	if err != nil && !errors.Is(err, storage.ErrConflict) {
		return "", err
	}
	return to, nil
}

// retractAccounts deletes what went out to some of an item's accounts.
func (s *Service) retractAccounts(ctx context.Context, actor Actor, it content.Item, reg channels.Registry, accounts []string) (RetractReport, error) {
	rep := RetractReport{ItemID: it.ID, State: it.State}
	if !slices.Contains([]content.ItemState{content.ItemDone, content.ItemPartiallyFailed, content.ItemFailed, content.ItemRetracted}, it.State) {
		return rep, refuse(RefusedState, "", "稿件 %d 当前状态为「%s」，只能整体撤回（去掉 --account）：先停止发送，再删除已发出的", it.ID, it.State.Label())
	}
	ds, err := s.store.Deliveries(ctx, it.ID)
	if err != nil {
		return rep, err
	}
	if err := s.store.MarkRetractions(ctx, it.ID, ds); err != nil {
		return rep, err
	}
	byAccount := map[string]content.Delivery{}
	for _, d := range ds {
		byAccount[d.Account] = d
	}
	var selected []content.Delivery
	for _, a := range accounts {
		d, ok := byAccount[a]
		if !ok {
			return rep, refuse(RefusedInput, "", "稿件 %d 没有发往账号 %s（--account 只能写该稿件的投递账号）", it.ID, a)
		}
		selected = append(selected, d)
	}
	for _, d := range selected {
		label := s.label(d.Account)
		switch {
		case d.RetractedAt != nil:
			rep.Before = append(rep.Before, label)
		case d.State == content.DeliveryUnverified:
			rep.Unverified = append(rep.Unverified, label)
		case d.State != content.DeliveryPublished:
			rep.NotOut = append(rep.NotOut, label)
		default:
			if err := s.retractOne(ctx, reg, d, actor.Name); err != nil {
				rep.Failed = append(rep.Failed, label+"（"+err.Error()+"）")
				continue
			}
			rep.Deleted = append(rep.Deleted, label)
		}
	}
	return rep, nil
}

// retractOne deletes one published delivery through its channel and
// records it; a failure is written to the audit log.
func (s *Service) retractOne(ctx context.Context, reg channels.Registry, d content.Delivery, actor string) error {
	err := s.deleteOnPlatform(ctx, reg, d)
	if err != nil {
		if aerr := s.store.AddAudit(ctx, storage.AuditEntry{Actor: actor, Action: "retract", ItemID: d.ItemID, RevisionID: d.RevisionID,
			Account: d.Account, Detail: "从平台删除失败：" + err.Error()}); aerr != nil {
			return errors.Join(err, aerr)
		}
		return err
	}
	if err := s.store.MarkRetracted(ctx, d.ID, actor, "已从平台删除（不可恢复）："+d.URL); err != nil && !errors.Is(err, storage.ErrConflict) {
		return fmt.Errorf("已从平台删除，但记录失败：%w", err)
	}
	return nil
}

func (s *Service) deleteOnPlatform(ctx context.Context, reg channels.Registry, d content.Delivery) error {
	acct, ok := s.cfg.Account(d.Account)
	if !ok {
		return fmt.Errorf("账号已从配置中删除，herald 无法登录它：请在平台后台手动删除")
	}
	ch, err := reg.For(acct.Platform)
	if err != nil {
		return err
	}
	r, ok := ch.(channels.Retracter)
	if !ok {
		return fmt.Errorf("%s 不支持由 herald 删除：请在平台后台手动删除", acct.Platform)
	}
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return r.Retract(cctx, acct, d.RemoteID)
}

// label is 「名称（id）」 for an account, or its id when unknown.
func (s *Service) label(id string) string {
	if a, ok := s.cfg.Account(id); ok && a.Name != "" {
		return a.Name
	}
	return id
}

func (s *Service) labels(ds []content.Delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, s.label(d.Account))
	}
	return out
}
