package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/password"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// cmdDemo runs the whole product on a fresh machine with no credentials: the
// sandbox platforms on a free loopback port, a daemon on a throwaway data
// dir with a generated county matrix, a few items of each kind taken through
// review and published through the real delivery path.
func cmdDemo(ctx context.Context, a *app, args []string) error {
	fs := a.flags("demo")
	keep := fs.Bool("keep", false, "Ctrl-C 后保留临时数据目录")
	fs.String("config", "", "（不使用：演示自带临时配置）")
	if err := parse(fs, args); err != nil {
		return err
	}
	start := time.Now()
	dir, err := os.MkdirTemp("", "herald-demo-*")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if !*keep {
		defer os.RemoveAll(dir)
	}

	sb := sandbox.New(sandbox.Options{Seed: 1, WeiboHistory: true})
	sbAddr := make(chan net.Addr, 1)
	sbErr := make(chan error, 1)
	go func() { sbErr <- sb.Serve(ctx, "127.0.0.1:0", func(addr net.Addr) { sbAddr <- addr }) }()
	var base string
	select {
	case addr := <-sbAddr:
		base = "http://" + addr.String()
	case err := <-sbErr:
		return err
	}

	cfgPath := filepath.Join(dir, "herald.yaml")
	yaml := demoMatrix().yaml(filepath.Join(dir, "data"), "127.0.0.1:0", base, base)
	// The county site's 政策文件 column, served by the sandbox.
	yaml += fmt.Sprintf("policies:\n  sources:\n    - url: %q\n", base+sandbox.SitePath)
	// Replicated to a folder of the throwaway dir, as an office replicates
	// to another disk: herald replica status and restore work on the demo.
	yaml += fmt.Sprintf("replica:\n  url: %q\n", "file://"+filepath.ToSlash(filepath.Join(dir, "replica")))
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	cfg, err := configs.Load(cfgPath)
	if err != nil {
		return err
	}
	registerAccounts(sb, cfg)
	d, err := newDaemon(ctx, cfg, a.log)
	if err != nil {
		return err
	}
	daemonDone := make(chan error, 1)
	go func() { daemonDone <- d.run(ctx, a.log) }()

	policy, pages, err := renderPolicyData(cfg, configs.PolicyExample, "configs/policy.example.yaml")
	if err != nil {
		return fmt.Errorf("demo: rendering the sample policy graphic: %w", err)
	}
	graphicDraft := queue.Draft{Kind: content.KindGraphic, Title: policy.Title, Digest: truncateRunes(policy.Summary, content.WeChatDigestMax),
		SourceURL: policy.URL, Images: pages, Targets: "all", When: "now"}
	ids, err := seedDemo(ctx, d.queue, d.store, graphicDraft, cfg.Today(time.Now()))
	if err != nil {
		return fmt.Errorf("demo: seeding items: %w", err)
	}
	if err := waitSettled(ctx, d.store, ids, 25*time.Second); err != nil {
		return err
	}
	// 30 days of statistics, up to the last day the platform has ready
	// (yesterday after 08:00 China time, else the day before).
	to := d.stats.Yesterday()
	if time.Now().In(cfg.Location).Hour() < 8 {
		to = to.AddDate(0, 0, -1)
	}
	sum, err := d.stats.Collect(ctx, to.AddDate(0, 0, -29), to, nil, false, nil)
	if err != nil {
		return fmt.Errorf("demo: collecting statistics: %w", err)
	}
	printDemoSummary(a, cfg, d.store, sb, ids, cfgPath, base)
	printDemoFollowers(a, cfg, d.store, to.AddDate(0, 0, -29))
	if err := seedDemoPatrol(ctx, a, d, sb, cfg); err != nil { // demo_patrol.go
		return err
	}
	if err := seedDemoInbox(ctx, a, d, sb, cfg); err != nil { // demo_inbox.go
		return err
	}
	if err := seedDemoPolicies(ctx, a, d); err != nil {
		return err
	}
	if err := addDemoUsers(ctx, a, d.store); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "statistics: %s to %s for %d accounts, %d rows, %d platform calls, %d incomplete\n",
		sum.From, sum.To, sum.Accounts, sum.RowsWritten, sum.Calls, len(sum.Failures))
	fmt.Fprintf(a.stdout, "herald demo ready in %.1fs — console: %s  (Ctrl-C to stop)\n", time.Since(start).Seconds(), d.URL())
	err = <-daemonDone
	if *keep {
		fmt.Fprintf(a.stdout, "data kept in %s\n", dir)
	}
	return err
}

