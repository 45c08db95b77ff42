package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// weiboAnswer is a decoded Weibo answer: the body and, for errors, the code
// (error_code is sometimes a string: both are accepted here).
type weiboAnswer struct {
	status int
	body   map[string]any
	list   []map[string]any
	code   int
}

func decodeWeibo(t *testing.T, resp *http.Response) weiboAnswer {
	t.Helper()
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := weiboAnswer{status: resp.StatusCode}
	if len(b) > 0 && b[0] == '[' {
		if err := json.Unmarshal(b, &a.list); err != nil {
			t.Fatalf("weibo list: %v: %s", err, b)
		}
		return a
	}
	if err := json.Unmarshal(b, &a.body); err != nil {
		t.Fatalf("weibo body: %v: %s", err, b)
	}
	switch c := a.body["error_code"].(type) {
	case float64:
		a.code = int(c)
	case string:
		a.code, _ = strconv.Atoi(c)
	}
	return a
}

func (f *fixture) weiboUser(uid string) string {
	token := "tok-" + uid
	f.sb.AddWeiboUser(WeiboUser{UID: uid, Token: token, Name: "青山发布", SafeDomain: "www.qingshan.gov.cn", Followers: 20000,
		Expires: f.clock.now().Add(30 * 24 * time.Hour)})
	return token
}

func (f *fixture) share(token, text string) weiboAnswer {
	f.t.Helper()
	resp, err := http.PostForm(f.srv.URL+"/2/statuses/share.json", url.Values{"access_token": {token}, "status": {text}})
	if err != nil {
		f.t.Fatal(err)
	}
	return decodeWeibo(f.t, resp)
}

func (f *fixture) get(path string, q url.Values) weiboAnswer {
	f.t.Helper()
	resp, err := http.Get(f.srv.URL + path + "?" + q.Encode())
	if err != nil {
		f.t.Fatal(err)
	}
	return decodeWeibo(f.t, resp)
}

const safeURL = "https://www.qingshan.gov.cn/zwgk/1.html"

func TestWeiboShare(t *testing.T) {
	f := newFixture(t, Options{Seed: 11})
	token := f.weiboUser("7312345678")
	a := f.share(token, "青山县召开县政府常务会议 "+safeURL)
	if a.status != 200 || a.body["idstr"] == "" || a.body["id"] == nil {
		t.Fatalf("share: %+v", a)
	}
	// The same text again within 24 h: 20019.
	if a := f.share(token, "青山县召开县政府常务会议 "+safeURL); a.code != 20019 || a.status != 400 || a.body["request"] != "/2/statuses/share.json" {
		t.Fatalf("repeat: %+v", a)
	}
	// No URL on the safe domain: 10017, even with a government URL on another host.
	if a := f.share(token, "县政府常务会议 https://www.gov.cn/zhengce/1.htm"); a.code != 10017 {
		t.Fatalf("no safe URL: %+v", a)
	}
	// 140 Chinese characters counted as Weibo does: ASCII is half.
	link := " " + safeURL // 40 ASCII characters = 20
	if a := f.share(token, strings.Repeat("政", 120)+link); a.status != 200 {
		t.Fatalf("exactly 140: %+v", a)
	}
	if a := f.share(token, strings.Repeat("务", 121)+link); a.code != 20012 {
		t.Fatalf("141: %+v", a)
	}
	if a := f.share(token, strings.Repeat("公", 119)+"ab"+link); a.status != 200 {
		t.Fatalf("119 + 2 ASCII = 140: %+v", a)
	}
	if a := f.share(token, strings.Repeat("开", 119)+"abc"+link); a.code != 20012 {
		t.Fatalf("119 + 3 ASCII = 141: %+v", a)
	}
	// Tokens.
	if a := f.share("bogus", "x "+safeURL); a.code != 21332 || a.status != 401 {
		t.Fatalf("invalid token: %+v", a)
	}
	f.sb.ExpireWeiboToken("7312345678")
	if a := f.share(token, "过期 "+safeURL); a.code != 21327 || a.status != 401 || a.body["error"] != "expired_token" {
		t.Fatalf("expired token: %+v", a)
	}
	if n := len(f.sb.Snapshot().Weibo["7312345678"].Posts); n != 3 {
		t.Fatalf("posts on the platform: %d, want 3", n)
	}
}

