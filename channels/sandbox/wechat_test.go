package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	oaconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/draft"
	"github.com/silenceper/wechat/v2/officialaccount/material"
	"github.com/silenceper/wechat/v2/util"
)

var cst = time.FixedZone("CST", 8*3600)

// The library's URL rewriting is process-wide: it is set once, and each
// test points it at its own sandbox through base.
var (
	base     atomic.Value // string
	hookOnce sync.Once
)

// clock is a settable platform clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	t     *testing.T
	sb    *Server
	srv   *httptest.Server
	clock *clock
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, cst)}
	if opts.Now == nil {
		opts.Now = c.now
	}
	sb := New(opts)
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	base.Store(srv.URL)
	hookOnce.Do(func() {
		util.SetURIModifier(func(u string) string {
			return strings.Replace(u, "https://api.weixin.qq.com", base.Load().(string), 1)
		})
	})
	return &fixture{t: t, sb: sb, srv: srv, clock: c}
}

func (f *fixture) app(id string, opts ...func(*WeChatApp)) *officialaccount.OfficialAccount {
	a := WeChatApp{AppID: id, Secret: "secret-" + id, Name: "青山发布", Followers: 15000}
	for _, o := range opts {
		o(&a)
	}
	f.sb.AddWeChatApp(a)
	return officialaccount.NewOfficialAccount(&oaconfig.Config{AppID: id, AppSecret: "secret-" + id, Cache: cache.NewMemory()})
}

// post sends JSON to a WeChat path with a token and decodes the answer.
func (f *fixture) post(path, token string, body any) map[string]any {
	f.t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(f.srv.URL+path+"?access_token="+token, "application/json", bytes.NewReader(b))
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		f.t.Fatal(err)
	}
	return out
}

func errcode(m map[string]any) int {
	if v, ok := m["errcode"].(float64); ok {
		return int(v)
	}
	return 0
}

func pngOf(w, h int) []byte {
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h)))
	return buf.Bytes()
}

func jpegOf(w, h, q int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7919 % 251) // noise so JPEG cannot compress it away
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: q})
	return buf.Bytes()
}

func wantCode(t *testing.T, err error, code int) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %d", code)
	}
	var ce *util.CommonError
	if errors.As(err, &ce) {
		if int(ce.ErrCode) != code {
			t.Fatalf("errcode %d (%s), want %d", ce.ErrCode, ce.ErrMsg, code)
		}
		return
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("errcode=%d", code)) && !strings.Contains(err.Error(), fmt.Sprintf("errcode: %d", code)) {
		t.Fatalf("error %q does not carry errcode %d", err, code)
	}
}

