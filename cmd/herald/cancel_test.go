package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/internal/testenv"
)

// cancelEnv is a daemon running in-process against a sandbox, with five
// WeChat accounts (wx000..wx004) and two workers, so that a fan-out has
// deliveries published, in flight and not yet started at the same moment.
type cancelEnv struct {
	*env
	stop func()
}

// newCancelEnv is the cancel tests' env; o adds to it (more accounts, YAML).
func newCancelEnv(t *testing.T, o testenv.Options) *cancelEnv {
	t.Helper()
	o.WeChat, o.Workers, o.Timeout, o.Sandbox.Seed = 5, 2, 20*time.Second, 7
	o.YAML = "listen: 127.0.0.1:0\nreview: {levels: []}\n" + o.YAML
	return &cancelEnv{env: newEnv(t, o)}
}

// serve starts the daemon in-process; stop ends it.
func (c *cancelEnv) serve() {
	c.t.Helper()
	c.stop = c.startDaemon(nil)
}

// waitFor waits until cond holds (testenv.Eventually).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testenv.Eventually(t, what, cond)
}

// TestCancelInFlightStopsWhatHasNotStartedAndSaysWhatWentOut: an item going
// out to five accounts is cancelled when one account has it published, two
// have it submitted with the platform's answer held, and two have not
// started. The two not started never reach the platform, the message names
// what went out and what may have, and post show agrees with the platform
// once the held answers come.
func TestCancelInFlightStopsWhatHasNotStartedAndSaysWhatWentOut(t *testing.T) {
	c := newCancelEnv(t, testenv.Options{})
	release := c.Sandbox.Hold("/cgi-bin/freepublish/submit", "wechat/wxapp001", "wechat/wxapp002")
	defer release()
	c.serve()
	id := c.addArticle("--to", "group:county", "--at", "now")
	waitFor(t, "wx000 published and wx001, wx002 submitted", func() bool {
		s := c.Sandbox.Snapshot()
		return len(s.WeChat["wxapp000"].Published) == 1 &&
			s.WeChat["wxapp001"].Calls["/cgi-bin/freepublish/submit"] == 1 && s.WeChat["wxapp002"].Calls["/cgi-bin/freepublish/submit"] == 1
	})
	waitFor(t, "wx000's delivery recorded as published", func() bool {
		for _, d := range c.show(id).Deliveries {
			if d.Account == "wx000" {
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
	for _, want := range []string{"已发出 1 个账号：公众号0", "可能已发出 2 个账号：公众号1、公众号2", "已撤销 2 个账号：公众号3、公众号4"} {
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
	snap := c.Sandbox.Snapshot()
	for _, d := range final.Deliveries {
		a, _ := c.Config.Account(d.Account)
		onPlatform := len(snap.WeChat[a.AppID].Published)
		switch d.Account {
		case "wx000", "wx001", "wx002":
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
	if !strings.Contains(final.StateReason, "已撤销") || !strings.Contains(final.StateReason, "wx003") {
		t.Errorf("state reason does not say what was cancelled: %q", final.StateReason)
	}
}

// A WeChat delivery caught by the cancel while it is still uploading its
// images (in sending, nothing published yet) stops before the publishing
// call: nothing goes out, the delivery and the item end cancelled.
func TestCancelStopsAnAttemptBeforeItsPublishingCall(t *testing.T) {
	c := newCancelEnv(t, testenv.Options{})
	release := c.Sandbox.Hold("/cgi-bin/material/add_material", "wechat/wxapp000")
	defer release()
	c.serve()
	id := c.addArticle("--to", "wx000", "--at", "now")
	waitFor(t, "wx000 uploading its cover", func() bool {
		return c.Sandbox.Snapshot().WeChat["wxapp000"].Calls["/cgi-bin/material/add_material"] == 1
	})
	code, out, errs := c.herald("post", "cancel", strconv.FormatInt(id, 10))
	if code != 0 || !strings.Contains(out, "可能已发出 1 个账号：公众号0") {
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
	st := c.Sandbox.Snapshot().WeChat["wxapp000"]
	if len(st.Published) != 0 || st.Calls["/cgi-bin/freepublish/submit"] != 0 || st.Calls["/cgi-bin/message/mass/sendall"] != 0 {
		t.Fatalf("the cancelled attempt reached the platform: %d published, calls %v", len(st.Published), st.Calls)
	}
	if final.State != "cancelled" || final.Deliveries[0].State != "cancelled" {
		t.Fatalf("item %s, delivery %+v; want both cancelled", final.State, final.Deliveries[0])
	}
}
