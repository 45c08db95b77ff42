package weibo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

const link = "https://www.qingshan.gov.cn/"

type env struct {
	t     *testing.T
	sb    *sandbox.Server
	srv   *httptest.Server
	st    *storage.Store
	ch    *Channel
	acct  configs.Account
	calls atomic.Int64 // requests that reached the sandbox
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t}
	e.sb = sandbox.New(sandbox.Options{Seed: 21})
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.calls.Add(1)
		e.sb.ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)
	var err error
	e.st, err = storage.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.st.Close() })
	cfg, err := configs.Parse([]byte(fmt.Sprintf(`
data_dir: /unused
weibo: {api_base: %q}
accounts:
  - {id: fabu-wb, name: 青山发布, platform: weibo, uid: "731", access_token: tok-731, link_url: %q, token_expires: "2027-01-01"}
`, e.srv.URL, link)))
	if err != nil {
		t.Fatal(err)
	}
	e.acct = cfg.Accounts[0]
	e.sb.AddWeiboUser(sandbox.WeiboUser{UID: "731", Token: "tok-731", Name: "青山发布", SafeDomain: "www.qingshan.gov.cn", Followers: 20000})
	e.ch = New(cfg, e.st, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	return e
}

// pub is an attempt of a new item's delivery to the account, claimed
// (sending) in the store as the executor claims it.
func (e *env) pub(kind content.Kind, r content.Revision) channels.Publication {
	e.t.Helper()
	ctx := context.Background()
	if err := e.st.SyncAccounts(ctx, []storage.Account{{ID: e.acct.ID, Name: e.acct.Name, Platform: "weibo"}}); err != nil {
		e.t.Fatal(err)
	}
	if r.Title == "" {
		r.Title = "t"
	}
	r.Hash = r.ContentHash(kind)
	id, err := e.st.CreateItem(ctx, storage.NewItem{Item: content.Item{Kind: kind, State: content.ItemPublishing, Priority: content.PriorityNormal},
		Revision: r, Targets: []storage.Target{{Account: e.acct.ID, Platform: "weibo"}}, Actor: "t"})
	if err != nil {
		e.t.Fatal(err)
	}
	ds, err := e.st.Deliveries(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: ds[0].ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: "a1"}); err != nil {
		e.t.Fatal(err)
	}
	return channels.Publication{DeliveryID: ds[0].ID, AttemptID: "a1", AttemptStarted: time.Now(), Kind: kind, Revision: r}
}

// published records an attempt's result as the executor does.
func (e *env) published(p channels.Publication, res channels.Result) {
	e.t.Helper()
	if err := e.st.UpdateDelivery(context.Background(), storage.DeliveryUpdate{ID: p.DeliveryID, From: content.DeliverySending, To: content.DeliveryPublished,
		AttemptID: p.AttemptID, RemoteID: res.RemoteID, URL: res.URL}); err != nil {
		e.t.Fatal(err)
	}
}

// progress is what the executor hands the next attempt: the delivery's saved progress.
func (e *env) progress(p channels.Publication) channels.Publication {
	e.t.Helper()
	d, err := e.st.Delivery(context.Background(), p.DeliveryID)
	if err != nil {
		e.t.Fatal(err)
	}
	p.Progress = d.Progress
	return p
}

func (e *env) posts() []sandbox.WeiboPost { return e.sb.Snapshot().Weibo["731"].Posts }

