package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// cmdPostRetract takes an item off the platforms (queue.Service.Retract):
// what has not gone out is stopped, what has is deleted, and what was in
// flight is deleted by the daemon once it settles. It is irreversible, so
// it wants --yes; each deletion and each failure is written to the audit log.
func cmdPostRetract(ctx context.Context, a *app, args []string) error {
	fs := a.flags("post retract")
	cfgPath := fs.String("config", "", "配置文件")
	only := fs.String("account", "", "只删除这些账号（id 以逗号分隔）上的内容，限已发布完成的稿件；默认整篇稿件")
	yes := fs.Bool("yes", false, "确认：从平台删除后无法恢复")
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
	var accounts []string
	for _, acct := range strings.Split(*only, ",") {
		if acct = strings.TrimSpace(acct); acct != "" {
			accounts = append(accounts, acct)
		}
	}
	return a.withQueue(ctx, *cfgPath, af, func(cfg *configs.Config, st *storage.Store, q *queue.Service, actor queue.Actor) error {
		_, _, reg := newChannels(cfg, st, a.log)
		rep, err := q.Retract(ctx, actor, id, reg, accounts)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, rep.Message())
		if len(rep.Failed) > 0 {
			return &queue.Refusal{Code: queue.RefusedState, Msg: fmt.Sprintf("稿件 %d 有 %d 个账号未能删除，原因见上；可稍后重试或在平台后台手动删除", id, len(rep.Failed))}
		}
		return nil
	})
}
