package content

import (
	"strings"
	"testing"
)

// Text in a colour a reader cannot see on the white page is refused with
// one line naming it; visible colours (greys included) pass.
func TestInvisibleTextRefused(t *testing.T) {
	for _, style := range []string{"color: transparent", "color: rgba(0, 0, 0, 0)", "color: rgba(51,51,51,0.05)", "color: #fff",
		"color: #ffffff", "color: white", "color: WHITE", "color: rgb(255, 255, 255)", "color: #fefefe", "color: snow",
		"color: hsla(0, 0%, 0%, 0)", "color: hsl(0, 0%, 100%)", "color: #eee", "color: #00000000", "color: red; color: white"} {
		rev := &Revision{Title: "县政府常务会议", Body: `<p>会议研究部署冬季工作。</p><p><span style="` + style + `">看不见的文字</span></p>`,
			Images: []ImageRef{{Role: RoleCover, SHA256: "x", MIME: "image/png"}}}
		ps := Validate(KindArticle, rev, Platforms{Weibo: true})
		if len(ps) != 1 || ps[0].Field != "body" || !strings.Contains(ps[0].Message, "看不见的文字") || strings.Contains(ps[0].Message, "\n") {
			t.Errorf("%s: %v", style, ps)
		}
	}
	for _, style := range []string{"color: #333", "color: red", "color: rgb(51, 51, 51)", "color: #ccc", "color: rgba(0,0,0,0.6)",
		"color: gray", "color: inherit", "color: #c00", "font-weight: bold"} {
		rev := &Revision{Title: "县政府常务会议", Body: `<p><span style="` + style + `">看得见的文字</span></p>`,
			Images: []ImageRef{{Role: RoleCover, SHA256: "x", MIME: "image/png"}}}
		if ps := Validate(KindArticle, rev, Platforms{Weibo: true}); len(ps) != 0 {
			t.Errorf("%s refused: %v", style, ps)
		}
	}
	// White text inside a white span made visible again is fine; the
	// white part is not.
	body := `<p style="color:#fff">藏<span style="color:#000">看得见</span></p>`
	if got := invisibleText(body); got != "藏" {
		t.Errorf("nested: %q", got)
	}
	if got := invisibleText(`<p style="color:#fff"><span style="color:#000">看得见</span></p>`); got != "" {
		t.Errorf("all visible: %q", got)
	}
}

// Nothing that reorders text survives: bidi controls are refused in every
// field, bdo's reversed text is stored as shown, dir and ruby are dropped.
func TestReorderingIsNotKept(t *testing.T) {
	out := SanitizeHTML(`<p dir="rtl">不忘<bdo dir="rtl">心出</bdo>，<bdi>甲</bdi><ruby>初<rp>(</rp><rt>chū</rt><rp>)</rp></ruby></p>`)
	for _, bad := range []string{"dir=", "<bdo", "<bdi", "<ruby", "<rp", "<rt", "(", ")"} {
		if strings.Contains(out, bad) {
			t.Errorf("kept %q: %s", bad, out)
		}
	}
	if out := SanitizeHTML(`<p style="text-indent: 99em">推出页面</p>`); strings.Contains(out, "99em") {
		t.Errorf("an indent that pushes the line off the page: %s", out)
	}
	if !strings.Contains(out, "不忘出心") {
		t.Errorf("bdo's text not in shown order: %s", out)
	}
	for _, rev := range []*Revision{{Title: "不忘\u202e心出\u202c", Body: "<p>正文</p>"}, {Title: "标题", Body: "<p>不忘\u2067心出\u2069</p>"},
		{Title: "标题", Body: "<p>不忘&#x202E;心出</p>"}, {Title: "标题", Body: "<p>正文</p>", Digest: "\u202d摘要"}} {
		rev.Images = []ImageRef{{Role: RoleCover, SHA256: "x", MIME: "image/png"}}
		ps := Validate(KindArticle, rev, Platforms{Weibo: true})
		if len(ps) != 1 || !strings.Contains(ps[0].Message, "显示顺序") {
			t.Errorf("%q / %q: %v", rev.Title, rev.Body, ps)
		}
	}
}

// Broadcast fields have limits: a 12 MB finding is refused in one line.
func TestBroadcastFieldLimits(t *testing.T) {
	b := &Broadcast{Date: "2026-12-01", Unit: "青山县某超市", Result: "责令整改", Findings: strings.Repeat("过期食品", 3_000_000)}
	rev := &Revision{Title: "检查播报", Body: "<p>x</p>", Broadcast: b, Images: []ImageRef{{Role: RoleCover, SHA256: "x", MIME: "image/png"}}}
	ps := Validate(KindBroadcast, rev, Platforms{Weibo: true})
	if len(ps) != 1 || ps[0].Field != "broadcast.findings" || !strings.Contains(ps[0].Message, "超过3000字") {
		t.Fatalf("%v", ps)
	}
	b.Findings, b.Unit = "冷柜温度不达标", strings.Repeat("单位", 40)
	if ps := Validate(KindBroadcast, rev, Platforms{Weibo: true}); len(ps) != 1 || ps[0].Field != "broadcast.unit" {
		t.Fatalf("%v", ps)
	}
}
