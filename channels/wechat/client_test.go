package wechat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/credential"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/content"
)

// Two channels with different wechat.api_base and wechat.timeout work side
// by side in one process: each one's calls reach its own platform and obey
// its own timeout (the library's hooks are process-wide; herald's settings
// travel with each request).
func TestTwoChannelsWithDifferentSettingsCoexist(t *testing.T) {
	fast := newEnv(t, sandbox.Options{Seed: 41})
	slow := newEnv(t, sandbox.Options{Seed: 42, Faults: sandbox.Faults{Latency: 300 * time.Millisecond}})
	slow.cfg.WeChat.Timeout = 100 * time.Millisecond
	slow.open()

	var wg sync.WaitGroup
	var fastErr, slowErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, fastErr = fast.ch.Publish(context.Background(), fast.acct["fabu"], fast.pub(content.KindArticle, fast.article("快的平台")))
	}()
	go func() {
		defer wg.Done()
		_, slowErr = slow.ch.Publish(context.Background(), slow.acct["fabu"], slow.pub(content.KindArticle, slow.article("慢的平台")))
	}()
	wg.Wait()
	if fastErr != nil {
		t.Fatalf("the channel with a 5 s timeout failed: %v", fastErr)
	}
	if slowErr == nil {
		t.Fatal("the channel with a 100 ms timeout published against a platform answering in 300 ms")
	}
	if p := fast.state("wx_fabu").Published; len(p) != 1 || p[0].Title != "快的平台" {
		t.Fatalf("the first platform has %+v", p)
	}
	if p := slow.state("wx_fabu").Published; len(p) != 0 {
		t.Fatalf("the second platform has %+v", p)
	}
	for path := range slow.state("wx_fabu").Calls {
		if strings.Contains(path, "draft") {
			t.Fatalf("the first channel's calls reached the second platform: %v", slow.state("wx_fabu").Calls)
		}
	}
}

// A mass send whose answer is lost (the platform closes the connection)
// leaves an error and a log line without the access token in them.
func TestLostMassSendAnswerCarriesNoToken(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 44})
	var logs bytes.Buffer
	e.ch = New(e.cfg, e.st, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Options{PollEvery: 5 * time.Millisecond, PollFor: 2 * time.Second, SettleWindow: time.Nanosecond})
	p := e.pub(content.KindArticle, e.article("群发答复丢失"))
	p.Notify = true
	e.sb.LoseNext("/cgi-bin/message/mass/sendall", 1)
	_, err := e.ch.Publish(context.Background(), e.acct["fabu"], p)
	if err == nil {
		t.Fatal("a lost answer was taken for success")
	}
	token := ""
	for _, key := range []string{"wechat:" + credential.CacheKeyOfficialAccountPrefix + "_access_token_wx_fabu"} {
		token, _ = e.st.GetValue(context.Background(), key)
	}
	if len(token) < 8 {
		t.Fatalf("no cached token to look for (%q)", token)
	}
	d, _ := e.st.Delivery(context.Background(), p.DeliveryID)
	for what, text := range map[string]string{"error": fmt.Sprintf("%v %+v", err, errors.Unwrap(err)), "log": logs.String(), "delivery": d.Error} {
		if strings.Contains(text, token) {
			t.Errorf("the %s holds the access token: %s", what, text)
		}
	}
	if !strings.Contains(fmt.Sprintf("%v %+v", err, errors.Unwrap(err)), "sendall") {
		t.Fatalf("the error does not say which call lost its answer: %v", err)
	}
}
