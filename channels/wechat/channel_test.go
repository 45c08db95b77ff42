package wechat

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

type env struct {
	t    *testing.T
	sb   *sandbox.Server
	srv  *httptest.Server
	dir  string
	st   *storage.Store
	cfg  *configs.Config
	ch   *Channel
	acct map[string]*configs.Account
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newEnv(t *testing.T, opts sandbox.Options) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), acct: map[string]*configs.Account{}}
	e.sb = sandbox.New(opts)
	e.srv = httptest.NewServer(e.sb)
	t.Cleanup(e.srv.Close)
	cfg, err := configs.Parse([]byte(fmt.Sprintf(`
data_dir: %s
wechat: {api_base: %q, timeout: 5s}
accounts:
  - {id: fabu, name: 青山发布, platform: wechat, type: subscription, app_id: wx_fabu, app_secret: s-fabu}
  - {id: svc, name: 青山服务, platform: wechat, type: service, app_id: wx_svc, app_secret: s-svc}
  - {id: unc, name: 未认证, platform: wechat, app_id: wx_unc, app_secret: s-unc}
  - {id: wrong, name: 密钥已重置, platform: wechat, app_id: wx_wrong, app_secret: s-old}
`, e.dir, e.srv.URL)))
	if err != nil {
		t.Fatal(err)
	}
	e.cfg = cfg
	for i := range cfg.Accounts {
		a := &cfg.Accounts[i]
		e.acct[a.ID] = a
		secret := a.AppSecret
		if a.ID == "wrong" {
			secret = "s-new" // reset on the platform, not in the config
		}
		e.sb.AddWeChatApp(sandbox.WeChatApp{AppID: a.AppID, Secret: secret, Type: a.Type, Uncertified: a.ID == "unc", Followers: 5000})
	}
	e.open()
	accounts := []storage.Account{}
	for _, a := range cfg.Accounts {
		accounts = append(accounts, storage.Account{ID: a.ID, Name: a.Name, Platform: a.Platform})
	}
	if err := e.st.SyncAccounts(context.Background(), accounts); err != nil {
		t.Fatal(err)
	}
	return e
}

// open (re)opens the store and makes a fresh channel on it, as a restart would.
func (e *env) open() {
	e.t.Helper()
	if e.st != nil {
		e.st.Close()
	}
	st, err := storage.Open(context.Background(), e.dir)
	if err != nil {
		e.t.Fatal(err)
	}
	e.st = st
	e.t.Cleanup(func() { st.Close() })
	e.ch = New(e.cfg, st, quiet, Options{PollEvery: 5 * time.Millisecond, PollFor: 2 * time.Second, SettleWindow: time.Nanosecond})
}

func (e *env) image(seed int, format string) content.ImageRef {
	e.t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 60, 40))
	img.Set(seed%60, 0, color.RGBA{byte(seed), 1, 2, 255})
	var buf bytes.Buffer
	if format == "jpeg" {
		jpeg.Encode(&buf, img, nil)
	} else {
		png.Encode(&buf, img)
	}
	im, err := e.st.PutImage(context.Background(), buf.Bytes())
	if err != nil {
		e.t.Fatal(err)
	}
	return content.ImageRef{SHA256: im.SHA256, MIME: im.MIME, Size: im.Size, Width: im.Width, Height: im.Height}
}

func role(im content.ImageRef, r string) content.ImageRef { im.Role = r; return im }

var attempt int

// pub makes a real item with one delivery to account fabu in state sending,
// as the scheduler would before calling the channel.
func (e *env) pub(kind content.Kind, r content.Revision) channels.Publication {
	return e.pubTo("fabu", kind, r)
}

func (e *env) pubTo(account string, kind content.Kind, r content.Revision) channels.Publication {
	e.t.Helper()
	ctx := context.Background()
	attempt++
	r.Hash = r.ContentHash(kind)
	id, err := e.st.CreateItem(ctx, storage.NewItem{Item: content.Item{Kind: kind, State: content.ItemPublishing, Priority: content.PriorityNormal},
		Revision: r, Targets: []storage.Target{{Account: account, Platform: "wechat"}}, Actor: "test"})
	if err != nil {
		e.t.Fatal(err)
	}
	ds, err := e.st.Deliveries(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	att := fmt.Sprint("att-", attempt)
	if err := e.st.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: ds[0].ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: att}); err != nil {
		e.t.Fatal(err)
	}
	return channels.Publication{DeliveryID: ds[0].ID, AttemptID: att, AttemptStarted: time.Now(), Kind: kind, Revision: r, Department: "市场监管局"}
}

