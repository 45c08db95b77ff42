package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/channels/wechat"
	"github.com/herald-gov/herald/inbox"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/storage"
)

const (
	pushToken = "heraldPushToken1"
	pushKey   = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" // 43 characters
)

// inboxOptions: no review, the news office with a WeChat account that takes
// pushes and a Weibo account, and a department with its own WeChat account.
func inboxOptions(t *testing.T) testenv.Options {
	return testenv.Options{YAML: "listen: " + freeAddr(t) + `
review: {levels: []}
departments:
  - {id: xwb, name: 新闻办, office: true}
  - {id: scjgj, name: 市场监管局}
`, Accounts: `
- {id: fabu, name: 青山发布, platform: wechat, department: xwb, app_id: wx1, app_secret: s1, token: ` + pushToken + `, encoding_aes_key: ` + pushKey + `}
- {id: fabu-wb, name: 青山发布微博, platform: weibo, department: xwb, uid: "1", access_token: t, link_url: "https://www.qingshan.gov.cn/"}
- {id: scj, name: 青山市场监管, platform: wechat, department: scjgj, app_id: wx2, app_secret: s2}`}
}

// inboxDaemon runs serve in-process, its inbox polling only when the test
// says (herald inbox sync), and points the sandbox's push at it.
func inboxDaemon(t *testing.T, e *env) string {
	t.Helper()
	var url string
	e.startDaemon(func(d *daemon) {
		d.inboxPoll = time.Hour
		url = d.URL()
	})
	e.Sandbox.SetPush("wx1", sandbox.PushConfig{URL: url + "wechat/push/fabu", Token: pushToken, EncodingAESKey: pushKey})
	return url
}

type inboxList struct {
	Entries []inbox.EntryJSON `json:"entries"`
}

func (e *env) inboxList(args ...string) []inbox.EntryJSON {
	e.t.Helper()
	code, out, errs := e.herald(append([]string{"inbox", "list", "--json"}, args...)...)
	if code != 0 {
		e.t.Fatalf("inbox list: exit %d: %s", code, errs)
	}
	var l inboxList
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		e.t.Fatalf("inbox list --json: %v\n%s", err, out)
	}
	return l.Entries
}

// publishArticle publishes an article to fabu through the daemon and returns
// the platform's msg_data_id for it.
func (e *env) publishArticle(title string) (itemID, msgDataID int64) {
	e.t.Helper()
	id := e.addArticle("--to", "fabu", "--at", "now", "--title", title)
	testenv.Eventually(e.t, "the article published", func() bool { return e.show(id).State == "done" })
	for _, a := range e.Sandbox.Snapshot().WeChat["wx1"].Published {
		if a.Title == title {
			return id, a.MsgDataID
		}
	}
	e.t.Fatalf("article %q not on the platform", title)
	return 0, 0
}

func repliesOn(sb *sandbox.Server) (replies, calls int) {
	for _, c := range sb.Inbox().Comments {
		if c.Reply != "" {
			replies++
		}
		calls += c.ReplyCalls
	}
	return replies, calls
}

