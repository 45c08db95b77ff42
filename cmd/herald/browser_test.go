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
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/internal/password"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/storage"
)

const chromium = "/usr/bin/chromium"

// TestBrowserConsole drives the console in headless Debian chromium: an
// editor composes a policy graphic with two images, three reviewers approve
// it level by level, the sandbox sees it published, and the statistics page
// shows its charts. Screenshots of each page go to testdata/screenshots (or
// $HERALD_SCREENSHOTS). .ci/run installs chromium; without it the test is
// skipped with a message saying how to install it.
func TestBrowserConsole(t *testing.T) {
	shots := screenshotDir(t)

	sb := sandbox.New(sandbox.Options{Seed: 9, WeiboHistory: true})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	dir := t.TempDir()
	cfgText := demoMatrix().yaml(filepath.Join(dir, "data"), "127.0.0.1:0", srv.URL, srv.URL)
	cfgPath := filepath.Join(dir, "herald.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
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
	to := d.stats.Yesterday().AddDate(0, 0, -1)
	if _, err := d.stats.Collect(ctx, to.AddDate(0, 0, -29), to, nil, false, nil); err != nil {
		t.Fatal(err)
	}
	hash, err := password.Hash("qingshan-2026")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range [][3]string{{"editor", "xwb", "editor"}, {"张敏", "xwb", "reviewer"}, {"王强", "xwb", "reviewer"}, {"刘建国", "xwb", "reviewer"}} {
		if err := d.store.CreateUser(ctx, storage.User{Name: u[0], Department: u[1], Role: u[2], PasswordHash: hash}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	pages := filepath.Join(dir, "pages")
	os.MkdirAll(pages, 0o755)
	var files []string
	for i := 0; i < 2; i++ {
		f := filepath.Join(pages, fmt.Sprintf("page%d.png", i+1))
		os.WriteFile(f, demoImage(1080, 1400+200*i, color.RGBA{183, uint8(28 + 40*i), 28, 255}), 0o644)
		files = append(files, f)
	}

	browser := startChromium(t, ctx, 1280, 1600)
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		c, cancel := context.WithTimeout(browser, 30*time.Second)
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
	base := d.URL() + "console"
	login := func(user string, more ...chromedp.Action) {
		actions := append([]chromedp.Action{
			chromedp.Navigate(base + "/login"),
			chromedp.WaitVisible(`#name`, chromedp.ByQuery),
			chromedp.SendKeys(`#name`, user, chromedp.ByQuery),
			chromedp.SendKeys(`#password`, "qingshan-2026", chromedp.ByQuery)},
			more...)
		run("log in as "+user, append(actions, chromedp.Submit(`#password`, chromedp.ByQuery), chromedp.WaitVisible(`.days`, chromedp.ByQuery))...)
	}
	logout := func() {
		run("log out", chromedp.Click(`header form button`, chromedp.ByQuery), chromedp.WaitVisible(`#name`, chromedp.ByQuery))
	}

	login("editor", shot("00-login"))
	run("calendar", shot("01-calendar"))
	var itemURL string
	run("compose a policy graphic",
		chromedp.Navigate(base+"/compose?kind=graphic"),
		chromedp.WaitVisible(`#title`, chromedp.ByQuery),
		chromedp.SendKeys(`#title`, "一图读懂：青山县医保新政", chromedp.ByQuery),
		chromedp.SendKeys(`#source_url`, "https://www.qingshan.gov.cn/zcjd/2026/7.html", chromedp.ByQuery),
		chromedp.SetUploadFiles(`#images`, files, chromedp.ByQuery),
		chromedp.Click(`#target-all`, chromedp.ByQuery),
		shot("02-compose"),
		chromedp.Click(`#submit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#state`, chromedp.ByQuery),
		chromedp.Location(&itemURL),
		shot("03-item-submitted"))
	logout()
	for _, reviewer := range []string{"张敏", "王强", "刘建国"} {
		login(reviewer)
		if reviewer == "张敏" { // look at it on the phone first (mass/preview)
			run("preview on the phone", chromedp.Navigate(base+"/review"), chromedp.Click(`.open-review`, chromedp.ByQuery), chromedp.WaitVisible(`.wxname`, chromedp.ByQuery),
				chromedp.SendKeys(`.wxname`, "zhangmin_qs", chromedp.ByQuery), chromedp.Click(`.preview`, chromedp.ByQuery),
				chromedp.WaitVisible(`.flash`, chromedp.ByQuery), shot("04-review-preview-sent"))
			previews := 0
			for _, w := range sb.Snapshot().WeChat {
				for _, p := range w.Previews {
					if p.ToWxName == "zhangmin_qs" && p.Title == "一图读懂：青山县医保新政" {
						previews++
					}
				}
			}
			if previews != 1 {
				t.Fatalf("the sandbox saw %d previews to zhangmin_qs, want 1", previews)
			}
		}
		actions := []chromedp.Action{chromedp.Navigate(base + "/review"), chromedp.Click(`.open-review`, chromedp.ByQuery), chromedp.WaitVisible(`.approve`, chromedp.ByQuery)}
		if reviewer == "刘建国" {
			actions = append(actions, chromedp.Click(`.secrecy`, chromedp.ByQuery))
		}
		actions = append(actions, shot("04-review-"+reviewer), chromedp.Click(`.approve`, chromedp.ByQuery), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
		run("review as "+reviewer, actions...)
		logout()
	}

	// On the platform: every WeChat account got the graphic as a two-image
	// newspic, every Weibo account a post with its first page as picture.
	wx, wb := 0, 0
	testenv.Eventually(t, "the graphic on 9 WeChat and 3 Weibo accounts", func() bool {
		wx, wb = 0, 0
		snap := sb.Snapshot()
		for _, w := range snap.WeChat {
			for _, a := range w.Published {
				if a.Title == "一图读懂：青山县医保新政" && a.ArticleType == "newspic" && a.Images == 2 {
					wx++
				}
			}
		}
		for _, w := range snap.Weibo {
			for _, p := range w.Posts {
				if strings.Contains(p.Text, "一图读懂：青山县医保新政") && p.Pic {
					wb++
				}
			}
		}
		return wx == 9 && wb == 3
	})
	testenv.Eventually(t, "the graphic item to settle", func() bool {
		it, err := d.store.Item(ctx, 1)
		return err == nil && it.State.Final()
	})
	login("editor")
	var state string
	run("published item", chromedp.Navigate(itemURL), chromedp.Text(`#state`, &state, chromedp.ByQuery), shot("05-item-published"))
	if state != "已发布" {
		t.Fatalf("item state on its page: %q", state)
	}
	var lines int
	var axis string
	run("statistics", chromedp.Navigate(base+"/stats"), chromedp.WaitVisible(`#chart-followers svg`, chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById('chart-followers').chart.getOption().series.length`, &lines),
		chromedp.Evaluate(`document.getElementById('chart-followers').chart.getOption().yAxis[0].name`, &axis), shot("06-stats"),
		chromedp.Click(`#rank-wechat a`, chromedp.ByQuery), chromedp.WaitVisible(`#chart-trend svg`, chromedp.ByQuery), shot("06-stats-account"),
		chromedp.Navigate(base+"/accounts"), chromedp.WaitVisible(`table`, chromedp.ByQuery), shot("07-accounts"))
	if lines < 2 || axis == "" {
		t.Fatalf("%d chart series on the statistics page, y axis %q", lines, axis)
	}
	t.Logf("screenshots in %s", shots)
}

// startChromium starts headless Debian chromium for a browser test and
// returns its context; it is closed, and its profile removed, when the test
// ends. The per-step timeouts of a test must not own this context
// (cancelling the context of the first Run would close the browser).
// screenshotDir skips the test when chromium is missing, and returns where
// its screenshots go: testdata/screenshots, or $HERALD_SCREENSHOTS.
func screenshotDir(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("chromium not installed (apt-get install chromium fonts-wqy-microhei); .ci/run installs it")
	}
	shots := os.Getenv("HERALD_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join("testdata", "screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	return shots
}

func startChromium(t *testing.T, ctx context.Context, width, height int) context.Context {
	t.Helper()
	// On a loaded machine chromium now and then fails to come up within
	// chromedp's wait; a fresh try with a fresh profile starts it.
	var err error
	for try := 1; try <= 3; try++ {
		var browser context.Context
		if browser, err = tryChromium(t, ctx, width, height); err == nil {
			return browser
		}
		t.Logf("chromium did not start (try %d of 3): %v", try, err)
	}
	t.Fatalf("start chromium: %v", err)
	return nil
}

// tryChromium starts one headless chromium with a profile of its own.
func tryChromium(t *testing.T, ctx context.Context, width, height int) (context.Context, error) {
	// Chromium's helper processes may still write to the profile briefly after
	// the browser closes: keep it out of t.TempDir and remove it best-effort.
	profile, err := os.MkdirTemp("", "herald-chromium-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; i < 20 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond) // best-effort cleanup, nothing waits on it
		}
	})
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("headless", true), chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.UserDataDir(profile),
		chromedp.WindowSize(width, height))
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	if err := chromedp.Run(browser); err != nil {
		cancelBrowser()
		cancelAlloc()
		return nil, err
	}
	t.Cleanup(cancelAlloc)
	t.Cleanup(cancelBrowser)
	return browser, nil
}