func (e *env) state(appID string) sandbox.WeChatState { return e.sb.Snapshot().WeChat[appID] }

func (e *env) article(title string) content.Revision {
	cover := role(e.image(1, "jpeg"), content.RoleCover)
	body := role(e.image(2, "png"), content.RoleBody)
	body.Ref = "photos/1.png"
	return content.Revision{Title: title, Digest: "摘要", SourceURL: "https://www.qingshan.gov.cn/zwgk/1.html",
		Body:   `<p>正文</p><img src="` + content.ImageSrcPrefix + body.SHA256 + `"/>`,
		Images: []content.ImageRef{cover, body}}
}

func TestPublishEachKind(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 31})
	ctx := context.Background()
	fabu := e.acct["fabu"]

	res, err := e.ch.Publish(ctx, fabu, e.pub(content.KindArticle, e.article("县政府常务会议")))
	if err != nil || !strings.HasPrefix(res.URL, "https://mp.weixin.qq.com/s/") {
		t.Fatalf("article: %+v %v", res, err)
	}
	graphic := content.Revision{Title: "政策图解：农房改造补贴", Digest: "一图读懂", SourceURL: "https://www.gov.cn/zhengce/1.htm",
		Images: []content.ImageRef{role(e.image(3, "png"), content.RoleCover), role(e.image(4, "png"), content.RoleImage), role(e.image(5, "png"), content.RoleImage)}}
	if _, err := e.ch.Publish(ctx, fabu, e.pub(content.KindGraphic, graphic)); err != nil {
		t.Fatalf("graphic: %v", err)
	}
	bc := content.Revision{Title: "检查播报｜青山大酒店", Broadcast: &content.Broadcast{Date: "2026-11-20", Unit: "青山大酒店", Address: "城关镇人民路1号", Result: "责令整改", Findings: "后厨防蝇设施缺失。\n冷库温度记录不全。"},
		Images: []content.ImageRef{role(e.image(6, "jpeg"), content.RoleCover), role(e.image(7, "jpeg"), content.RoleImage)}}
	if _, err := e.ch.Publish(ctx, fabu, e.pub(content.KindBroadcast, bc)); err != nil {
		t.Fatalf("broadcast: %v", err)
	}
	short := content.Revision{Body: "今日起城关镇人民路施工，请绕行。", Images: []content.ImageRef{role(e.image(8, "png"), content.RoleCover)}}
	if _, err := e.ch.Publish(ctx, fabu, e.pub(content.KindShort, short)); err != nil {
		t.Fatalf("short: %v", err)
	}

	st := e.state("wx_fabu")
	if len(st.Published) != 4 {
		t.Fatalf("published on the platform: %d", len(st.Published))
	}
	art, gr, br, sh := st.Published[0], st.Published[1], st.Published[2], st.Published[3]
	if art.ArticleType != "news" || !strings.Contains(art.Content, "http://mmbiz.qpic.cn/") || strings.Contains(art.Content, content.ImageSrcPrefix) ||
		art.SourceURL != "https://www.qingshan.gov.cn/zwgk/1.html" || art.ThumbID == "" {
		t.Fatalf("article on the platform: %+v", art)
	}
	if gr.ArticleType != "newspic" || gr.Images != 3 || gr.SourceURL != "https://www.gov.cn/zhengce/1.htm" {
		t.Fatalf("graphic on the platform: %+v", gr)
	}
	if br.ArticleType != "news" || !strings.Contains(br.Content, "青山大酒店") || !strings.Contains(br.Content, "冷库温度记录不全") ||
		strings.Count(br.Content, "mmbiz.qpic.cn") != 2 || !strings.Contains(br.Content, "市场监管局") {
		t.Fatalf("broadcast on the platform: %+v", br)
	}
	if sh.ArticleType != "newspic" || sh.Title != "今日起城关镇人民路施工，请绕行。" {
		t.Fatalf("short on the platform: %+v", sh)
	}
	if st.StrippedImages != 0 {
		t.Fatalf("the platform stripped %d images herald sent", st.StrippedImages)
	}
}