func TestBuildTextAt140(t *testing.T) {
	// link_url is 28 ASCII characters: " " + link = 29 half = 15 Weibo characters.
	suffix := content.WeiboLength(" " + link)
	cases := []struct {
		name string
		body string
	}{
		{"chinese exactly at budget", strings.Repeat("政", 140-suffix)},
		{"chinese one over", strings.Repeat("务", 141-suffix)},
		{"mixed ascii halves", strings.Repeat("公开a", 60)},
		{"all ascii", strings.Repeat("abc ", 100)},
	}
	for _, c := range cases {
		text := BuildText(content.KindShort, &content.Revision{Body: c.body}, link)
		if n := content.WeiboLength(text); n > 140 {
			t.Errorf("%s: %d characters", c.name, n)
		}
		if !strings.HasSuffix(text, " "+link) {
			t.Errorf("%s: link_url not appended: %q", c.name, text)
		}
	}
	exact := strings.Repeat("政", 140-suffix)
	if got := BuildText(content.KindShort, &content.Revision{Body: exact}, link); got != exact+" "+link {
		t.Errorf("text that fits was changed: %q", got)
	}
	over := BuildText(content.KindShort, &content.Revision{Body: strings.Repeat("务", 141-suffix)}, link)
	if !strings.Contains(over, "…") {
		t.Errorf("over-long text not marked as cut: %q", over)
	}
	// A URL already on the safe domain: nothing appended.
	own := "县政府常务会议 https://www.qingshan.gov.cn/zwgk/2.html"
	if got := BuildText(content.KindShort, &content.Revision{Body: own}, link); got != own {
		t.Errorf("safe-domain URL present, text changed: %q", got)
	}
	// A source URL on another host does not satisfy the rule; it stays when it fits.
	art := &content.Revision{Title: "青山县出台农房改造补贴政策", Digest: "每户最高补贴3000元。", SourceURL: "https://www.gov.cn/zhengce/1.htm"}
	got := BuildText(content.KindArticle, art, link)
	if !strings.HasSuffix(got, " "+link) || !strings.Contains(got, "原文：https://www.gov.cn/zhengce/1.htm") {
		t.Errorf("article text: %q", got)
	}
	art.Digest = strings.Repeat("补", 130)
	if got := BuildText(content.KindArticle, art, link); strings.Contains(got, "gov.cn/zhengce") || content.WeiboLength(got) > 140 {
		t.Errorf("long article kept the source URL or overflowed: %q", got)
	}
}

func TestPublishTextAndPictureOnThePlatform(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	res, err := e.ch.Publish(ctx, &e.acct, e.pub(content.KindShort, content.Revision{Body: strings.Repeat("政", 125)}))
	if err != nil || res.RemoteID == "" || !strings.Contains(res.URL, res.RemoteID) {
		t.Fatalf("publish: %+v %v", res, err)
	}
	var buf bytes.Buffer
	png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 40, 30)))
	im, err := e.st.PutImage(ctx, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	r := content.Revision{Title: "政策图解：农房改造补贴", SourceURL: "https://www.gov.cn/1", Images: []content.ImageRef{{SHA256: im.SHA256, Role: content.RoleCover, MIME: "image/png", Size: im.Size}}}
	if _, err := e.ch.Publish(ctx, &e.acct, e.pub(content.KindGraphic, r)); err != nil {
		t.Fatal(err)
	}
	posts := e.posts()
	if len(posts) != 2 || posts[0].Pic || !posts[1].Pic || posts[1].PicBytes != len(buf.Bytes()) {
		t.Fatalf("platform posts: %+v", posts)
	}
	for _, p := range posts {
		if content.WeiboLength(p.Text) > 140 || !strings.Contains(p.Text, link) {
			t.Fatalf("post the platform got: %q", p.Text)
		}
	}
}

func TestErrorClasses(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	class := func(err error) channels.Class { return channels.ClassOf(err) }

	e.sb.SetFaults(sandbox.Faults{TransientRate: 1})
	_, err := e.ch.Publish(ctx, &e.acct, e.pub(content.KindShort, content.Revision{Body: "限流"}))
	if class(err) != channels.ClassTransient {
		t.Fatalf("10023: %v", err)
	}
	e.sb.SetFaults(sandbox.Faults{})

	noLink := e.acct
	noLink.LinkURL = "https://www.elsewhere.cn/"
	_, err = e.ch.Publish(ctx, &noLink, e.pub(content.KindShort, content.Revision{Body: "没有安全域名"}))
	if class(err) != channels.ClassContent || !strings.Contains(err.Error(), "10017") {
		t.Fatalf("10017: %v", err)
	}

	// 20019 with no earlier attempt of this delivery: a content refusal.
	if _, err := e.ch.Publish(ctx, &e.acct, e.pub(content.KindShort, content.Revision{Body: "重复"})); err != nil {
		t.Fatal(err)
	}
	_, err = e.ch.Publish(ctx, &e.acct, e.pub(content.KindShort, content.Revision{Body: "重复"}))
	if class(err) != channels.ClassContent || !strings.Contains(err.Error(), "20019") || !strings.Contains(err.Error(), "与已发布的微博内容重复") {
		t.Fatalf("20019: %v", err)
	}

	e.sb.ExpireWeiboToken("731")
	_, err = e.ch.Publish(ctx, &e.acct, e.pub(content.KindShort, content.Revision{Body: "过期"}))
	var ce *channels.Error
	if class(err) != channels.ClassCredentials || !errors.As(err, &ce) || ce.Message != "微博授权已过期，请重新授权" {
		t.Fatalf("21327: %v", err)
	}
	bad := e.acct
	bad.AccessToken = "wrong"
	if err := e.ch.Check(ctx, &bad); class(err) != channels.ClassCredentials {
		t.Fatalf("21332: %v", err)
	}

	// 20012: the platform's own count refuses what herald would have trimmed.
	_, err = e.ch.client.Share(ctx, "tok-other", strings.Repeat("长", 141)+" "+link, nil, "")
	if err == nil {
		t.Fatal("no error")
	}
	e.sb.AddWeiboUser(sandbox.WeiboUser{UID: "9", Token: "tok-9", SafeDomain: "www.qingshan.gov.cn"})
	_, err = e.ch.client.Share(ctx, "tok-9", strings.Repeat("长", 141)+" "+link, nil, "")
	if class(e.ch.classify(err, true)) != channels.ClassContent || !strings.Contains(e.ch.classify(err, true).Error(), "20012") {
		t.Fatalf("20012: %v", err)
	}
}

