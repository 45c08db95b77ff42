package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// multiFlag collects a repeatable string flag (--image a.jpg --image b.jpg).
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// actorFlags are --as and --department, shared by every command that acts.
type actorFlags struct {
	name, department *string
}

func addActorFlags(fs *flag.FlagSet) actorFlags {
	return actorFlags{
		name:       fs.String("as", "", "操作人（签批、退回时为审核人姓名）；默认 $HERALD_USER 或 $USER"),
		department: fs.String("department", "", "代表的部门；默认新闻办（可向全部账号发布）"),
	}
}

func (f actorFlags) actor(cfg *configs.Config) queue.Actor {
	name := *f.name
	for _, env := range []string{"HERALD_USER", "USER"} {
		if name == "" {
			name = os.Getenv(env)
		}
	}
	if name == "" {
		name = "cli"
	}
	dept := *f.department
	if dept == "" {
		dept = cfg.OfficeDepartment()
	}
	return queue.Actor{Name: name, Department: dept}
}

// withQueue opens config, store and queue service for a post command.
func (a *app) withQueue(ctx context.Context, cfgPath string, af actorFlags, fn func(cfg *configs.Config, st *storage.Store, q *queue.Service, actor queue.Actor) error) error {
	cfg, st, err := a.openStore(ctx, cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	q := queue.New(cfg, st, nil)
	actor := af.actor(cfg)
	if err := q.CheckActor(actor); err != nil {
		return err
	}
	return fn(cfg, st, q, actor)
}

func oneID(fs *flag.FlagSet) (int64, error) {
	if fs.NArg() != 1 {
		return 0, usagef("请在选项之后给出一个稿件编号，如 herald post show 12")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%q 不是稿件编号（应为数字）", fs.Arg(0))
	}
	return id, nil
}

func cmdPostAdd(ctx context.Context, a *app, args []string) error {
	fs := a.flags("post add")
	cfgPath := fs.String("config", "", "配置文件")
	kind := fs.String("kind", "", "article | graphic | broadcast | short（稿件类型）")
	title := fs.String("title", "", "标题（检查播报默认为 检查播报｜单位）")
	bodyFile := fs.String("body-file", "", "文章正文（HTML；本地图片用相对路径）或短消息文字")
	docxFile := fs.String("docx", "", "文章：以 Word 文档（.docx）为正文；未给 --title/--image 时，标题段为标题，第一张图为封面")
	text := fs.String("text", "", "短消息的文字（代替 --body-file）")
	var images multiFlag
	fs.Var(&images, "image", "图片文件（可重复；第一张为封面）")
	sourceURL := fs.String("source-url", "", "原文链接（阅读原文；图解必填）")
	fromPolicy := fs.String("from-policy", "", "图解：用这个政策描述文件（YAML）生成图片")
	digest := fs.String("digest", "", "摘要；默认取正文开头")
	author := fs.String("author", "", "作者")
	to := fs.String("to", "", "all | group:分组名 | id1,id2,...")
	at := fs.String("at", "", "now | \"YYYY-MM-DD HH:MM\" | RFC 3339（发布时间）")
	cronSpec := fs.String("cron", "", "周期发布：5 段 cron 表达式，按配置的时区")
	priority := fs.String("priority", "normal", "urgent | normal（优先级）")
	notify := fs.Bool("notify", false, "公众号：群发给粉丝（占用账号的群发次数）")
	keepDraft := fs.Bool("draft", false, "保存为草稿，不提交审核")
	bDate := fs.String("date", "", "检查播报：检查日期 YYYY-MM-DD（默认今天）")
	bUnit := fs.String("unit", "", "检查播报：被检查单位")
	bAddress := fs.String("address", "", "检查播报：地址")
	bResult := fs.String("result", "", "检查播报：结果（例如 合格、责令整改）")
	bFindings := fs.String("findings", "", "检查播报：发现的问题")
	asJSON := fs.Bool("json", false, "输出 {\"id\": N}")
	policy := fs.Int64("policy", 0, "关联到这份政策（见 herald policy list）：文章作为解读，图解作为图解")
	af := addActorFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("多余的参数 %q：post add 只接受选项", fs.Arg(0))
	}
	if *kind == "" {
		return usagef("请用 --kind 指定稿件类型：article（图文）、graphic（政策图解）、broadcast（检查播报）或 short（短讯）")
	}
	if *to == "" {
		return usagef("请用 --to 指定发布账号：all、group:分组名，或以逗号分隔的账号ID")
	}
	d := queue.Draft{Kind: content.Kind(*kind), Title: *title, SourceURL: *sourceURL, Digest: *digest, Author: *author,
		Targets: *to, When: *at, Cron: *cronSpec, Priority: content.Priority(*priority), Notify: *notify, KeepDraft: *keepDraft, PolicyID: *policy}
	var err error
	if *bodyFile != "" {
		if d.Kind == content.KindShort {
			b, rerr := os.ReadFile(*bodyFile)
			if rerr != nil {
				return usagef("无法读取 --body-file 指定的正文文件：%s", fileProblem(rerr))
			}
			d.Body = string(b)
		} else if d.Body, d.BodyImages, err = readBody(*bodyFile); err != nil {
			return err
		}
	}
	if *text != "" {
		d.Body = *text
	}
	if *docxFile != "" {
		if d.Kind != content.KindArticle {
			return usagef("--docx 只能与 --kind article 一起使用")
		}
		if *bodyFile != "" {
			return usagef("--docx 与 --body-file 只能选一个")
		}
		if d.Docx, err = readDocx(*docxFile); err != nil {
			return err
		}
	}
	if d.Images, err = readImages(images); err != nil {
		return err
	}
	if *fromPolicy != "" && d.Kind != content.KindGraphic {
		return usagef("--from-policy 只能与 --kind graphic 一起使用")
	}
	return a.withQueue(ctx, *cfgPath, af, func(cfg *configs.Config, st *storage.Store, q *queue.Service, actor queue.Actor) error {
		if *fromPolicy != "" {
			p, pages, err := renderPolicy(cfg, *fromPolicy)
			if err != nil {
				return err
			}
			d.Images = append(pages, d.Images...)
			if d.Title == "" {
				d.Title = p.Title
			}
			if d.SourceURL == "" {
				d.SourceURL = p.URL
			}
			if d.Digest == "" {
				d.Digest = truncateRunes(p.Summary, content.WeChatDigestMax)
			}
		}
		if d.Kind == content.KindBroadcast {
			date := *bDate
			if date == "" {
				date = time.Now().In(cfg.Location).Format("2006-01-02")
			} else if _, err := time.Parse("2006-01-02", date); err != nil {
				return usagef("--date %q 不是日期，应写成 2026-11-20", date)
			}
			d.Broadcast = &content.Broadcast{Date: date, Unit: *bUnit, Address: *bAddress, Result: *bResult, Findings: *bFindings}
		}
		var warnings []string
		d.DocxWarning = func(line string) { warnings = append(warnings, line) }
		id, err := q.Add(ctx, actor, d)
		if err != nil {
			return err
		}
		if *asJSON {
			out := map[string]any{"id": id}
			if len(warnings) > 0 {
				out["warnings"] = warnings
			}
			return writeJSON(a.stdout, out)
		}
		fmt.Fprintln(a.stdout, id)
		for _, w := range warnings {
			fmt.Fprintln(a.stderr, "注意："+w)
		}
		it, err := st.Item(ctx, id)
		if err == nil && it.State == content.ItemApproved {
			fmt.Fprintf(a.stderr, "稿件 %d 已通过但未设定发布时间：用 herald post edit --at TIME %d 设定\n", id, id)
		}
		return nil
	})
}