func TestImagesUploadedOncePerAccount(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 32})
	ctx := context.Background()
	if _, err := e.ch.Publish(ctx, e.acct["fabu"], e.pub(content.KindArticle, e.article("第一篇"))); err != nil {
		t.Fatal(err)
	}
	before := e.state("wx_fabu").Calls
	if _, err := e.ch.Publish(ctx, e.acct["fabu"], e.pub(content.KindArticle, e.article("第二篇同一封面"))); err != nil {
		t.Fatal(err)
	}
	after := e.state("wx_fabu").Calls
	for _, path := range []string{"/cgi-bin/material/add_material", "/cgi-bin/media/uploadimg"} {
		if after[path] != before[path] {
			t.Fatalf("%s called again for the same bytes: %d -> %d", path, before[path], after[path])
		}
	}
	// Another account gets its own upload.
	if _, err := e.ch.Publish(ctx, e.acct["svc"], e.pubTo("svc", content.KindArticle, e.article("另一账号"))); err != nil {
		t.Fatal(err)
	}
	if n := e.state("wx_svc").Calls["/cgi-bin/material/add_material"]; n != 1 {
		t.Fatalf("second account uploads: %d", n)
	}
}

func TestTokenSurvivesRestartAndDropsOn40001(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 33})
	ctx := context.Background()
	if _, err := e.ch.Publish(ctx, e.acct["fabu"], e.pub(content.KindArticle, e.article("重启前"))); err != nil {
		t.Fatal(err)
	}
	e.open() // a restarted daemon: new store handle, new channel, same database
	if _, err := e.ch.Publish(ctx, e.acct["fabu"], e.pub(content.KindArticle, e.article("重启后"))); err != nil {
		t.Fatal(err)
	}
	if n := e.state("wx_fabu").TokenFetches; n != 1 {
		t.Fatalf("token fetched %d times across a restart, want 1", n)
	}
	e.sb.InvalidateTokens("wx_fabu")
	if _, err := e.ch.Publish(ctx, e.acct["fabu"], e.pub(content.KindArticle, e.article("令牌失效后"))); err != nil {
		t.Fatalf("publish after 40001: %v", err)
	}
	if n := e.state("wx_fabu").TokenFetches; n != 2 {
		t.Fatalf("token fetches after 40001: %d, want 2 (drop and fetch once)", n)
	}
	if n := len(e.state("wx_fabu").Published); n != 3 {
		t.Fatalf("published: %d", n)
	}
}

func wantClass(t *testing.T, err error, class channels.Class, contains string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", class)
	}
	if got := channels.ClassOf(err); got != class {
		t.Fatalf("class %v, want %v: %v", got, class, err)
	}
	if contains != "" && !strings.Contains(err.Error(), contains) {
		t.Fatalf("%q does not say %q", err.Error(), contains)
	}
}

func TestErrorClasses(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 34})
	ctx := context.Background()
	fabu := e.acct["fabu"]

	e.sb.SetFaults(sandbox.Faults{TransientRate: 1})
	_, err := e.ch.Publish(ctx, fabu, e.pub(content.KindArticle, e.article("繁忙")))
	wantClass(t, err, channels.ClassTransient, "")
	e.sb.SetFaults(sandbox.Faults{})

	e.sb.ExhaustQuota("wx_fabu", "/cgi-bin/draft/add")
	_, err = e.ch.Publish(ctx, fabu, e.pub(content.KindArticle, e.article("配额")))
	wantClass(t, err, channels.ClassQuota, "45009")
	if at := channels.RetryAt(err); at.Before(time.Now()) || at.After(time.Now().Add(25*time.Hour)) {
		t.Fatalf("quota retry at %v", at)
	}
	e.sb.RestoreQuota("wx_fabu", "/cgi-bin/draft/add")

	wantClass(t, e.ch.Check(ctx, e.acct["wrong"]), channels.ClassCredentials, "40125")
	wantClass(t, e.ch.Check(ctx, e.acct["unc"]), channels.ClassCredentials, "48001")
	if err := e.ch.Check(ctx, fabu); err != nil {
		t.Fatalf("healthy account: %v", err)
	}

	long := e.article(strings.Repeat("标", 33))
	_, err = e.ch.Publish(ctx, fabu, e.pub(content.KindArticle, long))
	wantClass(t, err, channels.ClassContent, "45003")

	e.sb.SetFaults(sandbox.Faults{RejectShare: 1})
	_, err = e.ch.Publish(ctx, fabu, e.pub(content.KindArticle, e.article("被拒")))
	wantClass(t, err, channels.ClassContent, "未通过微信平台审核")
	e.sb.SetFaults(sandbox.Faults{})
}