func TestLibraryPublishesThroughSandbox(t *testing.T) {
	f := newFixture(t, Options{Seed: 1})
	oa := f.app("wx_fabu")
	token, err := oa.GetAccessToken()
	if err != nil || token == "" {
		t.Fatalf("token: %q %v", token, err)
	}
	mediaID, url, err := oa.GetMaterial().AddMaterialFromReader(material.MediaTypeImage, "cover.png", bytes.NewReader(pngOf(90, 50)))
	if err != nil || mediaID == "" || !strings.HasPrefix(url, "http://mmbiz.qpic.cn/") {
		t.Fatalf("add_material: %q %q %v", mediaID, url, err)
	}
	draftID, err := oa.GetDraft().AddDraft([]*draft.Article{{Title: "青山县召开常务会议", Content: "<p>会议内容</p>", ThumbMediaID: mediaID,
		ContentSourceURL: "https://www.qingshan.gov.cn/zwgk/1.html"}})
	if err != nil || draftID == "" {
		t.Fatalf("draft/add: %q %v", draftID, err)
	}

	// The trap platforms.md warns of: the library decodes publish_id as an
	// integer, so Publish fails on the string the platform returns, after the
	// platform accepted the publish. A retry would publish twice.
	if _, err := oa.GetFreePublish().Publish(draftID); err == nil {
		t.Fatal("library Publish decoded a string publish_id: the sandbox is not returning a string")
	}
	st := f.sb.Snapshot().WeChat["wx_fabu"]
	if len(st.Published) != 1 || st.Published[0].Title != "青山县召开常务会议" {
		t.Fatalf("the publish the library reported as failed did not go out: %+v", st.Published)
	}

	// The right way: submit through util.PostJSON, take publish_id as a string.
	draft2, err := oa.GetDraft().AddDraft([]*draft.Article{{Title: "第二篇", Content: "<p>x</p>", ThumbMediaID: mediaID}})
	if err != nil {
		t.Fatal(err)
	}
	token, _ = oa.GetAccessToken()
	sub := f.post("/cgi-bin/freepublish/submit", token, map[string]string{"media_id": draft2})
	pid, ok := sub["publish_id"].(string)
	if errcode(sub) != 0 || !ok || pid == "" {
		t.Fatalf("submit: %v", sub)
	}
	if _, err := strconv.ParseInt(pid, 10, 64); err != nil {
		t.Fatalf("publish_id %q is not digits", pid)
	}
	// SelectStatus fails the same way on the string publish_id in the answer.
	n, _ := strconv.ParseInt(pid, 10, 64)
	if _, err := oa.GetFreePublish().SelectStatus(n); err == nil {
		t.Fatal("library SelectStatus decoded a string publish_id")
	}
	status := f.post("/cgi-bin/freepublish/get", token, map[string]string{"publish_id": pid})
	if errcode(status) != 0 || status["publish_status"].(float64) != 0 || status["article_id"] == "" {
		t.Fatalf("final poll: %v", status)
	}
	items := status["article_detail"].(map[string]any)["item"].([]any)
	if len(items) != 1 || !strings.HasPrefix(items[0].(map[string]any)["article_url"].(string), "https://mp.weixin.qq.com/s/") {
		t.Fatalf("article detail: %v", status)
	}
	// Resubmitting the same draft is refused.
	if again := f.post("/cgi-bin/freepublish/submit", token, map[string]string{"media_id": draft2}); errcode(again) != 40007 {
		t.Fatalf("resubmit: %v", again)
	}
	list, err := oa.GetFreePublish().Paginate(0, 20, true)
	if err != nil || list.TotalCount < 2 || list.Item[0].Content.NewsItem[0].Title != "第二篇" {
		t.Fatalf("batchget: %+v %v", list.TotalCount, err)
	}
}

func TestLibraryStatistics(t *testing.T) {
	f := newFixture(t, Options{Seed: 7})
	oa := f.app("wx_stats")
	sum, err := oa.GetDataCube().GetUserSummary("2026-11-01", "2026-11-07")
	if err != nil {
		t.Fatal(err)
	}
	cum, err := oa.GetDataCube().GetUserAccumulate("2026-10-31", "2026-11-06")
	if err != nil {
		t.Fatal(err)
	}
	cum2, err := oa.GetDataCube().GetUserAccumulate("2026-11-07", "2026-11-07")
	if err != nil {
		t.Fatal(err)
	}
	followers := map[string]int{}
	for _, r := range append(cum.List, cum2.List...) {
		followers[r.RefDate] = r.CumulateUser
	}
	net := map[string]int{}
	for _, r := range sum.List {
		net[r.RefDate] += r.NewUser - r.CancelUser
	}
	for d := 1; d <= 7; d++ {
		day := fmt.Sprintf("2026-11-%02d", d)
		prev := fmt.Sprintf("2026-11-%02d", d-1)
		if d == 1 {
			prev = "2026-10-31"
		}
		if followers[day] != followers[prev]+net[day] {
			t.Fatalf("%s: followers %d != %d + %d", day, followers[day], followers[prev], net[day])
		}
	}
	if followers["2026-11-07"] < 10000 || followers["2026-11-07"] > 30000 {
		t.Fatalf("county account followers %d, want ~15000", followers["2026-11-07"])
	}
	// Span limits and dates.
	_, err = oa.GetDataCube().GetUserSummary("2026-11-01", "2026-11-08")
	wantCode(t, err, 61501)
	_, err = oa.GetDataCube().GetUserSummary("2026-11-20", "2026-11-22")
	wantCode(t, err, 61501)
	_, err = oa.GetDataCube().GetUserSummary("2026/11/01", "2026-11-02")
	wantCode(t, err, 61500)
	token, _ := oa.GetAccessToken()
	biz := f.post("/datacube/getbizsummary", token, map[string]string{"begin_date": "2026-10-22", "end_date": "2026-11-20"})
	if errcode(biz) != 0 || len(biz["list"].([]any)) != 30 {
		t.Fatalf("getbizsummary 30 days: %v", errcode(biz))
	}
	// WeChat nests each day's figures under "detail", never beside ref_date.
	first := biz["list"].([]any)[0].(map[string]any)
	det, _ := first["detail"].(map[string]any)
	if _, top := first["read_user"]; top || det == nil || det["read_user"] == nil || det["share_user"] == nil || det["like_user"] == nil {
		t.Fatalf("getbizsummary day shape: %v", first)
	}
	if r := f.post("/datacube/getbizsummary", token, map[string]string{"begin_date": "2026-10-21", "end_date": "2026-11-20"}); errcode(r) != 61501 {
		t.Fatalf("getbizsummary 31 days: %v", r)
	}
	detail := f.post("/datacube/getarticletotaldetail", token, map[string]string{"begin_date": "2026-11-02", "end_date": "2026-11-02"})
	if errcode(detail) != 0 || len(detail["list"].([]any)) == 0 {
		t.Fatalf("getarticletotaldetail: %v", detail)
	}
	// Yesterday's data before 08:00 is not ready.
	f.clock.t = time.Date(2026, 11, 22, 7, 30, 0, 0, cst)
	token, _ = oa.GetAccessToken()
	if r := f.post("/datacube/getusercumulate", token, map[string]string{"begin_date": "2026-11-21", "end_date": "2026-11-21"}); errcode(r) != 61503 {
		t.Fatalf("before 08:00: %v", r)
	}
}