func TestWeiboPostingLimitAndStringCodes(t *testing.T) {
	f := newFixture(t, Options{Seed: 12})
	token := f.weiboUser("100")
	for i := 0; i < 30; i++ {
		if a := f.share(token, fmt.Sprintf("第%d条 %s", i, safeURL)); a.status != 200 {
			t.Fatalf("post %d: %+v", i, a)
		}
	}
	kinds := map[string]bool{}
	for i := 0; i < 12; i++ {
		resp, err := http.PostForm(f.srv.URL+"/2/statuses/share.json", url.Values{"access_token": {token}, "status": {fmt.Sprintf("超额%d %s", i, safeURL)}})
		if err != nil {
			t.Fatal(err)
		}
		var raw map[string]any
		json.NewDecoder(resp.Body).Decode(&raw)
		resp.Body.Close()
		kinds[fmt.Sprintf("%T", raw["error_code"])] = true
		if fmt.Sprint(raw["error_code"]) != "20016" {
			t.Fatalf("31st post in an hour: %v", raw)
		}
	}
	if !kinds["string"] || !kinds["float64"] {
		t.Fatalf("error_code types seen: %v (want both number and string)", kinds)
	}
	f.clock.add(61 * time.Minute)
	if a := f.share(token, "一小时后 "+safeURL); a.status != 200 {
		t.Fatalf("after an hour: %+v", a)
	}
}

