package wechat

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// publishForComments publishes an article through the channel and returns
// it as the inbox sees it: with the msg_data_id freepublish/submit gave.
func publishForComments(t *testing.T, e *env, title string) channels.InboxArticle {
	t.Helper()
	ctx := context.Background()
	p := e.pub(content.KindArticle, e.article(title))
	if _, err := e.ch.Publish(ctx, e.acct["fabu"], p); err != nil {
		t.Fatal(err)
	}
	if err := e.st.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: p.DeliveryID, From: content.DeliverySending, To: content.DeliveryPublished, AttemptID: p.AttemptID}); err != nil {
		t.Fatal(err)
	}
	arts, err := e.st.InboxArticles(ctx, "fabu", time.Now().Add(-time.Hour))
	if err != nil || len(arts) == 0 {
		t.Fatalf("no article with a msg_data_id stored: %v %v", arts, err)
	}
	var want int64
	for _, a := range e.state("wx_fabu").Published {
		if a.Title == title {
			want = a.MsgDataID
		}
	}
	if arts[0].MsgDataID != want || want == 0 {
		t.Fatalf("stored msg_data_id %d, the platform's %d", arts[0].MsgDataID, want)
	}
	return channels.InboxArticle{MsgDataID: arts[0].MsgDataID, ItemID: arts[0].ItemID, Title: arts[0].Title}
}

func TestCommentsReadInPagesAndAnsweredOnce(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 7})
	ctx := context.Background()
	fabu := e.acct["fabu"]
	art := publishForComments(t, e, "关于开展春季植树活动的通知")
	for i := 0; i < 60; i++ {
		if _, err := e.sb.LeaveComment("wx_fabu", art.MsgDataID, 0, "openid-"+string(rune('a'+i%26)), "请问植树地点在哪里？", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	src := e.ch.InboxSources(fabu, []channels.InboxArticle{art}, nil)[0]
	seen := map[string]bool{}
	for pages := 0; ; pages++ {
		page, err := e.ch.ReadInbox(ctx, fabu, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range page.Entries {
			seen[in.Key] = true
		}
		src.Cursor = page.Cursor
		if !page.More {
			break
		}
		if pages > 5 {
			t.Fatal("reading never ends")
		}
	}
	if len(seen) != 60 {
		t.Fatalf("read %d distinct comments, want 60", len(seen))
	}
	// The next read starts where this one stopped: no new comment, one call.
	page, err := e.ch.ReadInbox(ctx, fabu, src)
	if err != nil || page.More {
		t.Fatalf("reread: %+v %v", page, err)
	}

	first := page.Entries[len(page.Entries)-1]
	to := channels.ReplyTo{Kind: first.Kind, Target: first.Target}
	if err := e.ch.CheckReply(to, strings.Repeat("长", CommentReplyMax+1), time.Now()); err == nil {
		t.Fatal("a reply over the limit passed the check")
	}
	if _, err := e.ch.Reply(ctx, fabu, to, "植树地点在青山公园东门。"); err != nil {
		t.Fatal(err)
	}
	// Again (as after a lost answer): 88005 says the reply is there.
	if _, err := e.ch.Reply(ctx, fabu, to, "植树地点在青山公园东门。"); err != nil {
		t.Fatalf("second reply: %v, want success (88005: already answered)", err)
	}
	if o, err := e.ch.LookupReply(ctx, fabu, to); err != nil || o != channels.Published {
		t.Fatalf("lookup: %v %v", o, err)
	}
	replied := 0
	for _, c := range e.sb.Inbox().Comments {
		if c.Reply != "" {
			replied++
		}
	}
	if replied != 1 {
		t.Fatalf("platform has %d replies, want 1", replied)
	}

	// A deleted comment: refused with the clerk's line.
	other := page.Entries[0]
	ucid, _ := strconv.ParseInt(other.Target[strings.LastIndex(other.Target, "/")+1:], 10, 64)
	e.sb.DeleteComment("wx_fabu", art.MsgDataID, 0, ucid)
	_, err = e.ch.Reply(ctx, fabu, channels.ReplyTo{Kind: channels.KindComment, Target: other.Target}, "谢谢")
	var ce *channels.Error
	if !errors.As(err, &ce) || ce.Class != channels.ClassContent || (ce.Code != 88004 && ce.Code != 88008) {
		t.Fatalf("reply to a deleted comment: %v", err)
	}

	// An account without comment permission: the source is unreadable.
	e.sb.DenyComments("wx_fabu")
	if _, err := e.ch.ReadInbox(ctx, fabu, src); !errors.Is(err, channels.ErrUnreadable) {
		t.Fatalf("88000: %v, want ErrUnreadable", err)
	}
}

func TestPushOpensOnlyWithTheRightKeyAndSignature(t *testing.T) {
	key := PushKey{AppID: "wx_fabu", Token: "heraldtoken", EncodingAESKey: strings.Repeat("a", 42) + "b"}
	now := time.Now()
	m := sandbox.UserMessage{AppID: "wx_fabu", OpenID: "o-user", MsgID: 24000000000000123, Content: "请问办证需要哪些材料？", At: now}
	enc, err := sandbox.Encrypt(key.EncodingAESKey, "wx_fabu", []byte(sandbox.MessageXML(m)), make([]byte, 16))
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("<xml><ToUserName><![CDATA[wx_fabu]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")
	cfg := sandbox.PushConfig{Token: key.Token, EncodingAESKey: key.EncodingAESKey}
	q, _ := url.ParseQuery(sandbox.SignURL(cfg, enc, now, "123"))
	plain, err := key.Open(q, body, now)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePush(plain)
	if err != nil || p.Message == nil || p.Message.Text != m.Content || p.Message.Key != "24000000000000123" {
		t.Fatalf("parsed %+v %v", p, err)
	}
	if !p.Message.AnswerBy.Equal(time.Unix(now.Unix(), 0).Add(48 * time.Hour)) {
		t.Fatalf("answer window %v", p.Message.AnswerBy)
	}
	bad := func(name string, q url.Values, body []byte, at time.Time, k PushKey) {
		t.Helper()
		if _, err := k.Open(q, body, at); !errors.Is(err, ErrPushRefused) {
			t.Errorf("%s: %v, want refused", name, err)
		}
	}
	wrongSig := url.Values{}
	for k, v := range q {
		wrongSig[k] = v
	}
	wrongSig.Set("msg_signature", strings.Repeat("0", 40))
	bad("wrong signature", wrongSig, body, now, key)
	other := key
	other.EncodingAESKey = strings.Repeat("c", 42) + "d"
	bad("wrong key", q, body, now, other)
	bad("truncated body", q, body[:len(body)/2], now, key)
	bad("replayed old timestamp", q, body, now.Add(time.Hour), key)
}