func TestStatisticsAreDeterministic(t *testing.T) {
	a := New(Options{Seed: 42, Now: func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, cst) }})
	b := New(Options{Seed: 42, Now: func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, cst) }})
	c := New(Options{Seed: 43, Now: func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, cst) }})
	for _, s := range []*Server{a, b, c} {
		s.AddWeChatApp(WeChatApp{AppID: "x", Secret: "s", Followers: 3000})
	}
	fa, _ := a.Figures("x", "2026-10-15")
	fb, _ := b.Figures("x", "2026-10-15")
	fc, _ := c.Figures("x", "2026-10-15")
	if fa != fb {
		t.Fatalf("same seed, different figures: %+v %+v", fa, fb)
	}
	if fa == fc {
		t.Fatalf("different seeds, same figures: %+v", fa)
	}
	// The synthetic history posts and is read.
	reads, posts := 0, 0
	for d := 1; d <= 30; d++ {
		f, _ := a.Figures("x", fmt.Sprintf("2026-10-%02d", d))
		reads += f.Reads
		posts += f.Posts
	}
	if posts == 0 || reads == 0 {
		t.Fatalf("a department account with no posts or reads in October: %d %d", posts, reads)
	}
}

func TestTokenRules(t *testing.T) {
	f := newFixture(t, Options{Seed: 2, TokenDailyLimit: 3})
	oa := f.app("wx_tok")
	old, err := oa.GetAccessToken()
	if err != nil {
		t.Fatal(err)
	}
	// A fresh fetch keeps the old token valid for the 5-minute overlap only.
	fresh := officialaccount.NewOfficialAccount(&oaconfig.Config{AppID: "wx_tok", AppSecret: "secret-wx_tok", Cache: cache.NewMemory()})
	if _, err := fresh.GetAccessToken(); err != nil {
		t.Fatal(err)
	}
	if r := f.post("/cgi-bin/freepublish/batchget", old, map[string]int{"offset": 0, "count": 1}); errcode(r) != 0 {
		t.Fatalf("old token inside overlap: %v", r)
	}
	f.clock.add(6 * time.Minute)
	if r := f.post("/cgi-bin/freepublish/batchget", old, map[string]int{"offset": 0, "count": 1}); errcode(r) != 42001 {
		t.Fatalf("old token after overlap: %v", r)
	}
	// Unknown token: 40001, which the library does not retry.
	if r := f.post("/cgi-bin/freepublish/batchget", "nonsense", map[string]int{"offset": 0, "count": 1}); errcode(r) != 40001 {
		t.Fatalf("unknown token: %v", r)
	}
	f.sb.InvalidateTokens("wx_tok")
	_, err = fresh.GetFreePublish().Paginate(0, 1, true)
	wantCode(t, err, 40001)
	// Daily fetch limit: the third fetch today is the last.
	third := officialaccount.NewOfficialAccount(&oaconfig.Config{AppID: "wx_tok", AppSecret: "secret-wx_tok", Cache: cache.NewMemory()})
	if _, err := third.GetAccessToken(); err != nil {
		t.Fatal(err)
	}
	fourth := officialaccount.NewOfficialAccount(&oaconfig.Config{AppID: "wx_tok", AppSecret: "secret-wx_tok", Cache: cache.NewMemory()})
	_, err = fourth.GetAccessToken()
	wantCode(t, err, 45009)
	// Wrong secret.
	bad := officialaccount.NewOfficialAccount(&oaconfig.Config{AppID: "wx_tok", AppSecret: "wrong", Cache: cache.NewMemory()})
	_, err = bad.GetAccessToken()
	wantCode(t, err, 40125)
}