func TestIPWhitelistIsCredentials(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 35, AllowIPs: []string{"10.9.9.9"}})
	err := e.ch.Check(context.Background(), e.acct["fabu"])
	wantClass(t, err, channels.ClassCredentials, "IP白名单")
}

func TestLostAnswerIsReconciledNotRepublished(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 36})
	ctx := context.Background()
	fabu := e.acct["fabu"]
	p := e.pub(content.KindArticle, e.article("答复丢失"))
	e.sb.LoseNext("/cgi-bin/freepublish/submit", 1)
	_, err := e.ch.Publish(ctx, fabu, p)
	wantClass(t, err, channels.ClassUnknown, "")
	outcome, res, err := e.ch.Lookup(ctx, fabu, p)
	if err != nil || outcome != channels.Published || res.URL == "" {
		t.Fatalf("lookup: %v %+v %v", outcome, res, err)
	}
	if n := len(e.state("wx_fabu").Published); n != 1 {
		t.Fatalf("published %d times, want exactly 1", n)
	}
	// An attempt that never reached the platform is NotPublished.
	outcome, _, err = e.ch.Lookup(ctx, fabu, e.pub(content.KindArticle, e.article("从未提交")))
	if err != nil || outcome != channels.NotPublished {
		t.Fatalf("lookup of nothing: %v %v", outcome, err)
	}
	// Inside the settle window nothing is concluded.
	patient := New(e.cfg, e.st, quiet, Options{SettleWindow: time.Hour})
	if outcome, _, _ := patient.Lookup(ctx, fabu, e.pub(content.KindArticle, e.article("刚提交"))); outcome != channels.StillUnknown {
		t.Fatalf("young attempt concluded: %v", outcome)
	}
}

func TestPollTimeoutThenLookupByPublishID(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 37, PublishPolls: 1000})
	ctx := context.Background()
	fabu := e.acct["fabu"]
	ch := New(e.cfg, e.st, quiet, Options{PollEvery: 5 * time.Millisecond, PollFor: 50 * time.Millisecond})
	p := e.pub(content.KindArticle, e.article("慢慢发布"))
	_, err := ch.Publish(ctx, fabu, p)
	wantClass(t, err, channels.ClassUnknown, "发布中")
	d, _ := e.st.Delivery(ctx, p.DeliveryID)
	if parseProgress(d.Progress).PublishID == "" {
		t.Fatalf("publish_id not saved before polling: %q", d.Progress)
	}
	p.Progress = d.Progress
	if outcome, _, err := ch.Lookup(ctx, fabu, p); outcome != channels.StillUnknown || err != nil {
		t.Fatalf("still publishing: %v %v", outcome, err)
	}
	// Asked again via Publish with the recorded publish_id, it only polls: no second submit.
	submits := e.state("wx_fabu").Calls["/cgi-bin/freepublish/submit"]
	_, _ = ch.Publish(ctx, fabu, p)
	if n := e.state("wx_fabu").Calls["/cgi-bin/freepublish/submit"]; n != submits {
		t.Fatalf("resumed attempt submitted again: %d -> %d", submits, n)
	}
}