func cmdPostList(ctx context.Context, a *app, args []string) error {
	fs := a.flags("post list")
	cfgPath := fs.String("config", "", "配置文件")
	state := fs.String("state", "", "只列出这些状态的稿件（以逗号分隔）")
	limit := fs.Int("limit", 200, "最多列出这么多条")
	asJSON := fs.Bool("json", false, "输出 JSON")
	af := addActorFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	var states []content.ItemState
	if *state != "" {
		for _, s := range strings.Split(*state, ",") {
			st := content.ItemState(strings.TrimSpace(s))
			if !st.Valid() {
				return usagef("未知的状态 %q", s)
			}
			states = append(states, st)
		}
	}
	return a.withQueue(ctx, *cfgPath, af, func(cfg *configs.Config, st *storage.Store, q *queue.Service, actor queue.Actor) error {
		items, err := q.Items(ctx, actor, storage.ItemFilter{States: states, Limit: *limit})
		if err != nil {
			return err
		}
		ids := make([]int64, len(items))
		for i, it := range items {
			ids[i] = it.ID
		}
		counts, err := st.DeliveryCounts(ctx, ids)
		if err != nil {
			return err
		}
		if *asJSON {
			type row struct {
				ID         int64                 `json:"id"`
				Kind       content.Kind          `json:"kind"`
				State      content.ItemState     `json:"state"`
				Priority   content.Priority      `json:"priority"`
				Title      string                `json:"title"`
				Targets    string                `json:"targets"`
				PublishAt  *time.Time            `json:"publish_at"`
				PublishNow bool                  `json:"publish_now"`
				Cron       string                `json:"cron,omitempty"`
				Department string                `json:"department,omitempty"`
				Deliveries storage.DeliveryCount `json:"deliveries"`
				UpdatedAt  time.Time             `json:"updated_at"`
			}
			rows := make([]row, 0, len(items))
			for _, it := range items {
				rows = append(rows, row{it.ID, it.Kind, it.State, it.Priority, it.Revision.Title, it.Targets, it.PublishAt,
					it.PublishNow, it.Cron, it.Department, counts[it.ID], it.UpdatedAt})
			}
			return writeJSON(a.stdout, rows)
		}
		if len(items) == 0 {
			fmt.Fprintln(a.stdout, "没有稿件")
			return nil
		}
		t := newTable("ID", "类型", "状态", "标题", "发布时间", "目标", "已发布/账号")
		for _, it := range items {
			c := counts[it.ID]
			t.add(strconv.FormatInt(it.ID, 10), it.Kind.Label(), it.State.Label(), clip(it.Revision.Label(), 34),
				it.When(cfg.Location), clip(it.Targets, 24), fmt.Sprintf("%d/%d", c.Published, c.Total))
		}
		return t.write(a.stdout)
	})
}