func TestIPWhitelist(t *testing.T) {
	f := newFixture(t, Options{Seed: 3, AllowIPs: []string{"10.1.2.3"}})
	oa := f.app("wx_ip")
	_, err := oa.GetAccessToken()
	wantCode(t, err, 40164)
	if ip := f.sb.Snapshot().WeChat["wx_ip"].LastIP; ip != "127.0.0.1" {
		t.Fatalf("caller IP seen: %q", ip)
	}
}

func TestStableToken(t *testing.T) {
	f := newFixture(t, Options{Seed: 4})
	f.app("wx_st")
	get := func(force bool) map[string]any {
		return f.post("/cgi-bin/stable_token", "", map[string]any{"grant_type": "client_credential", "appid": "wx_st", "secret": "secret-wx_st", "force_refresh": force})
	}
	a, b := get(false), get(false)
	if a["access_token"] == nil || a["access_token"] != b["access_token"] {
		t.Fatalf("stable token changed: %v %v", a, b)
	}
	c := get(true)
	if c["access_token"] == a["access_token"] {
		t.Fatal("force_refresh returned the same token")
	}
	if r := get(true); errcode(r) != 45011 {
		t.Fatalf("force_refresh within 30 s: %v", r)
	}
}

func TestMaterialAndDraftErrors(t *testing.T) {
	f := newFixture(t, Options{Seed: 5})
	oa := f.app("wx_err")
	m := oa.GetMaterial()
	_, _, err := m.AddMaterialFromReader(material.MediaTypeImage, "a.png", strings.NewReader("not an image at all"))
	wantCode(t, err, 40005)
	_, _, err = m.AddMaterialFromReader(material.MediaTypeThumb, "t.png", bytes.NewReader(pngOf(10, 10)))
	wantCode(t, err, 40005) // thumb must be jpg
	big := jpegOf(400, 400, 100)
	if len(big) <= 64<<10 {
		t.Fatalf("test image too small: %d", len(big))
	}
	_, _, err = m.AddMaterialFromReader(material.MediaTypeThumb, "t.jpg", bytes.NewReader(big))
	wantCode(t, err, 40009)
	cover, _, err := m.AddMaterialFromReader(material.MediaTypeImage, "c.png", bytes.NewReader(pngOf(10, 10)))
	if err != nil {
		t.Fatal(err)
	}
	d := oa.GetDraft()
	_, err = d.AddDraft([]*draft.Article{{Title: strings.Repeat("县", 33), Content: "x", ThumbMediaID: cover}})
	wantCode(t, err, 45003)
	_, err = d.AddDraft([]*draft.Article{{Title: "t", Author: strings.Repeat("作", 17), Content: "x", ThumbMediaID: cover}})
	wantCode(t, err, 45110)
	_, err = d.AddDraft([]*draft.Article{{Title: "t", Digest: strings.Repeat("摘", 129), Content: "x", ThumbMediaID: cover}})
	wantCode(t, err, 45004)
	_, err = d.AddDraft([]*draft.Article{{Title: "t", Content: strings.Repeat("字", 20000), ThumbMediaID: cover}})
	wantCode(t, err, 45002)
	_, err = d.AddDraft([]*draft.Article{{Title: "t", Content: "x", ContentSourceURL: "https://x.cn/" + strings.Repeat("a", 1024), ThumbMediaID: cover}})
	wantCode(t, err, 45005)
	_, err = d.AddDraft([]*draft.Article{{Title: "t", Content: "x", ThumbMediaID: "not-a-media-id"}})
	wantCode(t, err, 40007)
	_, err = d.AddDraft(nil)
	wantCode(t, err, 44003)
	nine := make([]*draft.Article, 9)
	for i := range nine {
		nine[i] = &draft.Article{Title: "t", Content: "x", ThumbMediaID: cover}
	}
	_, err = d.AddDraft(nine)
	wantCode(t, err, 45008)
	// newspic (the library lacks the fields: plain JSON).
	token, _ := oa.GetAccessToken()
	np := func(ids ...string) map[string]any {
		list := []map[string]string{}
		for _, id := range ids {
			list = append(list, map[string]string{"image_media_id": id})
		}
		return f.post("/cgi-bin/draft/add", token, map[string]any{"articles": []any{map[string]any{
			"article_type": "newspic", "title": "政策图解", "content": "图解", "image_info": map[string]any{"image_list": list}}}})
	}
	if r := np(); errcode(r) != 40007 {
		t.Fatalf("newspic without images: %v", r)
	}
	if r := np("unknown"); errcode(r) != 40007 {
		t.Fatalf("newspic with unknown image: %v", r)
	}
	if r := np(cover, cover); errcode(r) != 0 || r["media_id"] == nil {
		t.Fatalf("newspic: %v", r)
	}
	// Body images: uploadimg takes jpg/png under 1 MB; other images are stripped from content.
	body, err := http.Post(f.srv.URL+"/cgi-bin/media/uploadimg?access_token="+token, "application/json", nil)
	if err == nil {
		body.Body.Close()
	}
	r := f.post("/cgi-bin/draft/add", token, map[string]any{"articles": []any{map[string]any{
		"title": "外链图片", "content": `<p>x</p><img src="https://example.com/a.jpg"><script>alert(1)</script>`, "thumb_media_id": cover}}})
	if errcode(r) != 0 || f.sb.Snapshot().WeChat["wx_err"].StrippedImages != 1 {
		t.Fatalf("external image not counted as stripped: %v", r)
	}
}