func TestLostAnswerThenRetryMeets20019(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.pub(content.KindShort, content.Revision{Body: "答复丢失的微博"})
	e.sb.LoseNext("/2/statuses/share.json", 1)
	_, err := e.ch.Publish(ctx, &e.acct, p)
	if channels.ClassOf(err) != channels.ClassUnknown {
		t.Fatalf("lost answer classed %v: %v", channels.ClassOf(err), err)
	}
	// A retry without a lookup meets 20019 and finds the earlier post: the
	// first attempt recorded its call before making it.
	p = e.progress(p)
	res, err := e.ch.Publish(ctx, &e.acct, p)
	if err != nil || res.RemoteID == "" {
		t.Fatalf("retry: %+v %v", res, err)
	}
	outcome, found, err := e.ch.Lookup(ctx, &e.acct, p)
	if err != nil || outcome != channels.Published || found.RemoteID != res.RemoteID {
		t.Fatalf("lookup: %v %+v %v", outcome, found, err)
	}
	if posts := e.posts(); len(posts) != 1 || fmt.Sprint(posts[0].ID) != res.RemoteID {
		t.Fatalf("platform has %d posts, want exactly 1: %+v", len(posts), posts)
	}
	// Something never posted is NotPublished.
	if outcome, _, err := e.ch.Lookup(ctx, &e.acct, e.pub(content.KindShort, content.Revision{Body: "从未发出"})); err != nil || outcome != channels.NotPublished {
		t.Fatalf("lookup of nothing: %v %v", outcome, err)
	}
}

// Two items with the same text to one account, seconds apart: the platform
// keeps one post and answers the second with 20019. The first delivery is
// published; the second fails naming the first item — it never claims the
// first item's post, neither on 20019 nor in a lookup.
func TestRepeatedTextIsNotAnotherItemsPost(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first := e.pub(content.KindShort, content.Revision{Body: "同一条文字"})
	res, err := e.ch.Publish(ctx, &e.acct, first)
	if err != nil {
		t.Fatal(err)
	}
	e.published(first, res)
	firstItem, _ := e.st.Delivery(ctx, first.DeliveryID)

	second := e.pub(content.KindShort, content.Revision{Body: "同一条文字"})
	got, err := e.ch.Publish(ctx, &e.acct, second)
	if err == nil || channels.ClassOf(err) != channels.ClassContent {
		t.Fatalf("second item with the same text: %+v %v, want a content refusal", got, err)
	}
	if want := fmt.Sprintf("与已发布的微博内容重复：稿件 %d", firstItem.ItemID); !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), res.URL) {
		t.Fatalf("refusal %q should name item %d and its post", err, firstItem.ItemID)
	}
	// A lookup of the second (as after a lost answer) does not take the first's post.
	if outcome, found, err := e.ch.Lookup(ctx, &e.acct, e.progress(second)); err != nil || outcome != channels.NotPublished {
		t.Fatalf("lookup of the second: %v %+v %v", outcome, found, err)
	}
	posts := e.posts()
	if len(posts) != 1 || fmt.Sprint(posts[0].ID) != res.RemoteID {
		t.Fatalf("platform: %+v", posts)
	}
	if n := e.sb.Snapshot().Weibo["731"].Calls["/2/statuses/share.json"]; n != 2 {
		t.Fatalf("share calls %d, want 2 (one post, one 20019)", n)
	}
}

