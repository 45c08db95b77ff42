package content

import (
	"fmt"
	"html"
	"strings"
)

// BroadcastTitle is the default title of an inspection broadcast.
func BroadcastTitle(b *Broadcast) string {
	return "检查播报｜" + b.Unit
}

// RenderBroadcastHTML renders an inspection broadcast's fields to article
// HTML in a fixed, readable layout, with its photos (already platform URLs
// or herald-image: references) inline after the findings.
func RenderBroadcastHTML(b *Broadcast, department string, photoSrcs []string) string {
	var s strings.Builder
	row := func(label, value string) {
		if strings.TrimSpace(value) == "" {
			return
		}
		fmt.Fprintf(&s, `<p style="margin:0 0 8px;line-height:1.75;"><strong style="color:#b71c1c;">%s：</strong>%s</p>`,
			html.EscapeString(label), html.EscapeString(value))
	}
	s.WriteString(`<section style="padding:12px 16px;border-left:4px solid #b71c1c;background-color:#fff5f5;margin-bottom:16px;">`)
	row("检查日期", b.Date)
	row("被检查单位", b.Unit)
	row("地址", b.Address)
	row("检查结果", b.Result)
	if department != "" {
		row("检查部门", department)
	}
	s.WriteString(`</section>`)
	if strings.TrimSpace(b.Findings) != "" {
		s.WriteString(`<p style="margin:0 0 8px;font-weight:bold;">检查情况</p>`)
		for _, para := range strings.Split(b.Findings, "\n") {
			if para = strings.TrimSpace(para); para != "" {
				fmt.Fprintf(&s, `<p style="margin:0 0 8px;line-height:1.75;text-indent:2em;">%s</p>`, html.EscapeString(para))
			}
		}
	}
	for _, src := range photoSrcs {
		fmt.Fprintf(&s, `<p style="margin:8px 0;"><img src="%s" style="max-width:100%%;"/></p>`, html.EscapeString(src))
	}
	return s.String()
}

// BroadcastShortText renders an inspection broadcast as one short text for
// Weibo: 【检查播报】date, unit, result, and as much of the findings as fits.
func BroadcastShortText(b *Broadcast, budget int) string {
	head := fmt.Sprintf("【检查播报】%s，对%s开展检查，结果：%s。", b.Date, b.Unit, b.Result)
	findings := strings.Join(strings.Fields(b.Findings), " ")
	if findings == "" {
		return TrimWeibo(head, budget)
	}
	return TrimWeibo(head+findings, budget)
}

// TrimWeibo shortens s to at most budget Weibo characters (see WeiboLength),
// ending with "…" when anything was cut.
func TrimWeibo(s string, budget int) string {
	if WeiboLength(s) <= budget {
		return s
	}
	half, limit := 0, 2*budget-2 // keep room for the ellipsis (a full-width character)
	var b strings.Builder
	for _, r := range s {
		w := 2
		if r < 0x80 {
			w = 1
		}
		if half+w > limit {
			break
		}
		half += w
		b.WriteRune(r)
	}
	return strings.TrimRight(b.String(), " ，,、") + "…"
}