func TestPublishOutcomes(t *testing.T) {
	f := newFixture(t, Options{Seed: 6, Faults: Faults{RejectShare: 1}})
	oa := f.app("wx_pub")
	unc := f.app("wx_unc", func(a *WeChatApp) { a.Uncertified = true })
	cover, _, _ := oa.GetMaterial().AddMaterialFromReader(material.MediaTypeImage, "c.png", bytes.NewReader(pngOf(8, 8)))
	dID, _ := oa.GetDraft().AddDraft([]*draft.Article{{Title: "被拒", Content: "x", ThumbMediaID: cover}})
	token, _ := oa.GetAccessToken()
	sub := f.post("/cgi-bin/freepublish/submit", token, map[string]string{"media_id": dID})
	pid := sub["publish_id"].(string)
	f.post("/cgi-bin/freepublish/get", token, map[string]string{"publish_id": pid})
	r := f.post("/cgi-bin/freepublish/get", token, map[string]string{"publish_id": pid})
	if r["publish_status"].(float64) != 4 || len(r["fail_idx"].([]any)) != 1 {
		t.Fatalf("rejected publish: %v", r)
	}
	if len(f.sb.Snapshot().WeChat["wx_pub"].Published) != 0 {
		t.Fatal("a rejected publish went out")
	}
	ucover, _, _ := unc.GetMaterial().AddMaterialFromReader(material.MediaTypeImage, "c.png", bytes.NewReader(pngOf(8, 8)))
	uID, _ := unc.GetDraft().AddDraft([]*draft.Article{{Title: "t", Content: "x", ThumbMediaID: ucover}})
	utoken, _ := unc.GetAccessToken()
	if r := f.post("/cgi-bin/freepublish/submit", utoken, map[string]string{"media_id": uID}); errcode(r) != 48001 {
		t.Fatalf("uncertified publish: %v", r)
	}
	if r := f.post("/datacube/getbizsummary", utoken, map[string]string{"begin_date": "2026-11-01", "end_date": "2026-11-02"}); errcode(r) != 48001 {
		t.Fatalf("uncertified bizsummary: %v", r)
	}
	if r := f.post("/cgi-bin/freepublish/get", token, map[string]string{"publish_id": "123"}); errcode(r) == 0 {
		t.Fatalf("unknown publish id: %v", r)
	}
}