func TestHourlyBudgetCountedInStore(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.st.SyncAccounts(ctx, []storage.Account{{ID: "fabu-wb", Name: "n", Platform: "weibo"}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < PostsPerHour; i++ {
		rev := content.Revision{Title: "t", Body: fmt.Sprint(i)}
		rev.Hash = rev.ContentHash(content.KindShort)
		id, err := e.st.CreateItem(ctx, storage.NewItem{Item: content.Item{Kind: content.KindShort, State: content.ItemPublishing, Priority: content.PriorityNormal},
			Revision: rev, Targets: []storage.Target{{Account: "fabu-wb", Platform: "weibo"}}, Actor: "t"})
		if err != nil {
			t.Fatal(err)
		}
		ds, _ := e.st.Deliveries(ctx, id)
		e.st.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: ds[0].ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: "x"})
		e.st.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: ds[0].ID, From: content.DeliverySending, To: content.DeliveryPublished, AttemptID: "x"})
	}
	before := e.calls.Load()
	_, err := e.ch.Publish(ctx, &e.acct, e.pub(content.KindShort, content.Revision{Body: "第31条"}))
	if channels.ClassOf(err) != channels.ClassQuota || channels.RetryAt(err).IsZero() {
		t.Fatalf("31st post in an hour: %v", err)
	}
	if e.calls.Load() != before {
		t.Fatal("herald called the platform past its hourly budget")
	}
}

func TestCountsFor250AccountsIn3Calls(t *testing.T) {
	e := newEnv(t)
	var uids []string
	for i := 0; i < 250; i++ {
		uid := fmt.Sprintf("8%04d", i)
		e.sb.AddWeiboUser(sandbox.WeiboUser{UID: uid, Token: "t" + uid, Followers: 100 + i})
		uids = append(uids, uid)
	}
	before := e.sb.Snapshot().Weibo["731"].Calls["/2/users/counts.json"]
	counts, err := e.ch.Client().UserCounts(context.Background(), "tok-731", uids)
	if err != nil || len(counts) != 250 {
		t.Fatalf("%d counts, %v", len(counts), err)
	}
	if calls := e.sb.Snapshot().Weibo["731"].Calls["/2/users/counts.json"] - before; calls != 3 {
		t.Fatalf("users/counts calls on the platform: %d, want 3", calls)
	}
	if counts[249].ID.String() != uids[249] || counts[0].FollowersCount < 100 {
		t.Fatalf("counts: %+v", counts[249])
	}
	// statuses/count batches the same way (30 posts, the hourly limit, asked 5 times over).
	var ids []string
	for i := 0; i < PostsPerHour; i++ {
		res, err := e.ch.Publish(context.Background(), &e.acct, e.pub(content.KindShort, content.Revision{Body: fmt.Sprintf("第%d条", i)}))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.RemoteID)
	}
	ids = append(append(append(append(ids, ids...), ids...), ids...), ids[:30]...)
	before = e.sb.Snapshot().Weibo["731"].Calls["/2/statuses/count.json"]
	sc, err := e.ch.Client().StatusCounts(context.Background(), "tok-731", ids)
	if err != nil || len(sc) != len(ids) {
		t.Fatalf("status counts: %d of %d, %v", len(sc), len(ids), err)
	}
	if calls := e.sb.Snapshot().Weibo["731"].Calls["/2/statuses/count.json"] - before; calls != 2 {
		t.Fatalf("statuses/count calls for %d ids: %d, want 2", len(ids), calls)
	}
}

func TestTokenDaysLeft(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	a := &configs.Account{TokenExpires: "2026-11-29"}
	now := time.Date(2026, 11, 22, 15, 0, 0, 0, loc)
	if d, ok := TokenDaysLeft(a, now, loc); !ok || d != 7 {
		t.Fatalf("days left %d %v", d, ok)
	}
}