func TestWeiboPicture(t *testing.T) {
	f := newFixture(t, Options{Seed: 13})
	token := f.weiboUser("200")
	post := func(pic []byte) weiboAnswer {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("access_token", token)
		mw.WriteField("status", fmt.Sprintf("图片微博%d %s", len(pic), safeURL))
		w, _ := mw.CreateFormFile("pic", "p.png")
		w.Write(pic)
		mw.Close()
		resp, err := http.Post(f.srv.URL+"/2/statuses/share.json", mw.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		return decodeWeibo(t, resp)
	}
	if a := post(pngOf(50, 50)); a.status != 200 || a.body["original_pic"] == nil {
		t.Fatalf("picture post: %+v", a)
	}
	if a := post([]byte("BM not really a picture")); a.code != 20005 {
		t.Fatalf("bad picture: %+v", a)
	}
	big := make([]byte, 5<<20)
	copy(big, pngOf(10, 10))
	if a := post(big); a.code != 20006 {
		t.Fatalf("5 MB picture: %+v", a)
	}
	posts := f.sb.Snapshot().Weibo["200"].Posts
	if len(posts) != 1 || !posts[0].Pic {
		t.Fatalf("platform posts: %+v", posts)
	}
}

func TestWeiboCountsAndLookups(t *testing.T) {
	f := newFixture(t, Options{Seed: 14})
	var uids []string
	for i := 0; i < 101; i++ {
		uid := strconv.Itoa(9000 + i)
		f.sb.AddWeiboUser(WeiboUser{UID: uid, Token: "t" + uid, SafeDomain: "www.qingshan.gov.cn", Followers: 500 + i})
		uids = append(uids, uid)
	}
	token := "t9000"
	a := f.get("/2/users/counts.json", url.Values{"access_token": {token}, "uids": {strings.Join(uids[:100], ",")}})
	if a.status != 200 || len(a.list) != 100 || a.list[0]["followers_count"] == nil || a.list[0]["statuses_count"] == nil {
		t.Fatalf("users/counts 100: %d %d", a.status, len(a.list))
	}
	if a := f.get("/2/users/counts.json", url.Values{"access_token": {token}, "uids": {strings.Join(uids, ",")}}); a.code != 10008 {
		t.Fatalf("users/counts 101: %+v", a)
	}
	show := f.get("/2/users/show.json", url.Values{"access_token": {token}, "uid": {"9000"}})
	if show.status != 200 || show.body["followers_count"].(float64) < 400 {
		t.Fatalf("users/show: %+v", show)
	}
	// Post, then find it back through the timeline, show and count.
	p := f.share(token, "查找 "+safeURL)
	id := p.body["idstr"].(string)
	tl := f.get("/2/statuses/user_timeline.json", url.Values{"access_token": {token}, "count": {"100"}})
	statuses := tl.body["statuses"].([]any)
	if len(statuses) != 1 || statuses[0].(map[string]any)["idstr"] != id {
		t.Fatalf("timeline: %+v", tl.body)
	}
	if s := f.get("/2/statuses/show.json", url.Values{"access_token": {token}, "id": {id}}); s.body["text"] != "查找 "+safeURL {
		t.Fatalf("show: %+v", s)
	}
	f.clock.add(3 * 24 * time.Hour)
	c := f.get("/2/statuses/count.json", url.Values{"access_token": {token}, "ids": {id}})
	if len(c.list) != 1 || c.list[0]["attitudes"] == nil || c.list[0]["reposts"] == nil || c.list[0]["comments"] == nil {
		t.Fatalf("statuses/count: %+v", c)
	}
	ids := strings.Repeat(id+",", 101)
	if a := f.get("/2/statuses/count.json", url.Values{"access_token": {token}, "ids": {ids}}); a.code != 10008 {
		t.Fatalf("statuses/count 101: %+v", a)
	}
	if a := f.get("/2/statuses/count.json", url.Values{"access_token": {"nope"}, "ids": {id}}); a.code != 21332 {
		t.Fatalf("counts with bad token: %+v", a)
	}
}

func TestWeiboFaults(t *testing.T) {
	f := newFixture(t, Options{Seed: 15})
	token := f.weiboUser("300")
	f.sb.SetFaults(Faults{TransientRate: 1})
	if a := f.share(token, "限流 "+safeURL); a.code != 10023 || a.status != 403 {
		t.Fatalf("transient: %+v", a)
	}
	f.sb.SetFaults(Faults{})
	f.sb.LoseNext("/2/statuses/share.json", 1)
	if _, err := http.PostForm(f.srv.URL+"/2/statuses/share.json", url.Values{"access_token": {token}, "status": {"丢失 " + safeURL}}); err == nil {
		t.Fatal("lost answer arrived")
	}
	// The retry of a post whose answer was lost meets 20019: it did go out.
	if a := f.share(token, "丢失 "+safeURL); a.code != 20019 {
		t.Fatalf("retry after lost answer: %+v", a)
	}
	if n := len(f.sb.Snapshot().Weibo["300"].Posts); n != 1 {
		t.Fatalf("posts: %d, want exactly 1", n)
	}
}

// TestWeiboHistoryAgreesWithStatistics: with WeiboHistory the timeline
// holds as many posts as users/show counts, oldest first by day as the
// synthetic figures describe, and a new post joins them.
func TestWeiboHistoryAgreesWithStatistics(t *testing.T) {
	f := newFixture(t, Options{Seed: 3, WeiboHistory: true})
	token := f.weiboUser("7310000001")
	if a := f.share(token, "新发布 "+safeURL); a.status != 200 {
		t.Fatalf("share: %v", a.body)
	}
	show := f.get("/2/users/show.json", url.Values{"access_token": {token}, "uid": {"7310000001"}})
	count := int(show.body["statuses_count"].(float64))
	seen, pages := 0, 0
	var last string
	for page := 1; ; page++ {
		a := f.get("/2/statuses/user_timeline.json", url.Values{"access_token": {token}, "count": {"100"}, "page": {strconv.Itoa(page)}})
		list := a.body["statuses"].([]any)
		if page == 1 && !strings.HasPrefix(list[0].(map[string]any)["text"].(string), "新发布") {
			t.Fatalf("the newest post is not first: %v", list[0])
		}
		for _, s := range list {
			last = s.(map[string]any)["created_at"].(string)
		}
		seen += len(list)
		pages++
		if len(list) < 100 {
			break
		}
	}
	if count < 300 || seen != count {
		t.Fatalf("users/show counts %d posts, the timeline holds %d in %d pages (oldest %s)", count, seen, pages, last)
	}
	if oldest, err := time.Parse(time.RubyDate, last); err != nil || oldest.Year() != 2025 || oldest.Month() != 1 {
		t.Fatalf("the oldest post is from %q, want January 2025 (the statistics' first day)", last)
	}
}