func TestMassSendQuotas(t *testing.T) {
	f := newFixture(t, Options{Seed: 8})
	sub := f.app("wx_sub")
	svc := f.app("wx_svc", func(a *WeChatApp) { a.Type = "service" })
	send := func(oa *officialaccount.OfficialAccount, clientID string) map[string]any {
		// A fresh client each time: the library's token cache runs on the wall
		// clock, the sandbox on the test's clock.
		cfg := oa.GetContext().Config
		oa = officialaccount.NewOfficialAccount(&oaconfig.Config{AppID: cfg.AppID, AppSecret: cfg.AppSecret, Cache: cache.NewMemory()})
		cover, _, _ := oa.GetMaterial().AddMaterialFromReader(material.MediaTypeImage, "c.png", bytes.NewReader(pngOf(8, 8)))
		d, _ := oa.GetDraft().AddDraft([]*draft.Article{{Title: "群发" + clientID, Content: "x", ThumbMediaID: cover}})
		token, _ := oa.GetAccessToken()
		return f.post("/cgi-bin/message/mass/sendall", token, map[string]any{"filter": map[string]bool{"is_to_all": true},
			"mpnews": map[string]string{"media_id": d}, "msgtype": "mpnews", "send_ignore_reprint": 0, "clientmsgid": clientID})
	}
	if r := send(sub, "d1"); errcode(r) != 0 {
		t.Fatalf("first mass send: %v", r)
	}
	if r := send(sub, "d1"); errcode(r) != 45065 {
		t.Fatalf("same clientmsgid: %v", r)
	}
	if r := send(sub, "d2"); errcode(r) != 45028 {
		t.Fatalf("second mass send today: %v", r)
	}
	f.clock.add(24 * time.Hour)
	if r := send(sub, "d3"); errcode(r) != 0 {
		t.Fatalf("next day: %v", r)
	}
	// Service accounts: 4 a month (and 1 a day). The clock is on 2026-11-23 now.
	for i := 0; i < 4; i++ {
		if r := send(svc, fmt.Sprintf("s%d", i)); errcode(r) != 0 {
			t.Fatalf("service send %d: %v", i, r)
		}
		f.clock.add(24 * time.Hour)
	}
	if r := send(svc, "s5"); errcode(r) != 45028 {
		t.Fatalf("fifth service send this month: %v", r)
	}
	if n := len(f.sb.Snapshot().WeChat["wx_svc"].MassSends); n != 4 {
		t.Fatalf("service mass sends on the platform: %d", n)
	}
}

