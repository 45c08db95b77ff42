package content

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"
)

func TestWeiboLength(t *testing.T) {
	cases := map[string]int{"": 0, "a": 1, "ab": 1, "abc": 2, "中": 1, "中a": 2, "中ab": 2, "政务公开": 4, "https://x.cn": 6}
	for s, want := range cases {
		if got := WeiboLength(s); got != want {
			t.Errorf("WeiboLength(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestTrimWeibo(t *testing.T) {
	s := strings.Repeat("政", 150)
	got := TrimWeibo(s, 140)
	if WeiboLength(got) > 140 || !strings.HasSuffix(got, "…") {
		t.Fatalf("len %d: %q", WeiboLength(got), got)
	}
	mixed := strings.Repeat("政a", 100) // 150 Weibo characters
	got = TrimWeibo(mixed, 140)
	if n := WeiboLength(got); n > 140 || n < 138 {
		t.Fatalf("mixed trimmed to %d", n)
	}
	if short := "县政府常务会议"; TrimWeibo(short, 140) != short {
		t.Fatal("short text changed")
	}
}

func TestValidateMessagesForClerks(t *testing.T) {
	r := &Revision{Title: strings.Repeat("县", 41), Body: "<p>正文</p>"}
	ps := Validate(KindArticle, r, Platforms{WeChat: true})
	if !strings.Contains(ps.Error(), "标题超过32字：当前41字") {
		t.Errorf("got %q", ps.Error())
	}
	if !strings.Contains(ps.Error(), "缺少封面图") {
		t.Errorf("missing cover not reported: %q", ps.Error())
	}
	// The same title is fine for a Weibo-only article.
	r.Images = []ImageRef{{SHA256: "x", Role: RoleCover, MIME: "image/png", Size: 100}}
	if ps := Validate(KindArticle, r, Platforms{Weibo: true}); len(ps) != 0 {
		t.Errorf("weibo-only: %v", ps)
	}
	g := &Revision{Title: "图解", Images: []ImageRef{{SHA256: "x", Role: RoleCover, MIME: "image/png", Size: 100}}}
	if ps := Validate(KindGraphic, g, Platforms{WeChat: true}); !strings.Contains(ps.Error(), "政策原文") {
		t.Errorf("graphic without policy URL: %v", ps)
	}
	for i := 0; i < 21; i++ {
		g.Images = append(g.Images, ImageRef{SHA256: "y", Role: RoleImage, MIME: "image/png", Size: 1})
	}
	g.SourceURL = "https://www.gov.cn/zhengce/1.htm"
	if ps := Validate(KindGraphic, g, Platforms{WeChat: true}); !strings.Contains(ps.Error(), "最多20张") {
		t.Errorf("graphic with 22 images: %v", ps)
	}
	body := &Revision{Title: "t", Body: "<p>x</p>", Images: []ImageRef{
		{SHA256: "c", Role: RoleCover, MIME: "image/jpeg", Size: 100},
		{SHA256: "b", Role: RoleBody, Ref: "photos/big.png", MIME: "image/png", Size: 2 << 20}}}
	if ps := Validate(KindArticle, body, Platforms{WeChat: true}); !strings.Contains(ps.Error(), "photos/big.png") {
		t.Errorf("body image over 1MB: %v", ps)
	}
	short := &Revision{Body: strings.Repeat("政", 141)}
	if ps := Validate(KindShort, short, Platforms{Weibo: true}); !strings.Contains(ps.Error(), "141") {
		t.Errorf("short over 140: %v", ps)
	}
	bc := &Revision{Title: "检查播报", Broadcast: &Broadcast{Date: "2026-11-20"}, Images: []ImageRef{{SHA256: "c", Role: RoleCover, MIME: "image/jpeg", Size: 9}}}
	if ps := Validate(KindBroadcast, bc, Platforms{WeChat: true}); !strings.Contains(ps.Error(), "被检查单位") {
		t.Errorf("broadcast without unit: %v", ps)
	}
}

func TestSniffImageUsesBytesNotName(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 30, 20))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	info, err := SniffImage(buf.Bytes())
	if err != nil || info.MIME != "image/png" || info.Width != 30 || info.Height != 20 {
		t.Fatalf("%+v %v", info, err)
	}
	if _, err := SniffImage([]byte("<html>not an image</html>")); err == nil || !strings.Contains(err.Error(), "格式不支持") {
		t.Fatalf("html accepted as image: %v", err)
	}
	if _, err := SniffImage(buf.Bytes()[:20]); err == nil {
		t.Fatal("truncated png accepted")
	}
}

func TestParseWhenAndTargets(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	at, now, err := ParseWhen("2026-11-23 09:00", loc)
	if err != nil || now || at.UTC().Format(time.RFC3339) != "2026-11-23T01:00:00Z" {
		t.Fatalf("%v %v %v", at, now, err)
	}
	if _, now, _ := ParseWhen("now", loc); !now {
		t.Fatal("now")
	}
	if _, _, err := ParseWhen("tomorrow", loc); err == nil {
		t.Fatal("tomorrow accepted")
	}
	tg, err := ParseTargets("a, b,a")
	if err != nil || len(tg.IDs) != 2 || tg.String() != "a,b" {
		t.Fatalf("%+v %v", tg, err)
	}
	if tg, _ := ParseTargets("group:county"); tg.Group != "county" {
		t.Fatal("group")
	}
	if _, err := ParseTargets(""); err == nil {
		t.Fatal("empty accepted")
	}
}

func TestHTMLImagesAndSanitize(t *testing.T) {
	in := `<p onclick="x()">县<script>alert(1)</script><img src="photos/1.jpg"><img src="https://e.com/a.png"></p>`
	clean := SanitizeHTML(in)
	if strings.Contains(clean, "script") || strings.Contains(clean, "onclick") {
		t.Fatalf("not sanitized: %s", clean)
	}
	srcs, err := ImageSources(clean)
	if err != nil || len(srcs) != 2 || srcs[0] != "photos/1.jpg" || !IsRemoteURL(srcs[1]) {
		t.Fatalf("%v %v", srcs, err)
	}
	out, err := RewriteImageSources(clean, func(s string) string { return ImageSrcPrefix + "abc" })
	if err != nil || strings.Count(out, ImageSrcPrefix+"abc") != 2 {
		t.Fatalf("%s %v", out, err)
	}
}
