package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/patrol"
	"github.com/herald-gov/herald/storage"
)

// newPatrol wires the patrol to the platform channels.
func newPatrol(cfg *configs.Config, st *storage.Store, a *app) *patrol.Patrol {
	wc, wb, _ := newChannels(cfg, st, a.log)
	readers := map[string]channels.PublicationReader{configs.PlatformWeChat: wc, configs.PlatformWeibo: wb}
	return patrol.New(cfg, st, readers, patrol.NewChecker(cfg), a.log, nil)
}

func today(loc *time.Location) time.Time {
	y, m, d := time.Now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

func cmdPatrol(ctx context.Context, a *app, args []string) error {
	fs := a.flags("patrol")
	cfgPath := fs.String("config", "", "配置文件")
	from := fs.String("from", "", "起始日期 YYYY-MM-DD（默认 patrol.days 天前）")
	to := fs.String("to", "", "截止日期 YYYY-MM-DD（默认今天）")
	account := fs.String("account", "", "只处理这些账号（id 以逗号分隔）")
	asJSON := fs.Bool("json", false, "输出 JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("多余的参数 %q", fs.Arg(0))
	}
	cfg, st, err := a.openStore(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	t := today(cfg.Location)
	f := t.AddDate(0, 0, -(cfg.Patrol.Days - 1))
	if *from != "" {
		if f, err = parseDay("--from", *from, cfg.Location); err != nil {
			return err
		}
	}
	if *to != "" {
		if t, err = parseDay("--to", *to, cfg.Location); err != nil {
			return err
		}
	}
	if t.Before(f) {
		return usagef("--to %s 早于 --from %s", t.Format("2006-01-02"), f.Format("2006-01-02"))
	}
	var ids []string
	if *account != "" {
		for _, id := range strings.Split(*account, ",") {
			if id = strings.TrimSpace(id); id != "" {
				if _, ok := cfg.Account(id); !ok {
					return usagef("--account：账号 %q 不存在（herald accounts list 可查看全部账号）", id)
				}
				ids = append(ids, id)
			}
		}
	}
	p := newPatrol(cfg, st, a)
	res, err := p.Run(ctx, f, t.AddDate(0, 0, 1), ids)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := writeJSON(a.stdout, res); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(a.stdout, "巡检 %s 至 %s：%d 个账号，%d 篇已发布内容（本次新读取 %d 篇，平台调用 %d 次），检查 %d 字\n",
			res.From, res.To, res.Accounts, res.Publications, res.Read, res.Calls, res.Chars)
		if len(res.Findings) > 0 {
			tb := newTable("账号", "发布时间", "标题", "问题", "建议", "级别", "上下文", "链接")
			for _, fd := range res.Findings {
				tb.add(fd.Account, fd.PublishedAt.Format("2006-01-02 15:04"), fd.Title, fd.Term, fd.Suggestion, fd.Level, fd.Context, fd.URL)
			}
			if err := tb.write(a.stdout); err != nil {
				return err
			}
		}
		for _, u := range res.Unreadable {
			fmt.Fprintf(a.stdout, "  未能读取 %s：%s\n", u.Account, u.Reason)
		}
	}
	var problems []string
	if n := len(res.Findings); n > 0 {
		problems = append(problems, fmt.Sprintf("发现 %d 处问题，请修改或删除相应内容", n))
	}
	if n := len(res.Unreadable); n > 0 {
		problems = append(problems, fmt.Sprintf("%d 个账号未能读取", n))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "；"))
	}
	return nil
}

func cmdTaskAdd(ctx context.Context, a *app, args []string) error {
	fs := a.flags("task add")
	cfgPath := fs.String("config", "", "配置文件")
	title := fs.String("title", "", "文章标题")
	url := fs.String("url", "", "文章链接（与原文链接比对）")
	due := fs.String("due", "", `due time: "2026-11-23 18:00" or RFC 3339`)
	to := fs.String("to", "", "all | group:分组名 | 账号 id")
	asJSON := fs.Bool("json", false, "输出 JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*title) == "" || *due == "" || *to == "" {
		return usagef("请给出 --title 标题、--due 截止时间（如 \"2026-11-23 18:00\"）和 --to 账号（all、group:分组名 或账号ID）")
	}
	cfg, st, err := a.openStore(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	d, now, err := content.ParseWhen(*due, cfg.Location)
	if err != nil || now {
		return usagef("--due %q 无法识别：请写 \"2026-11-23 18:00\" 或 RFC 3339 时间", *due)
	}
	if !d.After(time.Now()) {
		return usagef("--due %s 已经过去：请写将来的截止时间", d.In(cfg.Location).Format("2006-01-02 15:04"))
	}
	if _, err := cfg.TargetAccounts(*to, ""); err != nil {
		return usagef("--to：%v", err)
	}
	id, err := newPatrol(cfg, st, a).AddTask(ctx, *title, *url, d, *to)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(a.stdout, map[string]int64{"id": id})
	}
	fmt.Fprintln(a.stdout, id)
	return nil
}

// taskJSON is one task in `herald task list --json`.
type taskJSON struct {
	ID       int64             `json:"id"`
	Title    string            `json:"title"`
	URL      string            `json:"url"`
	Due      time.Time         `json:"due"`
	Targets  string            `json:"targets"`
	Done     int               `json:"done"`
	Late     int               `json:"late"`
	Missing  int               `json:"missing"`
	Pending  int               `json:"pending"`
	Accounts []taskAccountJSON `json:"accounts"`
}

type taskAccountJSON struct {
	Account     string     `json:"account"`
	State       string     `json:"state"`
	URL         string     `json:"url,omitempty"`
	PublishedAt *time.Time `json:"published_at"`
}

func cmdTaskList(ctx context.Context, a *app, args []string) error {
	fs := a.flags("task list")
	cfgPath := fs.String("config", "", "配置文件")
	asJSON := fs.Bool("json", false, "输出 JSON")
	cfg, st, err := a.parseAndOpen(ctx, fs, args, cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	tasks, bad, err := newPatrol(cfg, st, a).UpdateTasks(ctx)
	if err != nil {
		return err
	}
	out := make([]taskJSON, 0, len(tasks))
	for _, t := range tasks {
		j := taskJSON{ID: t.ID, Title: t.Title, URL: t.URL, Due: t.Due.In(cfg.Location), Targets: t.Targets, Accounts: []taskAccountJSON{}}
		for _, ac := range t.Accounts {
			switch ac.State {
			case storage.TaskDone:
				j.Done++
			case storage.TaskLate:
				j.Late++
			case storage.TaskMissing:
				j.Missing++
			default:
				j.Pending++
			}
			j.Accounts = append(j.Accounts, taskAccountJSON{Account: ac.Account, State: ac.State, URL: ac.URL, PublishedAt: ac.PublishedAt})
		}
		out = append(out, j)
	}
	if *asJSON {
		if err := writeJSON(a.stdout, out); err != nil {
			return err
		}
	} else {
		tb := newTable("ID", "标题", "截止", "对象", "已转载", "逾期转载", "未转载", "待转载")
		for _, j := range out {
			tb.add(fmt.Sprint(j.ID), j.Title, j.Due.Format("2006-01-02 15:04"), j.Targets, fmt.Sprint(j.Done), fmt.Sprint(j.Late), fmt.Sprint(j.Missing), fmt.Sprint(j.Pending))
		}
		if err := tb.write(a.stdout); err != nil {
			return err
		}
	}
	for _, u := range bad {
		fmt.Fprintf(a.stderr, "未能读取 %s 的已发布内容：%s（其转载情况可能不是最新）\n", u.Account, u.Reason)
	}
	return nil
}
