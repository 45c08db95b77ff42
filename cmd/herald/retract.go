package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// cmdPostRetract deletes what an item published from the platforms: the
// undo an office needs after a mistake. It is irreversible, so it wants
// --yes; each deletion and each failure is written to the audit log.
func cmdPostRetract(ctx context.Context, a *app, args []string) error {
	fs := a.flags("post retract")
	cfgPath := fs.String("config", "", "config file")
	only := fs.String("account", "", "only these account ids (comma-separated); default every account it went out to")
	yes := fs.Bool("yes", false, "confirm: deleting from the platforms cannot be undone")
	af := addActorFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	id, err := oneID(fs)
	if err != nil {
		return err
	}
	if !*yes {
		return &queue.Refusal{Code: queue.RefusedInput, Msg: fmt.Sprintf("从平台删除不可恢复（微信文章删除后无法找回）：确认请加 --yes，如 herald post retract --yes %d", id)}
	}
	return a.withQueue(ctx, *cfgPath, af, func(cfg *configs.Config, st *storage.Store, q *queue.Service, actor queue.Actor) error {
		if _, err := q.Item(ctx, actor, id); err != nil {
			return err
		}
		ds, err := st.Deliveries(ctx, id)
		if err != nil {
			return err
		}
		gone, err := st.Retractions(ctx, id)
		if err != nil {
			return err
		}
		selected, err := selectDeliveries(id, ds, *only)
		if err != nil {
			return err
		}
		_, _, reg := newChannels(cfg, st, a.log)
		var deleted, before, unsure, notOut, failed []string
		for _, d := range selected {
			label := accountLabel(cfg, d.Account)
			switch {
			case !gone[d.ID].IsZero():
				before = append(before, label)
				continue
			case d.State == content.DeliverySending || d.State == content.DeliveryUnknown:
				unsure = append(unsure, label)
				continue
			case d.State != content.DeliveryPublished:
				notOut = append(notOut, label)
				continue
			}
			if err := retractOne(ctx, cfg, reg, d); err != nil {
				failed = append(failed, label+"（"+err.Error()+"）")
				if aerr := st.AddAudit(ctx, storage.AuditEntry{Actor: actor.Name, Action: "retract", ItemID: id, RevisionID: d.RevisionID,
					Account: d.Account, Detail: "从平台删除失败：" + err.Error()}); aerr != nil {
					return aerr
				}
				continue
			}
			if err := st.MarkRetracted(ctx, d.ID, actor.Name, "已从平台删除（不可恢复）："+d.URL); err != nil {
				return fmt.Errorf("已从平台删除 %s，但记录失败：%w", d.Account, err)
			}
			deleted = append(deleted, label)
		}
		var parts []string
		add := func(format string, list []string) {
			if len(list) > 0 {
				parts = append(parts, fmt.Sprintf(format, len(list), strings.Join(list, "、")))
			}
		}
		add("已从 %d 个账号删除：%s", deleted)
		add("%d 个账号此前已删除：%s", before)
		add("%d 个账号结果未定，暂不能删除，稍后再试：%s", unsure)
		add("%d 个账号未发出，无需删除：%s", notOut)
		add("%d 个账号删除失败：%s", failed)
		fmt.Fprintf(a.stdout, "稿件 %d：%s\n", id, strings.Join(parts, "；"))
		if len(failed) > 0 {
			return &queue.Refusal{Code: queue.RefusedState, Msg: fmt.Sprintf("稿件 %d 有 %d 个账号未能删除，原因见上；可稍后重试或在平台后台手动删除", id, len(failed))}
		}
		return nil
	})
}

// selectDeliveries returns the deliveries --account names (all when empty),
// refusing an account the item was not sent to.
func selectDeliveries(id int64, ds []content.Delivery, only string) ([]content.Delivery, error) {
	if strings.TrimSpace(only) == "" {
		return ds, nil
	}
	byAccount := map[string]content.Delivery{}
	for _, d := range ds {
		byAccount[d.Account] = d
	}
	var out []content.Delivery
	for _, acct := range strings.Split(only, ",") {
		acct = strings.TrimSpace(acct)
		d, ok := byAccount[acct]
		if !ok {
			return nil, &queue.Refusal{Code: queue.RefusedInput, Msg: fmt.Sprintf("稿件 %d 没有发往账号 %s（--account 只能写该稿件的投递账号）", id, acct)}
		}
		out = append(out, d)
	}
	return out, nil
}

// retractOne deletes one published delivery through its channel.
func retractOne(ctx context.Context, cfg *configs.Config, reg channels.Registry, d content.Delivery) error {
	acct, ok := cfg.Account(d.Account)
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

// accountLabel is 「名称（id）」 for an account, or its id when unknown.
func accountLabel(cfg *configs.Config, id string) string {
	if a, ok := cfg.Account(id); ok && a.Name != "" {
		return fmt.Sprintf("%s（%s）", a.Name, id)
	}
	return id
}
