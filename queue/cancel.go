package queue

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// CancelReport says what a cancel did, account by account, for the clerk.
// Accounts are labelled 「名称（id）」.
type CancelReport struct {
	ItemID int64
	// State is the item's state after the cancel: cancelled when nothing
	// went out; publishing while deliveries that had started await their
	// answers; partially_failed (or done) when something was published.
	State content.ItemState
	// Published went out before the cancel.
	Published []string
	// InFlight had started: they may have gone out ("可能已发出"); the
	// platform's answer decides, and post show tells.
	InFlight []string
	// Cancelled never reached the platform.
	Cancelled []string
	// Failed had failed before the cancel.
	Failed []string
	// Unverified may have gone out: herald cannot find out, the clerk
	// checks the platform by hand.
	Unverified []string
}

func (s *Service) cancelReport(id int64, o storage.CancelOutcome) CancelReport {
	r := CancelReport{ItemID: id, State: o.State}
	label := func(ds []content.Delivery) []string {
		out := []string{}
		for _, d := range ds {
			if a, ok := s.cfg.Account(d.Account); ok && a.Name != "" {
				out = append(out, a.Name)
			} else {
				out = append(out, d.Account)
			}
		}
		return out
	}
	r.Published, r.InFlight, r.Cancelled, r.Failed = label(o.Published), label(o.InFlight), label(o.Cancelled), label(o.Failed)
	r.Unverified = label(o.Unverified)
	return r
}

// summary is the report in one line, without the item's number: the item's
// state reason and the audit entry.
func (r CancelReport) summary() string {
	var parts []string
	if len(r.Published) > 0 {
		parts = append(parts, fmt.Sprintf("已发出 %d 个账号：%s", len(r.Published), strings.Join(r.Published, "、")))
	}
	if len(r.InFlight) > 0 {
		parts = append(parts, fmt.Sprintf("可能已发出 %d 个账号：%s（撤销时已在发送，以平台答复为准）", len(r.InFlight), strings.Join(r.InFlight, "、")))
	}
	if len(r.Cancelled) > 0 {
		parts = append(parts, fmt.Sprintf("已撤销 %d 个账号：%s", len(r.Cancelled), strings.Join(r.Cancelled, "、")))
	}
	if len(r.Failed) > 0 {
		parts = append(parts, fmt.Sprintf("此前已失败 %d 个账号：%s", len(r.Failed), strings.Join(r.Failed, "、")))
	}
	if len(r.Unverified) > 0 {
		parts = append(parts, fmt.Sprintf("无法核实 %d 个账号是否已发出：%s（账号已从配置中删除，请在平台后台核对）", len(r.Unverified), strings.Join(r.Unverified, "、")))
	}
	if len(r.Published) == 0 && len(r.InFlight) == 0 && len(r.Unverified) == 0 {
		parts = append([]string{"未向任何账号发出"}, parts...)
	}
	return "已撤销：" + strings.Join(parts, "；")
}

// Text is the report in one line for a clerk: what went where and the
// item's state. It names no command and no button: each edge (CLI,
// console, API) says in its own terms how to delete what is still on the
// platform when OnPlatform.
func (r CancelReport) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "稿件 %d %s。", r.ItemID, r.summary())
	fmt.Fprintf(&b, "当前状态：%s", r.State.Label())
	if r.State == content.ItemPublishing {
		b.WriteString("（正在发送的账号结果稍后见稿件详情）")
	}
	b.WriteString("。")
	return b.String()
}

// OnPlatform reports whether something of the item went out, or may have:
// it stays on the platform until it is retracted.
func (r CancelReport) OnPlatform() bool {
	return len(r.Published) > 0 || len(r.InFlight) > 0 || len(r.Unverified) > 0
}

// Cancel withdraws an item: deliveries not yet started are cancelled and
// nothing new starts. What already went out stays out (post retract deletes
// it); deliveries in flight settle by the platform's answer. The report says
// which accounts are which.
func (s *Service) Cancel(ctx context.Context, actor Actor, id int64) (CancelReport, error) {
	it, err := s.Item(ctx, actor, id)
	if err != nil {
		return CancelReport{}, err
	}
	if content.CheckItemTransition(it.State, content.ItemCancelled) != nil {
		return CancelReport{}, refuse(RefusedState, "", "稿件 %d 当前状态为「%s」，不能撤销", id, it.State.Label())
	}
	if it.State == content.ItemPublishing {
		if again, err := s.store.CancelRequested(ctx, id); err != nil {
			return CancelReport{}, err
		} else if again {
			return CancelReport{}, refuse(RefusedState, "", "稿件 %d 已撤销，正在等待已开始发送的账号的结果", id)
		}
	}
	var rep CancelReport
	out, err := s.store.CancelItem(ctx, id, it.State, actor.Name, func(o storage.CancelOutcome) string {
		rep = s.cancelReport(id, o)
		return rep.summary()
	})
	if errors.Is(err, storage.ErrConflict) {
		return CancelReport{}, refuse(RefusedState, "", "稿件 %d 刚被他人修改，请重新查看", id)
	}
	if err != nil {
		return CancelReport{}, err
	}
	rep.State = out.State
	return rep, nil
}