func TestInboxCommentReadAndAnsweredOnce(t *testing.T) {
	e := newEnv(t, inboxOptions(t))
	inboxDaemon(t, e)
	itemID, msgDataID := e.publishArticle("关于开展春季植树活动的通知")
	for i, text := range []string{"请问植树地点在哪里？", "周末可以带孩子参加吗？"} {
		if _, err := e.Sandbox.LeaveComment("wx1", msgDataID, 0, fmt.Sprintf("o-user-%d", i), text, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if code, out, errs := e.herald("inbox", "sync"); code != 0 {
		t.Fatalf("inbox sync: %d %s %s", code, out, errs)
	}
	// A second sync finds nothing new: nothing is stored twice.
	if code, _, errs := e.herald("inbox", "sync"); code != 0 {
		t.Fatal(errs)
	}
	es := e.inboxList()
	if len(es) != 2 {
		t.Fatalf("%d entries, want 2: %+v", len(es), es)
	}
	c := es[0]
	if c.Kind != "comment" || c.Item == nil || *c.Item != itemID || c.Title != "关于开展春季植树活动的通知" || c.State != "open" || c.Overdue {
		t.Fatalf("entry %+v", c)
	}
	if !c.DueAt.After(c.ReceivedAt) {
		t.Fatalf("due %v before received %v", c.DueAt, c.ReceivedAt)
	}

	// Another department's clerk is refused; the platform sees nothing.
	code, _, errs := e.herald("inbox", "reply", "--as", "赵磊", "--department", "scjgj", "--text", "您好", strconv.FormatInt(c.ID, 10))
	if code != 1 || !strings.Contains(errs, "其他部门") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("other department: exit %d %q", code, errs)
	}
	// A console user of that department, named with --as alone, is kept to it too.
	if err := e.Store.CreateUser(context.Background(), storage.User{Name: "赵磊", Department: "scjgj", Role: "editor", PasswordHash: "x"}, "test"); err != nil {
		t.Fatal(err)
	}
	code, _, errs = e.herald("inbox", "reply", "--as", "赵磊", "--text", "您好", strconv.FormatInt(c.ID, 10))
	if code != 1 || !strings.Contains(errs, "其他部门") {
		t.Fatalf("a department's user by --as: exit %d %q", code, errs)
	}
	if _, calls := repliesOn(e.Sandbox); calls != 0 {
		t.Fatalf("the platform saw %d reply calls after a refusal", calls)
	}

	code, out, errs := e.herald("inbox", "reply", "--as", "陈晓", "--text", "植树地点在青山公园东门，欢迎参加。", strconv.FormatInt(c.ID, 10))
	if code != 0 {
		t.Fatalf("reply: %d %s", code, errs)
	}
	if !strings.Contains(out, "已回复") {
		t.Fatalf("reply printed %q", out)
	}
	// Again: refused in one line, the platform asked nothing.
	code, _, errs = e.herald("inbox", "reply", "--as", "陈晓", "--text", "再次回复", strconv.FormatInt(c.ID, 10))
	if code != 1 || !strings.Contains(errs, "已回复") {
		t.Fatalf("second reply: exit %d %q", code, errs)
	}
	if replies, calls := repliesOn(e.Sandbox); replies != 1 || calls != 1 {
		t.Fatalf("platform: %d replies from %d calls, want 1 and 1", replies, calls)
	}
	got := e.inboxList("--state", "answered")
	if len(got) != 1 || got[0].Reply == nil || got[0].Reply.State != "sent" || got[0].Reply.By != "陈晓" {
		t.Fatalf("answered: %+v", got)
	}

	// A reply whose answer is lost: looked up (the reply is there), not sent again.
	second := es[1]
	e.Sandbox.LoseNext("/cgi-bin/comment/reply/add", 1)
	code, _, errs = e.herald("inbox", "reply", "--as", "陈晓", "--text", "可以，欢迎家长带孩子参加。", strconv.FormatInt(second.ID, 10))
	if code != 0 {
		t.Fatalf("reply with a lost answer: %d %s", code, errs)
	}
	if replies, calls := repliesOn(e.Sandbox); replies != 2 || calls != 2 {
		t.Fatalf("platform after a lost answer: %d replies from %d calls, want 2 and 2", replies, calls)
	}

	// A comment the user deleted: refused in one line, nothing stored as sent.
	third, err := e.Sandbox.LeaveComment("wx1", msgDataID, 0, "o-user-9", "已解决", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.herald("inbox", "sync")
	e.Sandbox.DeleteComment("wx1", msgDataID, 0, third.UserCommentID)
	open := e.inboxList()
	if len(open) != 1 {
		t.Fatalf("open: %+v", open)
	}
	code, _, errs = e.herald("inbox", "reply", "--as", "陈晓", "--text", "好的", strconv.FormatInt(open[0].ID, 10))
	if code != 1 || !strings.Contains(errs, "删除") {
		t.Fatalf("reply to a deleted comment: exit %d %q", code, errs)
	}
	if replies, _ := repliesOn(e.Sandbox); replies != 2 {
		t.Fatalf("platform: %d replies", replies)
	}
	if code, _, errs := e.herald("inbox", "close", "--as", "陈晓", "--reason", "留言已被用户删除", strconv.FormatInt(open[0].ID, 10)); code != 0 {
		t.Fatal(errs)
	}
	if len(e.inboxList()) != 0 || len(e.inboxList("--state", "closed")) != 1 {
		t.Fatal("closed entry still open")
	}
}

func TestInboxCommentListFailingHalfWayResumes(t *testing.T) {
	e := newEnv(t, inboxOptions(t))
	inboxDaemon(t, e)
	_, msgDataID := e.publishArticle("县政府常务会议")
	for i := 0; i < 120; i++ {
		if _, err := e.Sandbox.LeaveComment("wx1", msgDataID, 0, fmt.Sprintf("o-%d", i), fmt.Sprintf("留言%d", i), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	e.Sandbox.FailCommentListAfter(1)
	code, _, errs := e.herald("inbox", "sync")
	if code != 1 || !strings.Contains(errs, "fabu") {
		t.Fatalf("sync failing half-way: exit %d %q", code, errs)
	}
	if n := len(e.inboxList()); n != 49 {
		t.Fatalf("after the first page: %d entries, want 49", n)
	}
	e.Sandbox.FailCommentListAfter(-1)
	before := e.Sandbox.Snapshot().WeChat["wx1"].Calls["/cgi-bin/comment/list"]
	if code, _, errs := e.herald("inbox", "sync"); code != 0 {
		t.Fatal(errs)
	}
	es := e.inboxList()
	seen := map[string]bool{}
	for _, x := range es {
		seen[x.Text] = true
	}
	if len(es) != 120 || len(seen) != 120 {
		t.Fatalf("%d entries (%d distinct), want 120 once each", len(es), len(seen))
	}
	// It resumed where it stopped: two pages (from 44 and 93), not three from the start.
	if n := e.Sandbox.Snapshot().WeChat["wx1"].Calls["/cgi-bin/comment/list"] - before; n != 2 {
		t.Fatalf("the resumed read made %d comment/list calls, want 2", n)
	}
}

func TestInboxWeiboCommentAndMentionAnsweredOnce(t *testing.T) {
	e := newEnv(t, inboxOptions(t))
	inboxDaemon(t, e)
	id := e.addArticle("--to", "fabu-wb", "--at", "now")
	testenv.Eventually(t, "the post published", func() bool { return e.show(id).State == "done" })
	post := e.Sandbox.Snapshot().Weibo["1"].Posts[0]
	if _, err := e.Sandbox.CommentOnPost("1", post.ID, "2001", "青山网友", "这个会议什么时候开？", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Sandbox.Mention("1", "2002", "热心市民", "东溪镇路灯坏了", time.Now()); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := e.herald("inbox", "sync"); code != 0 {
		t.Fatal(errs)
	}
	es := e.inboxList("--account", "fabu-wb")
	if len(es) != 2 {
		t.Fatalf("entries %+v", es)
	}
	for _, x := range es {
		if x.Kind == "weibo_comment" && (x.Item == nil || *x.Item != id) {
			t.Fatalf("a comment on herald's post is not linked to item %d: %+v", id, x)
		}
	}
	for _, x := range es {
		code, _, errs := e.herald("inbox", "reply", "--as", "陈晓", "--text", "您好，已转相关部门办理。", strconv.FormatInt(x.ID, 10))
		if code != 0 {
			t.Fatalf("reply to %s: %s", x.Kind, errs)
		}
		if code, _, _ := e.herald("inbox", "reply", "--as", "陈晓", "--text", "您好", strconv.FormatInt(x.ID, 10)); code != 1 {
			t.Fatalf("second reply to %s not refused", x.Kind)
		}
	}
	mine := 0
	for _, c := range e.Sandbox.Inbox().WeiboComments {
		if c.FromUID == "1" {
			mine++
		}
	}
	if mine != 2 {
		t.Fatalf("the account made %d comments, want 2 (one per entry)", mine)
	}
	if calls := e.Sandbox.Snapshot().Weibo["1"].Calls; calls["/2/comments/reply.json"] != 1 || calls["/2/comments/create.json"] != 1 {
		t.Fatalf("calls %v", calls)
	}
}

func TestPushVerifiedStoredOnceForgedRefused(t *testing.T) {
	e := newEnv(t, inboxOptions(t))
	url := inboxDaemon(t, e)
	ctx := context.Background()

	// URL verification.
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	resp, err := http.Get(url + "wechat/push/fabu?signature=" + sandbox.Signature(pushToken, stamp, "77") + "&timestamp=" + stamp + "&nonce=77&echostr=hello")
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 16)
	n, _ := resp.Body.Read(b)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b[:n]) != "hello" {
		t.Fatalf("URL check: %d %q", resp.StatusCode, b[:n])
	}
	resp, err = http.Get(url + "wechat/push/fabu?signature=" + sandbox.Signature("notTheToken", stamp, "77") + "&timestamp=" + stamp + "&nonce=77&echostr=hello")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("URL check with a wrong signature: %d, want 403", resp.StatusCode)
	}
	if resp, err := http.Get(url + "wechat/push/scj?echostr=x"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an account without push keys: %v %v, want 404", resp, err)
	} else {
		resp.Body.Close()
	}

	m, res, err := e.Sandbox.LeaveMessage(ctx, "wx1", "o-citizen", "请问社保卡在哪里补办？", time.Now())
	if err != nil || res.Status != 200 || res.Body != "success" {
		t.Fatalf("push: %+v %v", res, err)
	}
	// WeChat's retries of the same message.
	for i := 0; i < 3; i++ {
		if res, err := e.Sandbox.Repush(ctx, m); err != nil || res.Status != 200 {
			t.Fatalf("retry: %+v %v", res, err)
		}
	}
	testenv.Eventually(t, "the message in the inbox", func() bool { return len(e.inboxList()) == 1 })
	es := e.inboxList()
	if es[0].Kind != "message" || es[0].Text != m.Content || es[0].From.ID != "o-citizen" {
		t.Fatalf("entry %+v", es[0])
	}

	// Forged pushes: 403, nothing stored.
	plain := sandbox.MessageXML(sandbox.UserMessage{AppID: "wx1", OpenID: "o-forger", MsgID: 99, Content: "伪造", At: time.Now()})
	enc, _ := sandbox.Encrypt(pushKey, "wx1", []byte(plain), make([]byte, 16))
	body := "<xml><ToUserName><![CDATA[wx1]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
	cfg := sandbox.PushConfig{Token: pushToken, EncodingAESKey: pushKey}
	otherKey := "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg"
	wrongKeyEnc, _ := sandbox.Encrypt(otherKey, "wx1", []byte(plain), make([]byte, 16))
	cases := map[string]string{
		"wrong signature": url + "wechat/push/fabu?" + sandbox.SignURL(sandbox.PushConfig{Token: "notTheToken", EncodingAESKey: pushKey}, enc, time.Now(), "1"),
		"old timestamp":   url + "wechat/push/fabu?" + sandbox.SignURL(cfg, enc, time.Now().Add(-time.Hour), "1"),
	}
	for name, target := range cases {
		if r, err := sandbox.Post(ctx, target, body); err != nil || r.Status != http.StatusForbidden {
			t.Errorf("%s: %+v %v, want 403", name, r, err)
		}
	}
	wrongKeyBody := "<xml><ToUserName><![CDATA[wx1]]></ToUserName><Encrypt><![CDATA[" + wrongKeyEnc + "]]></Encrypt></xml>"
	if r, err := sandbox.Post(ctx, url+"wechat/push/fabu?"+sandbox.SignURL(cfg, wrongKeyEnc, time.Now(), "2"), wrongKeyBody); err != nil || r.Status != http.StatusForbidden {
		t.Errorf("wrong key: %+v %v, want 403", r, err)
	}
	if r, err := sandbox.Post(ctx, url+"wechat/push/fabu?"+sandbox.SignURL(cfg, enc, time.Now(), "3"), body[:len(body)/2]); err != nil || r.Status != http.StatusForbidden {
		t.Errorf("truncated: %+v %v, want 403", r, err)
	}
	// A real message after the forged ones: once it is in, the forged ones would be too.
	if _, _, err := e.Sandbox.LeaveMessage(ctx, "wx1", "o-citizen", "谢谢", time.Now()); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "the second message", func() bool { return len(e.inboxList()) == 2 })
	for _, x := range e.inboxList() {
		if x.From.ID == "o-forger" {
			t.Fatal("a forged push was stored")
		}
	}

	// Answered by a custom message, once; a lost answer is never resent.
	e.Sandbox.LoseNext("/cgi-bin/message/custom/send", 1)
	code, _, errs := e.herald("inbox", "reply", "--as", "陈晓", "--text", "您好，社保卡可在县政务服务中心补办。", strconv.FormatInt(es[0].ID, 10))
	if code != 1 || !strings.Contains(errs, inbox.Uncertain) {
		t.Fatalf("lost answer: exit %d %q", code, errs)
	}
	code, _, errs = e.herald("inbox", "reply", "--as", "陈晓", "--text", "您好", strconv.FormatInt(es[0].ID, 10))
	if code != 1 || !strings.Contains(errs, inbox.Uncertain) {
		t.Fatalf("again after a lost answer: exit %d %q", code, errs)
	}
	if n := len(e.Sandbox.Inbox().Custom); n != 1 {
		t.Fatalf("the platform sent %d custom messages, want 1", n)
	}

	// A message older than 48 h: refused before any call, saying where to answer.
	old, _, err := e.Sandbox.LeaveMessage(ctx, "wx1", "o-late", "三天前的问题", time.Now().Add(-49*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var lateID int64
	testenv.Eventually(t, "the late message", func() bool {
		for _, x := range e.inboxList() {
			if x.Text == old.Content {
				lateID = x.ID
			}
		}
		return lateID != 0
	})
	code, _, errs = e.herald("inbox", "reply", "--as", "陈晓", "--text", "您好", strconv.FormatInt(lateID, 10))
	if code != 1 || !strings.Contains(errs, "请在公众平台回复") {
		t.Fatalf("after 48 h: exit %d %q", code, errs)
	}
	if n := len(e.Sandbox.Inbox().Custom); n != 1 {
		t.Fatalf("custom messages %d after a refused late reply", n)
	}
}

func TestPublishJobFinishSettlesDeliveryAtOnce(t *testing.T) {
	e := newEnv(t, inboxOptions(t))
	inboxDaemon(t, e)
	// freepublish/get's answers are held: herald's own polling cannot settle it.
	release := e.Sandbox.Hold("/cgi-bin/freepublish/get", "wechat/wx1")
	defer release()
	id := e.addArticle("--to", "fabu", "--at", "now", "--title", "推送结算")
	var publishID string
	testenv.Eventually(t, "the publish submitted", func() bool {
		ds, err := e.Store.Deliveries(context.Background(), id)
		if err == nil && len(ds) == 1 {
			publishID = wechat.PublishIDOf(ds[0].Progress)
		}
		return publishID != ""
	})
	xml, err := e.Sandbox.PublishFinishedXML("wx1", publishID)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := e.Sandbox.PushEvent(context.Background(), "wx1", xml); err != nil || r.Status != 200 {
		t.Fatalf("push: %+v %v", r, err)
	}
	testenv.Eventually(t, "the delivery settled by the push", func() bool {
		s := e.show(id)
		return len(s.Deliveries) == 1 && s.Deliveries[0].State == "published" && strings.HasPrefix(s.Deliveries[0].URL, "https://mp.weixin.qq.com/s/")
	})
	if got := e.Sandbox.Snapshot().WeChat["wx1"].Calls["/cgi-bin/freepublish/get"]; got > 1 {
		t.Fatalf("freepublish/get answered %d times while held", got)
	}
	release()
	testenv.Eventually(t, "the item done", func() bool { return e.show(id).State == "done" })
}

// TestReplyKilledBetweenRecordAndCallIsNeverSentTwice runs `herald inbox
// reply` as a subprocess, SIGKILLs it once its attempt is recorded and its
// platform call is on the way (the platform is slow, so the call has not
// reached it), and answers again: the comment gets exactly one reply; the
// message, which cannot be looked up, is never sent by herald on its own.
func TestReplyKilledBetweenRecordAndCallIsNeverSentTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess crash test")
	}
	bin := buildHerald(t)
	e := newEnv(t, inboxOptions(t))
	inboxDaemon(t, e)
	ctx := context.Background()
	_, msgDataID := e.publishArticle("关于夏季防汛的通知")
	if _, err := e.Sandbox.LeaveComment("wx1", msgDataID, 0, "o-1", "我家附近的河堤有裂缝", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Sandbox.LeaveMessage(ctx, "wx1", "o-2", "防汛物资在哪里领？", time.Now()); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "the message pushed", func() bool { return len(e.inboxList()) == 1 })
	if code, _, errs := e.herald("inbox", "sync"); code != 0 {
		t.Fatal(errs)
	}
	es := e.inboxList()
	if len(es) != 2 {
		t.Fatalf("entries %+v", es)
	}
	killDuringReply := func(id int64) {
		t.Helper()
		e.Sandbox.SetFaults(sandbox.Faults{Latency: time.Minute})
		defer e.Sandbox.SetFaults(sandbox.Faults{})
		cmd := exec.Command(bin, "inbox", "reply", "--config", e.cfg, "--as", "陈晓", "--text", "已转水利局处理，谢谢。", strconv.FormatInt(id, 10))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		testenv.Eventually(t, "the attempt recorded", func() bool {
			sending, err := e.Store.SendingInboxReplies(ctx, time.Now().Add(time.Hour))
			return err == nil && len(sending) == 1
		})
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
	}
	for _, x := range es {
		killDuringReply(x.ID)
		code, _, errs := e.herald("inbox", "reply", "--as", "陈晓", "--text", "已转水利局处理，谢谢。", strconv.FormatInt(x.ID, 10))
		switch x.Kind {
		case "comment":
			// Looked up: not on the platform, so the clerk's new reply goes out, once.
			if code != 0 {
				t.Fatalf("comment after the kill: %d %s", code, errs)
			}
		case "message":
			if code != 1 || !strings.Contains(errs, inbox.Uncertain) {
				t.Fatalf("message after the kill: exit %d %q", code, errs)
			}
		}
		// Once more: never a second answer.
		if code, _, _ := e.herald("inbox", "reply", "--as", "陈晓", "--text", "再回复一次", strconv.FormatInt(x.ID, 10)); code != 1 {
			t.Fatalf("%s: a further reply was not refused", x.Kind)
		}
	}
	if replies, calls := repliesOn(e.Sandbox); replies != 1 || calls != 1 {
		t.Fatalf("comment: %d replies from %d calls, want exactly 1", replies, calls)
	}
	if n := len(e.Sandbox.Inbox().Custom); n != 0 {
		t.Fatalf("herald sent %d custom messages on its own after the kill", n)
	}
}

func TestPublishJobFinishRefusedSettlesFailed(t *testing.T) {
	e := newEnv(t, inboxOptions(t))
	inboxDaemon(t, e)
	release := e.Sandbox.Hold("/cgi-bin/freepublish/get", "wechat/wx1")
	defer release()
	e.Sandbox.SetFaults(sandbox.Faults{RejectShare: 1}) // the platform's review refuses it
	id := e.addArticle("--to", "fabu", "--at", "now", "--title", "未通过审核")
	var publishID string
	testenv.Eventually(t, "the publish submitted", func() bool {
		ds, err := e.Store.Deliveries(context.Background(), id)
		if err == nil && len(ds) == 1 {
			publishID = wechat.PublishIDOf(ds[0].Progress)
		}
		return publishID != ""
	})
	xml, err := e.Sandbox.PublishFinishedXML("wx1", publishID)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := e.Sandbox.PushEvent(context.Background(), "wx1", xml); err != nil || r.Status != 200 {
		t.Fatalf("push: %+v %v", r, err)
	}
	testenv.Eventually(t, "the delivery failed by the push", func() bool {
		s := e.show(id)
		return len(s.Deliveries) == 1 && s.Deliveries[0].State == "failed" && strings.Contains(s.Deliveries[0].Error, "审核")
	})
	release()
}