// itemView is `post show --json`: the item, its review and every delivery.
type itemView struct {
	content.Item
	Review     reviewView         `json:"review"`
	Deliveries []content.Delivery `json:"deliveries"`
}

type reviewView struct {
	Levels    []string           `json:"levels"`
	NextLevel string             `json:"next_level,omitempty"`
	Approvals []content.Approval `json:"approvals"`
}

func cmdPostShow(ctx context.Context, a *app, args []string) error {
	fs := a.flags("post show")
	cfgPath := fs.String("config", "", "配置文件")
	asJSON := fs.Bool("json", false, "输出 JSON")
	af := addActorFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	id, err := oneID(fs)
	if err != nil {
		return err
	}
	return a.withQueue(ctx, *cfgPath, af, func(cfg *configs.Config, st *storage.Store, q *queue.Service, actor queue.Actor) error {
		it, err := q.Item(ctx, actor, id)
		if err != nil {
			return err
		}
		ds, err := st.Deliveries(ctx, id)
		if err != nil {
			return err
		}
		if err := st.MarkRetractions(ctx, id, ds); err != nil {
			return err
		}
		approvals, err := st.Approvals(ctx, id)
		if err != nil {
			return err
		}
		v := itemView{Item: it, Deliveries: ds, Review: reviewView{Levels: q.Levels(), Approvals: approvals}}
		if v.Deliveries == nil {
			v.Deliveries = []content.Delivery{}
		}
		if v.Review.Approvals == nil {
			v.Review.Approvals = []content.Approval{}
		}
		if it.State == content.ItemInReview {
			if lvl, _, err := q.NextLevel(ctx, &it); err == nil && lvl <= len(v.Review.Levels) {
				v.Review.NextLevel = v.Review.Levels[lvl-1]
			}
		}
		if *asJSON {
			return writeJSON(a.stdout, v)
		}
		return writeItem(a, cfg, v)
	})
}