func TestFaults(t *testing.T) {
	f := newFixture(t, Options{Seed: 9})
	oa := f.app("wx_fault")
	cover, _, _ := oa.GetMaterial().AddMaterialFromReader(material.MediaTypeImage, "c.png", bytes.NewReader(pngOf(8, 8)))
	token, _ := oa.GetAccessToken()

	// Every call transient: -1 or 45011, and no effect.
	f.sb.SetFaults(Faults{TransientRate: 1})
	seen := map[int]bool{}
	for i := 0; i < 20; i++ {
		r := f.post("/cgi-bin/draft/add", token, map[string]any{"articles": []any{map[string]any{"title": "t", "content": "x", "thumb_media_id": cover}}})
		seen[errcode(r)] = true
	}
	if !seen[-1] || !seen[45011] || seen[0] {
		t.Fatalf("transient codes seen: %v", seen)
	}
	if n := f.sb.Snapshot().WeChat["wx_fault"].Drafts; n != 0 {
		t.Fatalf("transient errors had effects: %d drafts", n)
	}
	f.sb.SetFaults(Faults{})

	// A lost answer: the publish happens, the client gets no response.
	dID, _ := oa.GetDraft().AddDraft([]*draft.Article{{Title: "答复丢失", Content: "x", ThumbMediaID: cover}})
	f.sb.LoseNext("/cgi-bin/freepublish/submit", 1)
	b, _ := json.Marshal(map[string]string{"media_id": dID})
	resp, err := http.Post(f.srv.URL+"/cgi-bin/freepublish/submit?access_token="+token, "application/json", bytes.NewReader(b))
	if err == nil {
		resp.Body.Close()
		t.Fatal("a lost answer arrived")
	}
	if pub := f.sb.Snapshot().WeChat["wx_fault"].Published; len(pub) != 1 || pub[0].Title != "答复丢失" {
		t.Fatalf("the publish whose answer was lost did not happen: %+v", pub)
	}

	// Quota exhaustion for one API.
	f.sb.ExhaustQuota("wx_fault", "/cgi-bin/freepublish/batchget")
	_, err = oa.GetFreePublish().Paginate(0, 1, true)
	wantCode(t, err, 45009)
	f.sb.RestoreQuota("wx_fault", "/cgi-bin/freepublish/batchget")
	if _, err := oa.GetFreePublish().Paginate(0, 1, true); err != nil {
		t.Fatal(err)
	}

	// Latency.
	f.sb.SetFaults(Faults{Latency: 60 * time.Millisecond})
	start := time.Now()
	f.post("/cgi-bin/freepublish/batchget", token, map[string]int{"offset": 0, "count": 1})
	if time.Since(start) < 60*time.Millisecond {
		t.Fatal("latency not applied")
	}
	// Introspection over HTTP.
	resp, err = http.Get(f.srv.URL + "/_sandbox/state")
	if err != nil {
		t.Fatal(err)
	}
	var st State
	err = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if err != nil || st.WeChat["wx_fault"].Calls["/cgi-bin/freepublish/submit"] != 1 || st.FirstCallAt.IsZero() {
		t.Fatalf("introspection: %v %+v", err, st.WeChat["wx_fault"].Calls)
	}
	// Forgetting the first call: the next API call is the first again.
	resp, err = http.Post(f.srv.URL+"/_sandbox/first_call", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !f.sb.Snapshot().FirstCallAt.IsZero() {
		t.Fatal("first call not forgotten")
	}
	before := time.Now()
	f.post("/cgi-bin/freepublish/batchget", token, map[string]int{"offset": 0, "count": 1})
	if at := f.sb.Snapshot().FirstCallAt; at.Before(before) {
		t.Fatalf("first call at %v, want the call after the reset", at)
	}
}

func TestLibraryUserList(t *testing.T) {
	f := newFixture(t, Options{Seed: 10})
	oa := f.app("wx_users", func(a *WeChatApp) { a.Followers = 12000 })
	first, err := oa.GetUser().ListUserOpenIDs()
	if err != nil {
		t.Fatal(err)
	}
	fig, _ := f.sb.Figures("wx_users", "2026-11-21")
	if first.Total != fig.Followers || first.Count != 10000 || first.NextOpenID == "" {
		t.Fatalf("first page: total %d count %d (followers %d)", first.Total, first.Count, fig.Followers)
	}
	second, err := oa.GetUser().ListUserOpenIDs(first.NextOpenID)
	if err != nil || second.Count != fig.Followers-10000 || second.Data.OpenIDs[0] == first.Data.OpenIDs[0] {
		t.Fatalf("second page: %d %v", second.Count, err)
	}
}

// Reads and posts follow what is published through the API, the same day.
func TestFiguresFollowPublishing(t *testing.T) {
	f := newFixture(t, Options{Seed: 44})
	oa := f.app("wx_follow")
	today := f.clock.now().Format("2006-01-02")
	before, _ := f.sb.Figures("wx_follow", today)
	cover, _, err := oa.GetMaterial().AddMaterialFromReader(material.MediaTypeImage, "c.png", bytes.NewReader(pngOf(8, 8)))
	if err != nil {
		t.Fatal(err)
	}
	d, err := oa.GetDraft().AddDraft([]*draft.Article{{Title: "今日发布", Content: "x", ThumbMediaID: cover}})
	if err != nil {
		t.Fatal(err)
	}
	token, _ := oa.GetAccessToken()
	sub := f.post("/cgi-bin/freepublish/submit", token, map[string]string{"media_id": d})
	f.post("/cgi-bin/freepublish/get", token, map[string]string{"publish_id": sub["publish_id"].(string)})
	f.post("/cgi-bin/freepublish/get", token, map[string]string{"publish_id": sub["publish_id"].(string)})
	after, _ := f.sb.Figures("wx_follow", today)
	if after.Posts != before.Posts+1 || after.Reads <= before.Reads {
		t.Fatalf("before %+v, after %+v: publishing did not show in the day's figures", before, after)
	}
}

// A draft freepublish consumed cannot be mass-sent (40007); a mass send
// publishes its draft's articles; both kinds can be deleted, for good.
func TestMassSendPublishesAndDeletes(t *testing.T) {
	f := newFixture(t, Options{Seed: 10})
	oa := f.app("wx_m")
	cover, _, _ := oa.GetMaterial().AddMaterialFromReader(material.MediaTypeImage, "c.png", bytes.NewReader(pngOf(8, 8)))
	token, _ := oa.GetAccessToken()
	mass := func(mediaID, cid string) map[string]any {
		return f.post("/cgi-bin/message/mass/sendall", token, map[string]any{"filter": map[string]bool{"is_to_all": true},
			"mpnews": map[string]string{"media_id": mediaID}, "msgtype": "mpnews", "send_ignore_reprint": 0, "clientmsgid": cid})
	}
	pubbed, _ := oa.GetDraft().AddDraft([]*draft.Article{{Title: "先发布", Content: "x", ThumbMediaID: cover}})
	sub := f.post("/cgi-bin/freepublish/submit", token, map[string]string{"media_id": pubbed})
	if r := mass(pubbed, "c0"); errcode(r) != 40007 {
		t.Fatalf("mass send of a draft freepublish consumed: %v", r)
	}
	fresh, _ := oa.GetDraft().AddDraft([]*draft.Article{{Title: "群发即发布", Content: "y", ThumbMediaID: cover}})
	r := mass(fresh, "c1")
	if errcode(r) != 0 {
		t.Fatalf("mass send: %v", r)
	}
	if r := f.post("/cgi-bin/freepublish/submit", token, map[string]string{"media_id": fresh}); errcode(r) != 40007 {
		t.Fatalf("freepublish of a mass-sent draft: %v", r)
	}
	st := f.sb.Snapshot().WeChat["wx_m"]
	if len(st.Published) != 2 || len(st.MassSends) != 1 {
		t.Fatalf("published %d, mass sends %d", len(st.Published), len(st.MassSends))
	}
	msgID := int64(r["msg_id"].(float64))
	if g := f.post("/cgi-bin/message/mass/get", token, map[string]int64{"msg_id": msgID}); g["msg_status"] != "SEND_SUCCESS" {
		t.Fatalf("mass/get: %v", g)
	}
	// Delete both.
	if d := f.post("/cgi-bin/message/mass/delete", token, map[string]any{"msg_id": msgID, "article_idx": 0}); errcode(d) != 0 {
		t.Fatalf("mass/delete: %v", d)
	}
	var articleID string
	for _, a := range f.sb.Snapshot().WeChat["wx_m"].Published {
		if a.MsgID == 0 {
			articleID = a.ArticleID
		}
	}
	if d := f.post("/cgi-bin/freepublish/delete", token, map[string]any{"article_id": articleID, "index": 0}); errcode(d) != 0 {
		t.Fatalf("freepublish/delete: %v", d)
	}
	for _, a := range f.sb.Snapshot().WeChat["wx_m"].Published {
		if !a.Deleted {
			t.Fatalf("not deleted: %+v", a)
		}
	}
	if g := f.post("/cgi-bin/freepublish/get", token, map[string]any{"publish_id": sub["publish_id"]}); g["publish_status"].(float64) != 5 {
		t.Fatalf("freepublish/get after delete: %v", g)
	}
	if g := f.post("/cgi-bin/message/mass/get", token, map[string]int64{"msg_id": msgID}); g["msg_status"] != "DELETE" {
		t.Fatalf("mass/get after delete: %v", g)
	}
	if d := f.post("/cgi-bin/freepublish/delete", token, map[string]any{"article_id": "nope"}); errcode(d) != 53600 {
		t.Fatalf("delete of an unknown article: %v", d)
	}
}
