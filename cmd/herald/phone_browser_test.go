package main

import (
	"context"
	"fmt"
	"image/color"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/password"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// menuPages are the console's menu pages, by screenshot name.
var menuPages = [][2]string{{"calendar", "/calendar"}, {"compose", "/compose"}, {"review", "/review"}, {"accounts", "/accounts"},
	{"stats", "/stats"}, {"patrol", "/patrol"}, {"policies", "/policies"}, {"inbox", "/inbox"}, {"users", "/users"}}

// links are left out of the scan for internal words (a URL may hold any).
var links = regexp.MustCompile(`https?://[^\s）)]+`)

// internalWords matches what a clerk must never read on a page: state,
// role and audit-action keys, account, department and group ids, command
// lines.
func internalWords(cfg *configs.Config) *regexp.Regexp {
	var words []string
	for _, s := range content.ItemStates {
		words = append(words, string(s))
	}
	for _, s := range content.DeliveryStates {
		words = append(words, string(s))
	}
	words = append(words, "admin", "editor", "reviewer", "viewer", "wechat", "weibo", "create", "submit", "approve", "reject",
		"delivery", "settle", "publish", "cron-run", "wording", "link-policy")
	for _, a := range cfg.Accounts {
		words = append(words, a.ID)
	}
	for _, d := range cfg.Departments {
		words = append(words, d.ID)
	}
	for _, g := range cfg.Groups {
		words = append(words, g.Name)
	}
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(`(?:^|[^A-Za-z0-9_-])(` + strings.Join(words, "|") + `)(?:$|[^A-Za-z0-9_-])|herald [a-z]+|group:|attempt`)
}

// TestBrowserPhone is a day's work at a phone's width (390 px) in
// chromium: a reviewer opens an article that was rejected and reworked,
// sees its body and what changed, and signs; three signatures publish it;
// the editor retracts it from its page and the sandbox sees it deleted;
// the 统计 page downloads the month's workbook. Every menu page, at 390 and
// at 1366 px, scrolls no wider than the window and shows no internal word.
// Screenshots go to testdata/screenshots (phone-*, desk-*).
func TestBrowserPhone(t *testing.T) {
	shots := screenshotDir(t)
	sb := sandbox.New(sandbox.Options{Seed: 11})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "herald.yaml")
	if err := os.WriteFile(cfgPath, []byte(demoMatrix().yaml(filepath.Join(dir, "data"), "127.0.0.1:0", srv.URL, srv.URL)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	registerAccounts(sb, cfg)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d, err := newDaemon(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.run(ctx, log) }()
	defer func() { cancel(); <-done }()
	hash, err := password.Hash("qingshan-2026")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range [][3]string{{"陈晓", "xwb", "editor"}, {"张敏", "xwb", "reviewer"}, {"王强", "xwb", "reviewer"}, {"刘建国", "xwb", "reviewer"}, {"周丽", "xwb", "admin"}} {
		if err := d.store.CreateUser(ctx, storage.User{Name: u[0], Department: u[1], Role: u[2], PasswordHash: hash}, "test"); err != nil {
			t.Fatal(err)
		}
	}

	// An article to 青山发布 (WeChat and Weibo), rejected at 初审 and reworked.
	editor := queue.Actor{Name: "陈晓", Department: "xwb"}
	id, err := d.queue.Add(ctx, editor, queue.Draft{Kind: content.KindArticle, Title: "青山县启动冬季供暖保障工作",
		Body:   "<p>近日，县住建局召开冬季供暖保障工作会议。</p><p>会议要求各供热单位做好设备检修。</p>",
		Digest: "县住建局部署冬季供暖保障", Targets: "qs-fabu,qs-fabu-weibo", When: "now",
		Images: [][]byte{demoImage(900, 383, color.RGBA{183, 28, 28, 255})}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.queue.Reject(ctx, queue.Actor{Name: "张敏", Department: "xwb"}, id, "请写明供暖开始日期"); err != nil {
		t.Fatal(err)
	}
	body := "<p>近日，县住建局召开冬季供暖保障工作会议，全县将于11月15日起正式供暖。</p><p>会议要求各供热单位做好设备检修。</p>"
	if err := d.queue.Edit(ctx, editor, id, queue.Changes{Body: &body}); err != nil {
		t.Fatal(err)
	}
	if it, _ := d.store.Item(ctx, id); it.State != content.ItemInReview {
		if err := d.queue.Submit(ctx, editor, id); err != nil {
			t.Fatal(err)
		}
	}

	internal := internalWords(cfg)
	phone := startChromium(t, ctx, 390, 844)
	if err := chromedp.Run(phone, chromedp.EmulateViewport(390, 844)); err != nil { // headless windows are at least 500 px wide
		t.Fatal(err)
	}
	run := func(b context.Context, what string, actions ...chromedp.Action) {
		t.Helper()
		c, cancel := context.WithTimeout(b, 30*time.Second)
		defer cancel()
		if err := chromedp.Run(c, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(c context.Context) error {
			var buf []byte
			if err := chromedp.FullScreenshot(&buf, 100).Do(c); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644)
		})
	}
	// fits checks the page scrolls no wider than the window and shows no
	// internal word.
	fits := func(b context.Context, what string, width int) {
		t.Helper()
		var sw int
		var text string
		run(b, what, chromedp.Evaluate(`document.documentElement.scrollWidth`, &sw), chromedp.Evaluate(`document.body.innerText`, &text))
		if sw > width {
			t.Errorf("%s at %d px: scrollWidth %d", what, width, sw)
		}
		text = links.ReplaceAllString(text, "")
		if m := internal.FindString(text); m != "" {
			i := strings.Index(text, m)
			t.Errorf("%s shows %q: …%s…", what, m, text[max(0, i-60):min(len(text), i+60)])
		}
	}
	base := d.URL() + "console"
	login := func(b context.Context, user string) {
		run(b, "log in as "+user, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(`#name`, chromedp.ByQuery),
			chromedp.SendKeys(`#name`, user, chromedp.ByQuery), chromedp.SendKeys(`#password`, "qingshan-2026", chromedp.ByQuery),
			chromedp.Submit(`#password`, chromedp.ByQuery), chromedp.WaitVisible(`.days`, chromedp.ByQuery))
	}
	logout := func(b context.Context) {
		run(b, "log out", chromedp.Navigate(base+"/calendar"), chromedp.Click(`label.menu`, chromedp.ByQuery),
			chromedp.Click(`header form button`, chromedp.ByQuery), chromedp.WaitVisible(`#name`, chromedp.ByQuery))
	}

	// The editor sends it to her phone from the item's page.
	login(phone, "陈晓")
	run(phone, "preview from the item page", chromedp.Navigate(fmt.Sprintf("%s/items/%d", base, id)), chromedp.WaitVisible(`.wxname`, chromedp.ByQuery),
		chromedp.SendKeys(`.wxname`, "chenxiao_qs", chromedp.ByQuery), chromedp.Click(`.preview`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery), shot("phone-item-preview"))
	previews := 0
	for _, w := range sb.Snapshot().WeChat {
		for _, p := range w.Previews {
			if p.ToWxName == "chenxiao_qs" && p.Title == "青山县启动冬季供暖保障工作" {
				previews++
			}
		}
	}
	if previews != 1 {
		t.Fatalf("the sandbox saw %d previews to chenxiao_qs, want 1", previews)
	}
	logout(phone)

	// 初审 on the phone: the body, the change since the rejection, signing.
	login(phone, "张敏")
	var wechat, ins, del string
	run(phone, "open the review", chromedp.Navigate(base+"/review"), chromedp.Click(`.open-review`, chromedp.ByQuery),
		chromedp.WaitVisible(`#diff`, chromedp.ByQuery), chromedp.Text(`#wechat`, &wechat, chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll('#diff ins')].map(e => e.textContent).join('|')`, &ins),
		chromedp.Evaluate(`[...document.querySelectorAll('#diff del')].map(e => e.textContent).join('|')`, &del),
		shot("phone-review-change"))
	if !strings.Contains(wechat, "会议要求各供热单位做好设备检修") || !strings.Contains(ins, "11月15日起正式供暖") {
		t.Fatalf("the review page shows body %q, insertions %q", wechat, ins)
	}
	fits(phone, "review page", 390)
	var tap float64
	run(phone, "tap targets", chromedp.Evaluate(`Math.min(...[...document.querySelectorAll('#sign button')].map(b => b.getBoundingClientRect().height))`, &tap))
	if tap < 44 {
		t.Errorf("the review page's buttons are %.0f px high at 390 px, want at least 44", tap)
	}
	run(phone, "sign 初审", chromedp.Click(`.approve`, chromedp.ByQuery), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
	logout(phone)
	for _, reviewer := range []string{"王强", "刘建国"} {
		login(phone, reviewer)
		actions := []chromedp.Action{chromedp.Navigate(base + "/review"), chromedp.Click(`.open-review`, chromedp.ByQuery), chromedp.WaitVisible(`.approve`, chromedp.ByQuery)}
		if reviewer == "刘建国" {
			actions = append(actions, chromedp.Click(`.secrecy`, chromedp.ByQuery), shot("phone-review-final"))
		}
		run(phone, "sign as "+reviewer, append(actions, chromedp.Click(`.approve`, chromedp.ByQuery), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))...)
		logout(phone)
	}
	onPlatform := func(deleted bool) bool {
		snap := sb.Snapshot()
		wx, wb := 0, 0
		for _, w := range snap.WeChat {
			for _, a := range w.Published {
				if a.Title == "青山县启动冬季供暖保障工作" && a.Deleted == deleted {
					wx++
				}
			}
		}
		for _, w := range snap.Weibo {
			for _, p := range w.Posts {
				if strings.Contains(p.Text, "青山县启动冬季供暖保障工作") && p.Deleted == deleted {
					wb++
				}
			}
		}
		return wx == 1 && wb == 1
	}
	waitFor(t, "the article on WeChat and Weibo", func() bool { return onPlatform(false) })
	waitFor(t, "the item to settle", func() bool { it, err := d.store.Item(ctx, id); return err == nil && it.State.Final() })

	// The editor's menu pages at 390 px, the folded and the open menu.
	login(phone, "周丽")
	run(phone, "open the menu", chromedp.Click(`label.menu`, chromedp.ByQuery), chromedp.WaitVisible(`header nav`, chromedp.ByQuery), shot("phone-menu"))
	for _, p := range menuPages {
		run(phone, p[0], chromedp.Navigate(base+p[1]), chromedp.WaitReady(`main`, chromedp.ByQuery), shot("phone-"+p[0]))
		fits(phone, p[0], 390)
	}
	run(phone, "an account's statistics", chromedp.Navigate(base+"/stats"), chromedp.Click(`#rank-weibo a`, chromedp.ByQuery),
		chromedp.WaitVisible(`#chart-trend svg`, chromedp.ByQuery), shot("phone-stats-account"))
	fits(phone, "an account's statistics", 390)
	logout(phone)

	// Retract from the item's page: the sandbox sees both deleted.
	login(phone, "陈晓")
	run(phone, "retract", chromedp.Navigate(fmt.Sprintf("%s/items/%d", base, id)), chromedp.WaitVisible(`#retract`, chromedp.ByQuery),
		chromedp.Click(`#retract-confirm`, chromedp.ByQuery), chromedp.Click(`#retract`, chromedp.ByQuery), chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
		shot("phone-item-retracted"))
	fits(phone, "item page", 390)
	waitFor(t, "the article deleted from WeChat and Weibo", func() bool { return onPlatform(true) })

	// The workbook, downloaded from 统计.
	downloads := t.TempDir()
	run(phone, "download the workbook", browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(downloads),
		chromedp.Navigate(base+"/stats"), chromedp.WaitVisible(`#download-workbook`, chromedp.ByQuery), chromedp.Click(`#download-workbook`, chromedp.ByQuery))
	waitFor(t, "the workbook in the download folder", func() bool {
		files, _ := filepath.Glob(filepath.Join(downloads, "*.xlsx"))
		if len(files) != 1 {
			return false
		}
		b, err := os.ReadFile(files[0])
		return err == nil && len(b) > 1000 && string(b[:2]) == "PK"
	})

	// The same pages at a desk's 1366 px.
	desk := startChromium(t, ctx, 1366, 900)
	login(desk, "周丽")
	var heading string
	run(desk, "the editor's menus", chromedp.Navigate(base+"/compose"), chromedp.WaitVisible(`.ql-picker.ql-header`, chromedp.ByQuery),
		chromedp.Evaluate(`getComputedStyle(document.querySelector('.ql-picker.ql-header .ql-picker-label'), '::before').content`, &heading))
	if heading != `"正文"` {
		t.Errorf("the editor's paragraph menu reads %s, want 正文", heading)
	}
	for _, p := range menuPages {
		run(desk, p[0], chromedp.Navigate(base+p[1]), chromedp.WaitReady(`main`, chromedp.ByQuery), shot("desk-"+p[0]))
		fits(desk, p[0], 1366)
	}
	run(desk, "item", chromedp.Navigate(fmt.Sprintf("%s/items/%d", base, id)), chromedp.WaitReady(`main`, chromedp.ByQuery), shot("desk-item"))
	fits(desk, "item page", 1366)
	t.Logf("screenshots in %s", shots)
}