func writeItem(a *app, cfg *configs.Config, v itemView) error {
	it := v.Item
	w := a.stdout
	fmt.Fprintf(w, "稿件 %d  %s  %s（%s）\n", it.ID, it.Kind.Label(), it.State.Label(), it.State)
	fmt.Fprintf(w, "标题：%s\n", it.Revision.Title)
	fmt.Fprintf(w, "版本：第%d版  内容哈希 %s\n", it.Revision.Number, it.Revision.Hash[:12])
	fmt.Fprintf(w, "目标：%s  发布时间：%s  优先级：%s\n", it.Targets, it.When(cfg.Location), it.Priority)
	if it.Revision.SourceURL != "" {
		fmt.Fprintf(w, "原文链接：%s\n", it.Revision.SourceURL)
	}
	if it.StateReason != "" {
		fmt.Fprintf(w, "说明：%s\n", it.StateReason)
	}
	if len(v.Review.Levels) > 0 {
		var signed []string
		for _, ap := range v.Review.Approvals {
			if !ap.Voided && ap.RevisionID == it.Revision.ID {
				signed = append(signed, fmt.Sprintf("%s %s", ap.LevelName, ap.Reviewer))
			}
		}
		line := "审核：" + strings.Join(v.Review.Levels, " → ")
		if len(signed) > 0 {
			line += "；已签：" + strings.Join(signed, "，")
		}
		if v.Review.NextLevel != "" {
			line += "；待：" + v.Review.NextLevel
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w)
	t := newTable("账号", "平台", "投递状态", "链接", "错误")
	for _, d := range v.Deliveries {
		state := string(d.State)
		if d.RetractedAt != nil {
			state += "（已从平台删除）"
		}
		if d.State == content.DeliveryUnverified {
			state += "（无法核实，请在平台后台核对）"
		}
		t.add(d.Account, d.Platform, state, d.URL, d.Error)
	}
	return t.write(w)
}

func cmdPostEdit(ctx context.Context, a *app, args []string) error {
	fs := a.flags("post edit")
	cfgPath := fs.String("config", "", "配置文件")
	title := fs.String("title", "", "新标题")
	bodyFile := fs.String("body-file", "", "新的正文文件")
	docxFile := fs.String("docx", "", "文章：以 Word 文档（.docx）为新正文（未给 --title/--image 时也取其标题和第一张图）")
	var images multiFlag
	fs.Var(&images, "image", "替换图片（可重复；第一张为封面）")
	sourceURL := fs.String("source-url", "", "新的原文链接")
	at := fs.String("at", "", "新的发布时间")
	af := addActorFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	id, err := oneID(fs)
	if err != nil {
		return err
	}
	var c queue.Changes
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["title"] {
		c.Title = title
	}
	if set["source-url"] {
		c.SourceURL = sourceURL
	}
	if set["at"] {
		c.When = at
	}
	if set["body-file"] {
		body, imgs, err := readBody(*bodyFile)
		if err != nil {
			return err
		}
		c.Body, c.BodyImages = &body, imgs
	}
	if set["docx"] {
		if set["body-file"] {
			return usagef("--docx 与 --body-file 只能选一个")
		}
		if c.Docx, err = readDocx(*docxFile); err != nil {
			return err
		}
	}
	if len(images) > 0 {
		if c.Images, err = readImages(images); err != nil {
			return err
		}
	}
	if len(set) == 0 || (len(set) == 1 && (set["config"] || set["as"] || set["department"])) {
		return usagef("没有要修改的内容：请给出 --title、--body-file、--docx、--image、--source-url 或 --at")
	}
	return a.withQueue(ctx, *cfgPath, af, func(cfg *configs.Config, st *storage.Store, q *queue.Service, actor queue.Actor) error {
		var warnings []string
		c.DocxWarning = func(line string) { warnings = append(warnings, line) }
		if err := q.Edit(ctx, actor, id, c); err != nil {
			return err
		}
		it, err := st.Item(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "稿件 %d 已修改为第%d版，状态：%s\n", id, it.Revision.Number, it.State.Label())
		for _, w := range warnings {
			fmt.Fprintln(a.stderr, "注意："+w)
		}
		return nil
	})
}

// simpleItemCommand builds submit/cancel-like commands that take one ID.
func simpleItemCommand(name, done string, act func(ctx context.Context, q *queue.Service, actor queue.Actor, id int64) error) func(context.Context, *app, []string) error {
	return func(ctx context.Context, a *app, args []string) error {
		fs := a.flags(name)
		cfgPath := fs.String("config", "", "配置文件")
		af := addActorFlags(fs)
		if err := parse(fs, args); err != nil {
			return err
		}
		id, err := oneID(fs)
		if err != nil {
			return err
		}
		return a.withQueue(ctx, *cfgPath, af, func(cfg *configs.Config, st *storage.Store, q *queue.Service, actor queue.Actor) error {
			if err := act(ctx, q, actor, id); err != nil {
				return err
			}
			it, err := st.Item(ctx, id)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "稿件 %d %s，当前状态：%s\n", id, done, it.State.Label())
			return nil
		})
	}
}

