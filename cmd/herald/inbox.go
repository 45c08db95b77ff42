package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/inbox"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// newInbox wires the inbox over the channels' inbox readers.
func newInbox(cfg *configs.Config, st *storage.Store, q *queue.Service, a *app) *inbox.Service {
	wc, wb, _ := newChannels(cfg, st, a.log)
	return inbox.New(cfg, st, q, map[string]channels.InboxReader{configs.PlatformWeChat: wc, configs.PlatformWeibo: wb}, a.log, nil)
}

// withInbox opens config, store, queue and inbox for an inbox command.
func (a *app) withInbox(ctx context.Context, cfgPath string, fn func(cfg *configs.Config, q *queue.Service, ib *inbox.Service) error) error {
	cfg, st, err := a.openStore(ctx, cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	q := queue.New(cfg, st, nil)
	return fn(cfg, q, newInbox(cfg, st, q, a))
}

// inboxActor is who acts: --as NAME, in --department, or else in the
// department of the console user of that name (so a clerk's --as keeps
// them to their department's accounts), or else the news office.
func inboxActor(ctx context.Context, cfg *configs.Config, st *storage.Store, af actorFlags) queue.Actor {
	actor := af.actor(cfg)
	if *af.department == "" {
		if u, err := st.UserByName(ctx, actor.Name); err == nil {
			actor.Department = u.Department
		}
	}
	return actor
}

func entryID(fs interface{ Args() []string }) (int64, error) {
	if len(fs.Args()) != 1 {
		return 0, usagef("请给出一个互动编号")
	}
	id, err := strconv.ParseInt(fs.Args()[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("互动编号 %q 不是正整数", fs.Args()[0])
	}
	return id, nil
}

func cmdInboxList(ctx context.Context, a *app, args []string) error {
	fs := a.flags("inbox list")
	cfgPath := fs.String("config", "", "配置文件")
	state := fs.String("state", "open", "open、answered、closed 或 all（状态）")
	overdue := fs.Bool("overdue", false, "只列出已超期的未办留言")
	accounts := fs.String("account", "", "账号 id，以逗号分隔")
	asJSON := fs.Bool("json", false, "输出 JSON")
	af := addActorFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	switch *state {
	case "open", "answered", "closed", "all":
	default:
		return usagef("--state 只能是 open、answered、closed 或 all")
	}
	return a.withInbox(ctx, *cfgPath, func(cfg *configs.Config, q *queue.Service, ib *inbox.Service) error {
		f := inbox.Filter{State: *state, Overdue: *overdue}
		if *accounts != "" {
			f.Accounts = strings.Split(*accounts, ",")
		}
		es, err := ib.List(ctx, inboxActor(ctx, cfg, ib.Store(), af), f)
		if err != nil {
			return err
		}
		out := make([]inbox.EntryJSON, 0, len(es))
		for _, e := range es {
			out = append(out, ib.JSON(e))
		}
		if *asJSON {
			return writeJSON(a.stdout, map[string]any{"entries": out})
		}
		tb := newTable("ID", "账号", "类型", "来自", "内容", "所在", "期限", "状态")
		for _, j := range out {
			state := map[string]string{"open": "待回复", "answered": "已回复", "closed": "已关闭"}[j.State]
			if j.Overdue {
				state = "超期未复"
			}
			if j.Reply != nil && j.Reply.State == storage.ReplySending {
				state = "回复" + inbox.Uncertain
			}
			from := j.From.Name
			if from == "" {
				from = j.From.ID
			}
			tb.add(fmt.Sprint(j.ID), j.AccountName, inbox.KindLabel(j.Kind), from, clip(j.Text, 30), clip(j.Title, 16),
				j.DueAt.Format("01-02 15:04"), state)
		}
		return tb.write(a.stdout)
	})
}

func cmdInboxSync(ctx context.Context, a *app, args []string) error {
	fs := a.flags("inbox sync")
	cfgPath := fs.String("config", "", "配置文件")
	accounts := fs.String("account", "", "账号 id，以逗号分隔（默认全部）")
	if err := parse(fs, args); err != nil {
		return err
	}
	return a.withInbox(ctx, *cfgPath, func(cfg *configs.Config, q *queue.Service, ib *inbox.Service) error {
		var ids []string
		if *accounts != "" {
			ids = strings.Split(*accounts, ",")
		}
		res := ib.Sync(ctx, ids)
		fmt.Fprintf(a.stdout, "读取 %d 个账号，新增互动 %d 条，平台调用 %d 次\n", res.Accounts, len(res.Added), ib.Calls())
		if res.Unreadable > 0 {
			fmt.Fprintf(a.stdout, "%d 篇文章的留言无法读取（已记录，不再读取）\n", res.Unreadable)
		}
		for id, err := range res.Failed {
			fmt.Fprintf(a.stderr, "账号 %s 读取中断（已读到的已保存，下次从中断处继续）：%s\n", id, err)
		}
		if len(res.Failed) > 0 {
			return fmt.Errorf("%d 个账号读取中断", len(res.Failed))
		}
		return nil
	})
}

func cmdInboxReply(ctx context.Context, a *app, args []string) error {
	fs := a.flags("inbox reply")
	cfgPath := fs.String("config", "", "配置文件")
	text := fs.String("text", "", "回复内容")
	textFile := fs.String("text-file", "", "存有回复内容的文件")
	af := addActorFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	id, err := entryID(fs)
	if err != nil {
		return err
	}
	if (*text == "") == (*textFile == "") {
		return usagef("请用 --text 或 --text-file 给出回复内容（只用其一）")
	}
	body := *text
	if *textFile != "" {
		b, err := os.ReadFile(*textFile)
		if err != nil {
			return usagef("无法读取回复文件：%s", fileProblem(err))
		}
		body = string(b)
	}
	return a.withInbox(ctx, *cfgPath, func(cfg *configs.Config, q *queue.Service, ib *inbox.Service) error {
		e, err := ib.Reply(ctx, inboxActor(ctx, cfg, ib.Store(), af), id, body)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "互动 %d 已回复\n", e.ID)
		return nil
	})
}

func cmdInboxClose(ctx context.Context, a *app, args []string) error {
	fs := a.flags("inbox close")
	cfgPath := fs.String("config", "", "配置文件")
	reason := fs.String("reason", "", "无需回复的理由（垃圾信息、致谢、重复）")
	af := addActorFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	id, err := entryID(fs)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*reason) == "" {
		return usagef("请用 --reason 写明无需回复的原因")
	}
	return a.withInbox(ctx, *cfgPath, func(cfg *configs.Config, q *queue.Service, ib *inbox.Service) error {
		if err := ib.Close(ctx, inboxActor(ctx, cfg, ib.Store(), af), id, *reason); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "互动 %d 已关闭\n", id)
		return nil
	})
}