func TestMassSendQuotaKeptInStore(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 38})
	ctx := context.Background()
	notify := func(title string) channels.Result {
		p := e.pub(content.KindArticle, e.article(title))
		p.Notify = true
		res, err := e.ch.Publish(ctx, e.acct["fabu"], p)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := notify("第一次群发"); res.Note != "" {
		t.Fatalf("first notify: %q", res.Note)
	}
	res := notify("第二次群发")
	if !strings.Contains(res.Note, "群发额度已用完") {
		t.Fatalf("second notify note: %q", res.Note)
	}
	st := e.state("wx_fabu")
	if len(st.MassSends) != 1 || st.Calls["/cgi-bin/message/mass/sendall"] != 1 || len(st.Published) != 2 {
		t.Fatalf("platform: %d mass sends, %d sendall calls, %d published", len(st.MassSends), st.Calls["/cgi-bin/message/mass/sendall"], len(st.Published))
	}
}

func TestConcurrentAccounts(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 39})
	ctx := context.Background()
	pubs := map[string][]channels.Publication{}
	for i := 0; i < 3; i++ {
		for _, id := range []string{"fabu", "svc"} {
			pubs[id] = append(pubs[id], e.pubTo(id, content.KindArticle, e.article(fmt.Sprintf("并发%d", i))))
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := 0; i < 3; i++ {
		for _, id := range []string{"fabu", "svc"} {
			wg.Add(1)
			go func(id string, i int) {
				defer wg.Done()
				_, err := e.ch.Publish(ctx, e.acct[id], pubs[id][i])
				errs <- err
			}(id, i)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if a, b := len(e.state("wx_fabu").Published), len(e.state("wx_svc").Published); a != 3 || b != 3 {
		t.Fatalf("published %d and %d", a, b)
	}
}

// retry moves a delivery back to pending and into a new attempt, as the
// scheduler does, and returns the Publication it would pass.
func (e *env) retry(p channels.Publication) channels.Publication {
	e.t.Helper()
	ctx := context.Background()
	d, _ := e.st.Delivery(ctx, p.DeliveryID)
	from := d.State
	if err := e.st.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: d.ID, From: from, To: content.DeliveryPending, AttemptID: d.AttemptID}); err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: d.ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: "retry"}); err != nil {
		e.t.Fatal(err)
	}
	d, _ = e.st.Delivery(ctx, p.DeliveryID)
	p.AttemptID, p.Progress, p.AttemptStarted = "retry", d.Progress, time.Now()
	return p
}

func TestRetryReusesTheSavedDraft(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 40})
	ctx := context.Background()
	fabu := e.acct["fabu"]
	p := e.pub(content.KindArticle, e.article("配额后重试"))
	e.sb.ExhaustQuota("wx_fabu", "/cgi-bin/freepublish/submit")
	_, err := e.ch.Publish(ctx, fabu, p)
	wantClass(t, err, channels.ClassQuota, "45009")
	if d, _ := e.st.Delivery(ctx, p.DeliveryID); parseProgress(d.Progress).Draft == "" || d.RemoteID != "" {
		t.Fatalf("draft not saved as progress before submit: %q (remote id %q)", d.Progress, d.RemoteID)
	}
	e.sb.RestoreQuota("wx_fabu", "/cgi-bin/freepublish/submit")
	p = e.retry(p)
	if _, err := e.ch.Publish(ctx, fabu, p); err != nil {
		t.Fatal(err)
	}
	st := e.state("wx_fabu")
	if st.Drafts != 1 || len(st.Published) != 1 {
		t.Fatalf("platform: %d drafts, %d published; want 1 and 1", st.Drafts, len(st.Published))
	}
}

func TestReusedDraftAlreadySubmittedIsUnknownNeverANewDraft(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 41})
	ctx := context.Background()
	fabu := e.acct["fabu"]
	p := e.pub(content.KindArticle, e.article("答复丢失后重试"))
	e.sb.LoseNext("/cgi-bin/freepublish/submit", 1)
	_, err := e.ch.Publish(ctx, fabu, p)
	wantClass(t, err, channels.ClassUnknown, "")
	// Suppose a lookup wrongly concluded nothing went out: the retry submits
	// the same draft, the platform refuses it, and herald stays unknown.
	p = e.retry(p)
	_, err = e.ch.Publish(ctx, fabu, p)
	wantClass(t, err, channels.ClassUnknown, "40007")
	st := e.state("wx_fabu")
	if st.Drafts != 1 || len(st.Published) != 1 {
		t.Fatalf("platform: %d drafts, %d published; want 1 and 1", st.Drafts, len(st.Published))
	}
}

