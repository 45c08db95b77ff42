package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/channels/wechat"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/inbox"
)

// newInboxAPI is the API and console with the inbox, over the sandbox.
func newInboxAPI(t *testing.T) (*apiEnv, *inbox.Service) {
	e := newAPIWith(t, webOptions())
	ib := inbox.New(e.Config, e.Store, e.Queue, map[string]channels.InboxReader{configs.PlatformWeChat: e.WeChat, configs.PlatformWeibo: e.Weibo}, e.Log, nil)
	srv := New(e.Config, e.Store, e.Queue, e.Log, nil)
	srv.Inbox = ib
	e.srv = httptest.NewServer(srv)
	t.Cleanup(e.srv.Close)
	return e, ib
}

// message has a user write to an account on the sandbox and puts it in the
// inbox as WeChat's push would.
func message(t *testing.T, e *apiEnv, ib *inbox.Service, account, appID, openID, text string, at time.Time) int64 {
	t.Helper()
	m, _, err := e.Sandbox.LeaveMessage(context.Background(), appID, openID, text, at)
	if err != nil {
		t.Fatal(err)
	}
	p, err := wechat.ParsePush([]byte(sandbox.MessageXML(m)))
	if err != nil {
		t.Fatal(err)
	}
	acct, _ := e.Config.Account(account)
	ids, err := ib.Add(context.Background(), acct, []channels.Incoming{*p.Message})
	if err != nil || len(ids) != 1 {
		t.Fatalf("add: %v %v", ids, err)
	}
	return ids[0]
}

func TestInboxAPIScopeReplyAndClose(t *testing.T) {
	e, ib := newInboxAPI(t)
	fabu := message(t, e, ib, "fabu", "wx1", "o-1", "请问县医院周末门诊开吗？", time.Now())
	scj := message(t, e, ib, "scj-wx", "wx2", "o-2", "举报：某超市销售过期食品", time.Now())
	spam := message(t, e, ib, "scj-wx", "wx2", "o-3", "加微信领红包", time.Now())

	code, m, raw := e.do("GET", "/api/v1/inbox", "scj-editor", nil)
	if code != 200 || len(m["entries"].([]any)) != 2 {
		t.Fatalf("department's inbox: %d %s", code, raw)
	}
	code, m, raw = e.do("GET", "/api/v1/inbox", "editor", nil)
	if code != 200 || len(m["entries"].([]any)) != 3 {
		t.Fatalf("office's inbox: %d %s", code, raw)
	}
	// Another department's entry: refused, nothing sent.
	code, _, raw = e.do("POST", fmt.Sprintf("/api/v1/inbox/%d/reply", fabu), "scj-editor", map[string]string{"text": "您好"})
	if code != 403 || !strings.Contains(raw, "其他部门") {
		t.Fatalf("other department: %d %s", code, raw)
	}
	if n := len(e.Sandbox.Inbox().Custom); n != 0 {
		t.Fatalf("%d messages sent after a refusal", n)
	}
	// A viewer may read, not answer.
	if code, _, _ := e.do("POST", fmt.Sprintf("/api/v1/inbox/%d/reply", scj), "viewer", map[string]string{"text": "您好"}); code != 403 {
		t.Fatalf("viewer reply: %d", code)
	}
	// A reply is a publication: the wording check refuses it in one line, nothing sent.
	code, _, raw = e.do("POST", fmt.Sprintf("/api/v1/inbox/%d/reply", scj), "scj-editor", map[string]string{"text": "依据中华人民共合国食品安全法处理。"})
	if code != 422 || !strings.Contains(raw, "中华人民共和国") || len(e.Sandbox.Inbox().Custom) != 0 {
		t.Fatalf("blocked wording: %d %s", code, raw)
	}
	code, m, raw = e.do("POST", fmt.Sprintf("/api/v1/inbox/%d/reply", scj), "scj-editor", map[string]string{"text": "您好，已安排执法人员核查。"})
	if code != 200 || m["state"] != "answered" || m["reply"].(map[string]any)["state"] != "sent" {
		t.Fatalf("reply: %d %s", code, raw)
	}
	if c := e.Sandbox.Inbox().Custom; len(c) != 1 || c[0].ToUser != "o-2" {
		t.Fatalf("platform: %+v", c)
	}
	code, _, raw = e.do("POST", fmt.Sprintf("/api/v1/inbox/%d/reply", scj), "scj-editor", map[string]string{"text": "再说一次"})
	if code != 409 || len(e.Sandbox.Inbox().Custom) != 1 {
		t.Fatalf("second reply: %d %s", code, raw)
	}
	code, m, raw = e.do("POST", fmt.Sprintf("/api/v1/inbox/%d/close", spam), "scj-editor", map[string]string{"reason": "广告"})
	if code != 200 || m["state"] != "closed" || m["close_reason"] != "广告" {
		t.Fatalf("close: %d %s", code, raw)
	}
	audit, err := e.Store.AuditLog(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, a := range audit {
		if a.Actor == "赵磊" && a.Account == "scj-wx" {
			seen[a.Action]++
		}
	}
	// The reply: recorded before the call, then its outcome; the closing.
	if seen["inbox_reply"] != 2 || seen["inbox_close"] != 1 {
		t.Fatalf("audit %v", seen)
	}
}

func TestInboxPageOverdueFirstReplyInPlace(t *testing.T) {
	e, ib := newInboxAPI(t)
	message(t, e, ib, "fabu", "wx1", "o-new", "新问题", time.Now())
	old := message(t, e, ib, "fabu", "wx1", "o-old", "一周前的问题", time.Now().Add(-47*time.Hour))
	b := e.browser()
	b.login(e.tokens["editor"])
	code, page := b.get("/console/inbox")
	if code != 200 || !strings.Contains(page, "互动") {
		t.Fatalf("page: %d", code)
	}
	if i, j := strings.Index(page, "一周前的问题"), strings.Index(page, "新问题"); i < 0 || j < 0 || i > j || !strings.Contains(page, "超期未复") {
		t.Fatalf("overdue not first: %d %d", i, j)
	}
	csrf := csrfField.FindStringSubmatch(page)[1]
	code, page = b.post(fmt.Sprintf("/console/inbox/%d/reply", old), url.Values{"csrf": {csrf}, "text": {"您好，已答复。"}})
	if code != 200 || !strings.Contains(page, "已回复") {
		t.Fatalf("reply in place: %d %s", code, page[:min(400, len(page))])
	}
	if n := len(e.Sandbox.Inbox().Custom); n != 1 {
		t.Fatalf("platform: %d custom messages", n)
	}
}
