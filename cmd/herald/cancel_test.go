package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
)

// cancelEnv is a daemon running in-process against a sandbox, with five
// WeChat accounts and two workers, so that a fan-out has deliveries
// published, in flight and not yet started at the same moment.
type cancelEnv struct {
	*env
	sb   *sandbox.Server
	cfg  *configs.Config
	stop func()
}

func newCancelEnv(t *testing.T, extra string, moreAccounts ...string) *cancelEnv {
	t.Helper()
	sb := sandbox.New(sandbox.Options{Seed: 7})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	var y strings.Builder
	fmt.Fprintf(&y, "data_dir: %s\nlisten: 127.0.0.1:0\nwechat: {api_base: %q, timeout: 20s}\nweibo: {api_base: %q}\n",
		filepath.Join(dir, "data"), srv.URL, srv.URL)
	y.WriteString("review: {levels: []}\ndelivery: {workers: 2}\n" + extra + "accounts:\n")
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&y, "  - {id: gz%d, name: 公众号%d, platform: wechat, groups: [county], app_id: wxc%d, app_secret: s%d}\n", i, i, i, i)
	}
	for _, a := range moreAccounts {
		y.WriteString("  - " + a + "\n")
	}
	cfgPath := filepath.Join(dir, "herald.yaml")
	if err := os.WriteFile(cfgPath, []byte(y.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	registerAccounts(sb, cfg)
	newEnvFiles(t, dir)
	return &cancelEnv{env: &env{t: t, dir: dir, cfg: cfgPath}, sb: sb, cfg: cfg}
}

// serve starts the daemon in-process; stop ends it.
func (c *cancelEnv) serve() {
	c.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("HERALD_TEST_VERBOSE") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	d, err := newDaemon(ctx, c.cfg, log)
	if err != nil {
		c.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.run(ctx, log) }()
	c.stop = func() { cancel(); <-done }
	c.t.Cleanup(func() {
		if c.stop != nil {
			c.stop()
			c.stop = nil
		}
	})
}

// waitFor polls cond until it holds or 30 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCancelInFlightStopsWhatHasNotStartedAndSaysWhatWentOut: an item going
// out to five accounts is cancelled when one account has it published, two
// have it submitted with the platform's answer held, and two have not
// started. The two not started never reach the platform, the message names
// what went out and what may have, and post show agrees with the platform
// once the held answers come.
func TestCancelInFlightStopsWhatHasNotStartedAndSaysWhatWentOut(t *testing.T) {
	c := newCancelEnv(t, "")
	release := c.sb.Hold("/cgi-bin/freepublish/submit", "wechat/wxc2", "wechat/wxc3")
	defer release()
	c.serve()
	id := c.addArticle("--to", "group:county", "--at", "now")
	waitFor(t, "gz1 published and gz2, gz3 submitted", func() bool {
		s := c.sb.Snapshot()
		return len(s.WeChat["wxc1"].Published) == 1 &&
			s.WeChat["wxc2"].Calls["/cgi-bin/freepublish/submit"] == 1 && s.WeChat["wxc3"].Calls["/cgi-bin/freepublish/submit"] == 1
	})
	waitFor(t, "gz1's delivery recorded as published", func() bool {
		for _, d := range c.show(id).Deliveries {
			if d.Account == "gz1" {
				return d.State == "published"
			}
		}
		return false
	})

	code, out, errs := c.herald("post", "cancel", strconv.FormatInt(id, 10))
	if code != 0 {
		t.Fatalf("post cancel: exit %d: %s", code, errs)
	}
	t.Logf("post cancel said: %s", out)
	for _, want := range []string{"已发出 1 个账号：公众号1（gz1）", "可能已发出 2 个账号：公众号2（gz2）、公众号3（gz3）", "已撤销 2 个账号：公众号4（gz4）、公众号5（gz5）"} {
		if !strings.Contains(out, want) {
			t.Errorf("post cancel output lacks %q:\n%s", want, out)
		}
	}
	if s := c.show(id); s.State == "cancelled" {
		t.Errorf("item shows cancelled while two deliveries are still in flight: %+v", s)
	}

	release()
	var final shown
	waitFor(t, "the item to settle", func() bool {
		final = c.show(id)
		return final.State != "publishing"
	})
	c.stop()
	c.stop = nil

	// The platform and post show agree, account by account.
	snap := c.sb.Snapshot()
	for _, d := range final.Deliveries {
		a, _ := c.cfg.Account(d.Account)
		onPlatform := len(snap.WeChat[a.AppID].Published)
		switch d.Account {
		case "gz1", "gz2", "gz3":
			if d.State != "published" || onPlatform != 1 {
				t.Errorf("%s: delivery %s, %d on the platform; want published, 1", d.Account, d.State, onPlatform)
			}
		default:
			if d.State != "cancelled" || onPlatform != 0 || snap.WeChat[a.AppID].Calls["/cgi-bin/draft/add"] != 0 {
				t.Errorf("%s: delivery %s, %d on the platform, calls %v; want cancelled and nothing sent", d.Account, d.State, onPlatform, snap.WeChat[a.AppID].Calls)
			}
		}
	}
	if final.State != "partially_failed" {
		t.Errorf("item settled as %s (%s); three accounts published and two were cancelled: want partially_failed", final.State, final.StateReason)
	}
	if !strings.Contains(final.StateReason, "已撤销") || !strings.Contains(final.StateReason, "gz4") {
		t.Errorf("state reason does not say what was cancelled: %q", final.StateReason)
	}
}

// A WeChat delivery caught by the cancel while it is still uploading its
// images (in sending, nothing published yet) stops before the publishing
// call: nothing goes out, the delivery and the item end cancelled.
func TestCancelStopsAnAttemptBeforeItsPublishingCall(t *testing.T) {
	c := newCancelEnv(t, "")
	release := c.sb.Hold("/cgi-bin/material/add_material", "wechat/wxc1")
	defer release()
	c.serve()
	id := c.addArticle("--to", "gz1", "--at", "now")
	waitFor(t, "gz1 uploading its cover", func() bool {
		return c.sb.Snapshot().WeChat["wxc1"].Calls["/cgi-bin/material/add_material"] == 1
	})
	code, out, errs := c.herald("post", "cancel", strconv.FormatInt(id, 10))
	if code != 0 || !strings.Contains(out, "可能已发出 1 个账号：公众号1（gz1）") {
		t.Fatalf("post cancel: exit %d\n%s%s", code, out, errs)
	}
	release()
	var final shown
	waitFor(t, "the item to settle", func() bool {
		final = c.show(id)
		return final.State != "publishing"
	})
	c.stop()
	c.stop = nil
	st := c.sb.Snapshot().WeChat["wxc1"]
	if len(st.Published) != 0 || st.Calls["/cgi-bin/freepublish/submit"] != 0 || st.Calls["/cgi-bin/message/mass/sendall"] != 0 {
		t.Fatalf("the cancelled attempt reached the platform: %d published, calls %v", len(st.Published), st.Calls)
	}
	if final.State != "cancelled" || final.Deliveries[0].State != "cancelled" {
		t.Fatalf("item %s, delivery %+v; want both cancelled", final.State, final.Deliveries[0])
	}
}