var cmdPostSubmit = simpleItemCommand("post submit", "已提交", func(ctx context.Context, q *queue.Service, actor queue.Actor, id int64) error {
	return q.Submit(ctx, actor, id)
})

// cmdPostCancel withdraws an item and says plainly which accounts it went
// out to, may have gone out to, and was stopped for.
func cmdPostCancel(ctx context.Context, a *app, args []string) error {
	fs := a.flags("post cancel")
	cfgPath := fs.String("config", "", "配置文件")
	af := addActorFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	id, err := oneID(fs)
	if err != nil {
		return err
	}
	return a.withQueue(ctx, *cfgPath, af, func(cfg *configs.Config, st *storage.Store, q *queue.Service, actor queue.Actor) error {
		rep, err := q.Cancel(ctx, actor, id)
		if err != nil {
			return err
		}
		msg := rep.Text()
		if rep.OnPlatform() {
			msg += fmt.Sprintf("已发出的内容仍在平台上；如需删除：herald post retract --yes %d", id)
		}
		fmt.Fprintln(a.stdout, msg)
		return nil
	})
}

func cmdPostApprove(ctx context.Context, a *app, args []string) error {
	fs := a.flags("post approve")
	cfgPath := fs.String("config", "", "配置文件")
	secrecy := fs.Bool("secrecy-ok", false, "确认已做保密审查；最后一级必填")
	revision := fs.Int("revision", 0, "所审阅的版本号（稿件已改则拒绝）；默认当前版本")
	af := addActorFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	id, err := oneID(fs)
	if err != nil {
		return err
	}
	if *af.name == "" {
		return usagef("请用 --as 写明签署人姓名")
	}
	return a.withQueue(ctx, *cfgPath, af, func(cfg *configs.Config, st *storage.Store, q *queue.Service, actor queue.Actor) error {
		rev, err := signedRevision(ctx, q, actor, id, *revision)
		if err != nil {
			return err
		}
		if err := q.ApproveRevision(ctx, actor, id, rev, *secrecy); err != nil {
			return err
		}
		it, err := st.Item(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "稿件 %d 第%d版已由 %s 签署，当前状态：%s\n", id, rev, actor.Name, it.State.Label())
		return nil
	})
}

func cmdPostReject(ctx context.Context, a *app, args []string) error {
	fs := a.flags("post reject")
	cfgPath := fs.String("config", "", "配置文件")
	comment := fs.String("comment", "", "退回理由（post show 可见）")
	revision := fs.Int("revision", 0, "所审阅的版本号（稿件已改则拒绝）；默认当前版本")
	af := addActorFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	id, err := oneID(fs)
	if err != nil {
		return err
	}
	if *af.name == "" {
		return usagef("请用 --as 写明退回人姓名")
	}
	return a.withQueue(ctx, *cfgPath, af, func(cfg *configs.Config, st *storage.Store, q *queue.Service, actor queue.Actor) error {
		rev, err := signedRevision(ctx, q, actor, id, *revision)
		if err != nil {
			return err
		}
		if err := q.RejectRevision(ctx, actor, id, rev, *comment); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "稿件 %d 第%d版已退回草稿\n", id, rev)
		return nil
	})
}