// seedDemo adds one item of each kind and takes it through the three review levels.
func seedDemo(ctx context.Context, q *queue.Service, st *storage.Store, graphicDraft queue.Draft, today time.Time) ([]int64, error) {
	office := queue.Actor{Name: "陈晓", Department: "xwb"}
	scj := queue.Actor{Name: "赵磊", Department: "scjgj"}
	cover := demoImage(900, 500, color.RGBA{183, 28, 28, 255})
	photo := demoImage(640, 420, color.RGBA{21, 101, 192, 255})
	drafts := []struct {
		actor queue.Actor
		d     queue.Draft
	}{
		{office, queue.Draft{Kind: content.KindArticle, Title: "青山县召开县政府第28次常务会议",
			Body:       `<p>11月21日，县长主持召开县政府第28次常务会议，研究部署冬季安全生产和农房改造工作。</p><p><img src="photos/meeting.png"></p><p>会议要求各乡镇、各部门压实责任，确保群众温暖过冬。</p>`,
			BodyImages: map[string][]byte{"photos/meeting.png": photo}, Images: [][]byte{cover},
			SourceURL: "https://www.qingshan.gov.cn/zwgk/2026/1121.html", Targets: "group:county", When: "now"}},
		{office, graphicDraft}, // rendered from configs/policy.example.yaml
		{scj, queue.Draft{Kind: content.KindBroadcast, Priority: content.PriorityUrgent, Targets: "group:departments", When: "now",
			Broadcast: &content.Broadcast{Date: today.Format("2006-01-02"), Unit: "青山县城关镇惠民超市", Address: "城关镇人民路88号",
				Result: "责令限期整改", Findings: "冷藏柜温度记录不全；部分预包装食品标签不规范。\n已现场下达责令整改通知书，7日内复查。"},
			Images: [][]byte{photo}}},
		{office, queue.Draft{Kind: content.KindShort, Body: "【出行提示】11月25日至12月5日，城关镇人民路（解放街至新华街段）封闭施工，请绕行。",
			Targets: "qs-fabu-weibo,qs-wjw-weibo", When: "now"}},
	}
	var ids []int64
	for _, x := range drafts {
		id, err := q.Add(ctx, x.actor, x.d)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
		for _, r := range []struct {
			name    string
			secrecy bool
		}{{"张敏", false}, {"王强", false}, {"刘建国", true}} {
			if err := q.Approve(ctx, queue.Actor{Name: r.name, Department: "xwb"}, id, r.secrecy); err != nil {
				return nil, fmt.Errorf("approve item %d as %s: %w", id, r.name, err)
			}
		}
	}
	return ids, nil
}

