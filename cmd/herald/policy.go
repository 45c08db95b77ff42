package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/notify"
	"github.com/herald-gov/herald/policies"
	"github.com/herald-gov/herald/reports"
	"github.com/herald-gov/herald/storage"
)

// policyID reads the one policy id argument.
func policyID(args []string, example string) (int64, error) {
	if len(args) != 1 {
		return 0, usagef("请在选项之后给出一个政策编号，如 %s（用 herald policy list 查看）", example)
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%q 不是政策编号（应为数字，用 herald policy list 查看）", args[0])
	}
	return id, nil
}

// syncPolicies reads the policy sources once and tells the robot about
// policies awaiting or overdue for interpretation.
func syncPolicies(ctx context.Context, cfg *configs.Config, st *storage.Store, log *slog.Logger) (*policies.Result, error) {
	res, err := policies.NewSyncer(cfg, st, log, policies.Options{}).Sync(ctx)
	if err != nil {
		return res, err
	}
	if robot := notify.NewRobot(cfg.Notify, nil); robot != nil {
		if _, err := reports.NotifyPolicies(ctx, cfg, st, robot, time.Now()); err != nil {
			log.Error("policy webhook", "err", err)
		}
	}
	return res, nil
}

func cmdPolicySync(ctx context.Context, a *app, args []string) error {
	fs := a.flags("policy sync")
	cfgPath := fs.String("config", "", "配置文件")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("多余的参数 %q：policy sync 只接受选项", fs.Arg(0))
	}
	cfg, st, err := a.openStore(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	if len(cfg.Policies.Sources) == 0 {
		return usagef("配置中没有政策来源：请在 policies.sources 中写明县政府网站政策文件栏目的网址")
	}
	quiet := slog.New(slog.DiscardHandler)
	res, err := syncPolicies(ctx, cfg, st, quiet)
	if err != nil {
		return err
	}
	for _, p := range res.Problems {
		fmt.Fprintln(a.stderr, p)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(a.stdout, n)
	}
	fmt.Fprintf(a.stdout, "读取 %d 个来源、%d 个文件：新增 %d，更新 %d，未变 %d\n", res.Sources, res.Documents, len(res.New), len(res.Updated), res.Unchanged)
	if len(res.Problems) > 0 {
		return fmt.Errorf("%d 处无法读取或被拒绝（见上），相关的已保存政策不变", len(res.Problems))
	}
	return nil
}

func cmdPolicyList(ctx context.Context, a *app, args []string) error {
	fs := a.flags("policy list")
	cfgPath := fs.String("config", "", "配置文件")
	asJSON := fs.Bool("json", false, "输出 JSON")
	status := fs.String("status", "", "只列出此状态的政策：covered、pending 或 overdue")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch *status {
	case "", policies.StatusCovered, policies.StatusPending, policies.StatusOverdue:
	default:
		return usagef("--status 只能是 covered（已解读）、pending（待解读）或 overdue（已逾期）")
	}
	cfg, st, err := a.openStore(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	all, err := policies.List(ctx, cfg, st, time.Now())
	if err != nil {
		return err
	}
	views := make([]policies.View, 0, len(all))
	for _, v := range all {
		if *status == "" || v.Status == *status {
			views = append(views, v)
		}
	}
	if *asJSON {
		return writeJSON(a.stdout, views)
	}
	if len(views) == 0 {
		fmt.Fprintln(a.stdout, "没有政策文件（herald policy sync 读取县政府网站的政策文件栏目）")
		return nil
	}
	t := newTable("ID", "日期", "文号", "标题", "解读", "图解", "期限", "状态")
	for _, v := range views {
		var art, gra []string
		for _, it := range v.Items {
			s := fmt.Sprintf("%d(%s)", it.ID, it.State)
			if it.Kind == "graphic" {
				gra = append(gra, s)
			} else {
				art = append(art, s)
			}
		}
		title := v.Title
		switch v.NoText {
		case policies.NoTextPicture:
			title = "［仅图片］" + title
		case policies.NoTextAttachment:
			title = "［仅附件］" + title
		}
		t.add(strconv.FormatInt(v.ID, 10), v.Date, v.DocNumber, clip(title, 30), strings.Join(art, ","), strings.Join(gra, ","), v.Deadline, v.Label())
	}
	return t.write(a.stdout)
}

func cmdPolicyDraft(ctx context.Context, a *app, args []string) error {
	fs := a.flags("policy draft")
	cfgPath := fs.String("config", "", "配置文件")
	out := fs.String("out", "", "要写出的图解描述文件（YAML；不能已存在）")
	if err := parse(fs, args); err != nil {
		return err
	}
	id, err := policyID(fs.Args(), "herald policy draft --out 图解.yaml 12")
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("请用 --out 指定要写入的图解文件，如 --out 图解.yaml")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%s 已存在：为免覆盖已修改的草稿，请换一个文件名或先删除它", *out)
	}
	cfg, st, err := a.openStore(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := st.Policy(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("政策 %d 不存在：用 herald policy list 查看政策编号", id)
	}
	if err != nil {
		return err
	}
	if p.NoText != "" {
		fmt.Fprintf(a.stderr, "政策 %d 的页面只有%s（%s），没有文字：草稿只有标题、发文机关、文号和日期，要点请对照原件填写\n",
			id, map[string]string{policies.NoTextPicture: "图片", policies.NoTextAttachment: "附件"}[p.NoText], strings.Join(p.Attachments, "、"))
	}
	g := policies.Draft(&p, cfg.Location)
	data, err := policies.MarshalDraft(g, &p)
	if err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(*out), "."+filepath.Base(*out)+".partial")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("无法写入 %s：%w", *out, err)
	}
	if err := os.Rename(tmp, *out); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("无法写入 %s：%w", *out, err)
	}
	fmt.Fprintf(a.stdout, "已写入 %s：%d 个要点。请核对原文修改后用 herald graphic render --in %s --out 文件夹 生成图解\n", *out, len(g.Points), *out)
	if err := g.Validate(); err != nil {
		fmt.Fprintf(a.stderr, "草稿还需补充：%s\n", strings.ReplaceAll(err.Error(), "\n", "；"))
	}
	return nil
}

// policyJobs registers the policy sync in serve: shortly after start, then
// every policies.interval. Without sources it registers nothing.
func (d *daemon) policyJobs(ctx context.Context, log *slog.Logger, c *cron.Cron) {
	if len(d.cfg.Policies.Sources) == 0 {
		return
	}
	first := d.policyFirst
	if first == 0 {
		first = 30 * time.Second
	}
	c.Schedule(&startThenEvery{first: time.Now().Add(first), every: d.cfg.Policies.Interval}, cron.NewChain(cron.SkipIfStillRunning(cron.DiscardLogger)).Then(cron.FuncJob(func() {
		if _, err := syncPolicies(ctx, d.cfg, d.store, log); err != nil && ctx.Err() == nil {
			log.Error("policy sync", "err", err)
		}
	})))
}

// startThenEvery fires once at first, then every interval.
type startThenEvery struct {
	first time.Time
	every time.Duration
}

func (s *startThenEvery) Next(t time.Time) time.Time {
	if t.Before(s.first) {
		return s.first
	}
	return t.Add(s.every)
}