func TestMassSendWithLostAnswerCountsAgainstTheQuota(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 42})
	ctx := context.Background()
	fabu := e.acct["fabu"]
	p := e.pub(content.KindArticle, e.article("群发答复丢失"))
	p.Notify = true
	e.sb.LoseNext("/cgi-bin/message/mass/sendall", 1)
	_, err := e.ch.Publish(ctx, fabu, p)
	wantClass(t, err, channels.ClassUnknown, "群发")
	// The lookup finds what the mass send published.
	if d, _ := e.st.Delivery(ctx, p.DeliveryID); true {
		p.Progress = d.Progress
	}
	outcome, res, err := e.ch.Lookup(ctx, fabu, p)
	if outcome != channels.Published || res.URL == "" || err != nil {
		t.Fatalf("lookup: %v %+v %v", outcome, res, err)
	}
	// The platform did send it; the next notify today must not call in: it
	// is published without notification, and says so.
	q := e.pub(content.KindArticle, e.article("当日第二次群发"))
	q.Notify = true
	res, err = e.ch.Publish(ctx, fabu, q)
	if err != nil || !strings.Contains(res.Note, "额度已用完") {
		t.Fatalf("second notify: %+v %v", res, err)
	}
	st := e.state("wx_fabu")
	if len(st.MassSends) != 1 || st.Calls["/cgi-bin/message/mass/sendall"] != 1 || len(st.Published) != 2 {
		t.Fatalf("platform: %d mass sends, %d sendall calls, %d published", len(st.MassSends), st.Calls["/cgi-bin/message/mass/sendall"], len(st.Published))
	}
}

// An item that notifies followers is published by the mass send of its
// draft: one mass send, the article out once, no freepublish (whose draft a
// mass send could no longer use: 40007).
func TestNotifyPublishesByOneMassSend(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 43})
	ctx := context.Background()
	p := e.pub(content.KindArticle, e.article("通知粉丝的文章"))
	p.Notify = true
	res, err := e.ch.Publish(ctx, e.acct["fabu"], p)
	if err != nil || res.Note != "" || res.URL == "" {
		t.Fatalf("notify publish: %+v %v", res, err)
	}
	st := e.state("wx_fabu")
	if len(st.MassSends) != 1 || len(st.Published) != 1 || st.Published[0].MsgID != st.MassSends[0].MsgID {
		t.Fatalf("platform: %d mass sends, %d published (%+v); want one article published by one mass send", len(st.MassSends), len(st.Published), st.Published)
	}
	if n := st.Calls["/cgi-bin/freepublish/submit"]; n != 0 {
		t.Fatalf("freepublish/submit called %d times for a notifying item", n)
	}
	if res.URL != st.Published[0].URL {
		t.Fatalf("result URL %q, platform %q", res.URL, st.Published[0].URL)
	}
}

// A retry after a lost mass-send answer sends the same clientmsgid: the
// platform refuses a second send (45065), herald takes it as published, and
// followers get one message.
func TestMassSendRetryAfterLostAnswerSendsOnce(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 44})
	ctx := context.Background()
	fabu := e.acct["fabu"]
	p := e.pub(content.KindArticle, e.article("重试不重复群发"))
	p.Notify = true
	e.sb.LoseNext("/cgi-bin/message/mass/sendall", 1)
	_, err := e.ch.Publish(ctx, fabu, p)
	wantClass(t, err, channels.ClassUnknown, "群发")
	p = e.retry(p)
	res, err := e.ch.Publish(ctx, fabu, p)
	if err != nil || res.URL == "" {
		t.Fatalf("retry: %+v %v", res, err)
	}
	st := e.state("wx_fabu")
	if len(st.MassSends) != 1 || st.Calls["/cgi-bin/message/mass/sendall"] != 2 || len(st.Published) != 1 || st.Calls["/cgi-bin/freepublish/submit"] != 0 {
		t.Fatalf("platform: %d mass sends, %d sendall calls, %d published, %d submits", len(st.MassSends),
			st.Calls["/cgi-bin/message/mass/sendall"], len(st.Published), st.Calls["/cgi-bin/freepublish/submit"])
	}
}