// waitSettled waits until every item has left scheduled and publishing.
func waitSettled(ctx context.Context, st *storage.Store, ids []int64, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		open := 0
		for _, id := range ids {
			it, err := st.Item(ctx, id)
			if err != nil {
				return err
			}
			if it.State == content.ItemScheduled || it.State == content.ItemPublishing {
				open++
			}
		}
		if open == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("demo: %d items still publishing after %s", open, limit)
		}
		select {
		case <-ctx.Done():
			return errors.New("demo: interrupted")
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func printDemoSummary(a *app, cfg *configs.Config, st *storage.Store, sb *sandbox.Server, ids []int64, cfgPath, base string) {
	ctx := context.Background()
	fmt.Fprintln(a.stdout, "herald demo: a county matrix of 12 accounts (9 WeChat, 3 Weibo) on sandbox platforms at", base)
	t := newTable("稿件", "类型", "标题", "状态", "已发布/账号")
	for _, id := range ids {
		it, err := st.Item(ctx, id)
		if err != nil {
			continue
		}
		c, _ := st.DeliveryCounts(ctx, []int64{id})
		t.add(fmt.Sprint(id), it.Kind.Label(), clip(it.Revision.Label(), 30), it.State.Label(), fmt.Sprintf("%d/%d", c[id].Published, c[id].Total))
	}
	_ = t.write(a.stdout)
	snap := sb.Snapshot()
	articles, posts := 0, 0
	for _, w := range snap.WeChat {
		articles += len(w.Published)
	}
	for _, w := range snap.Weibo {
		posts += len(w.Posts)
	}
	fmt.Fprintf(a.stdout, "on the platforms: %d WeChat articles published, %d Weibo posts (see %s/_sandbox/state)\n", articles, posts, base)
	today := cfg.Today(time.Now())
	fmt.Fprintf(a.stdout, "try the CLI against it: HERALD_CONFIG=%s go run ./cmd/herald post list\n", cfgPath)
	fmt.Fprintf(a.stdout, "  or: HERALD_CONFIG=%s go run ./cmd/herald report monthly --month %s --out report.xlsx\n",
		cfgPath, reportMonth(today).Format("2006-01"))
	// Up to today: today's row holds the Weibo follower snapshot.
	fmt.Fprintf(a.stdout, "  or: HERALD_CONFIG=%s go run ./cmd/herald stats export --from %s --to %s --format xlsx --out stats.xlsx\n",
		cfgPath, today.AddDate(0, 0, -30).Format("2006-01-02"), today.Format("2006-01-02"))
}

// reportMonth is the month whose report the demo suggests: this month,
// which holds the Weibo snapshot, unless it began today.
func reportMonth(today time.Time) time.Time {
	if today.Day() == 1 {
		return today.AddDate(0, -1, 0)
	}
	return today
}

// printDemoFollowers prints each account's latest stored follower count:
// WeChat's for the last collected day, Weibo's from today's snapshot (Weibo
// keeps no history). Days count in the configured timezone.
func printDemoFollowers(a *app, cfg *configs.Config, st *storage.Store, from time.Time) {
	today := cfg.Today(time.Now())
	rows, err := st.AllDailyStats(context.Background(), from.Format("2006-01-02"), today.Format("2006-01-02"))
	if err != nil {
		fmt.Fprintln(a.stdout, "followers: cannot read the statistics:", err)
		return
	}
	latest := map[string]storage.DailyStat{}
	for _, r := range rows { // by date, then account
		if r.Followers != nil {
			latest[r.Account] = r
		}
	}
	t := newTable("账号", "平台", "粉丝数", "日期")
	for _, acct := range cfg.Accounts {
		r, ok := latest[acct.ID]
		if !ok {
			t.add(acct.ID, acct.Platform, "", "")
			continue
		}
		t.add(acct.ID, acct.Platform, fmt.Sprint(*r.Followers), r.Date)
	}
	fmt.Fprintln(a.stdout, "followers as collected (Weibo: a snapshot of today, the platform keeps no history):")
	_ = t.write(a.stdout)
}

// demoImage draws a simple banner image: a coloured top band on white.
func demoImage(w, h int, c color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			switch {
			case y < h/5:
				img.Set(x, y, c)
			case (y/40)%2 == 0 && x > w/10 && x < w*9/10:
				img.Set(x, y, color.RGBA{250, 235, 235, 255})
			default:
				img.Set(x, y, color.White)
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

// demoPassword is every demo user's password: the demo's data is thrown away.
const demoPassword = "herald-demo"

// addDemoUsers adds the demo's console users, all with demoPassword.
func addDemoUsers(ctx context.Context, a *app, st *storage.Store) error {
	hash, err := password.Hash(demoPassword)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "console sign-in (姓名 and 密码 %s):\n", demoPassword)
	t := newTable()
	for _, u := range [][3]string{{"周丽", "xwb", "admin"}, {"陈晓", "xwb", "editor"}, {"张敏", "xwb", "reviewer"}, {"王强", "xwb", "reviewer"}, {"刘建国", "xwb", "reviewer"}, {"赵磊", "scjgj", "editor"}} {
		if err := st.CreateUser(ctx, storage.User{Name: u[0], Department: u[1], Role: u[2], PasswordHash: hash}, "demo"); err != nil {
			return err
		}
		t.add("  "+u[0], map[string]string{"admin": "管理员", "editor": "编辑", "reviewer": "审核"}[u[2]])
	}
	return t.write(a.stdout)
}
