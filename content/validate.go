package content

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Platform limits (../shared/platforms.md).
const (
	WeChatTitleMax     = 32
	WeChatAuthorMax    = 16
	WeChatDigestMax    = 128
	WeChatContentMax   = 20000   // characters, exclusive
	WeChatContentBytes = 1 << 20 // bytes, exclusive
	WeChatSourceURLMax = 1024    // bytes
	WeChatNewspicMax   = 20      // images in a newspic (policy graphic)
	WeiboTextMax       = 140     // Weibo characters (ASCII counts half)
)

// Inspection broadcast field limits, in characters.
const (
	BroadcastUnitMax     = 60
	BroadcastAddressMax  = 120
	BroadcastResultMax   = 60
	BroadcastFindingsMax = 3000
)

// Problem is one reason a revision cannot go out as it is.
type Problem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (p Problem) Error() string { return p.Message }

// Problems is a list of Problem; as an error it reads as the first.
type Problems []Problem

func (ps Problems) Error() string {
	if len(ps) == 0 {
		return "no problems"
	}
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, "；")
}

// Err returns ps as an error, or nil when empty.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// Platforms names which platforms an item targets.
type Platforms struct{ WeChat, Weibo bool }

// WeiboLength counts text the way Weibo does: a Chinese (or any non-ASCII)
// character is 1, an ASCII character is half, rounded up.
func WeiboLength(s string) int {
	half := 0
	for _, r := range s {
		if r < utf8.RuneSelf {
			half++
		} else {
			half += 2
		}
	}
	return (half + 1) / 2
}

// Validate checks a revision of the given kind against the limits of the
// platforms it targets. Messages are for a clerk, in Chinese.
func Validate(kind Kind, r *Revision, to Platforms) Problems {
	var ps Problems
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{field, fmt.Sprintf(format, args...)})
	}
	title := strings.TrimSpace(r.Title)
	if title == "" && kind != KindShort {
		add("title", "缺少标题")
	}
	if to.WeChat {
		if n := utf8.RuneCountInString(title); n > WeChatTitleMax {
			add("title", "标题超过%d字：当前%d字", WeChatTitleMax, n)
		}
		if n := utf8.RuneCountInString(r.Author); n > WeChatAuthorMax {
			add("author", "作者超过%d字：当前%d字", WeChatAuthorMax, n)
		}
		if n := utf8.RuneCountInString(r.Digest); n > WeChatDigestMax {
			add("digest", "摘要超过%d字：当前%d字", WeChatDigestMax, n)
		}
		if n := utf8.RuneCountInString(r.Body); n >= WeChatContentMax {
			add("body", "正文超过微信上限（少于%d字）：当前%d字", WeChatContentMax, n)
		} else if len(r.Body) >= WeChatContentBytes {
			add("body", "正文超过微信上限（小于1MB）：当前%.1fMB", float64(len(r.Body))/(1<<20))
		}
		if len(r.SourceURL) > WeChatSourceURLMax {
			add("source_url", "原文链接超过1KB：当前%d字节", len(r.SourceURL))
		}
	}
	if r.SourceURL != "" {
		if u, err := url.Parse(r.SourceURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("source_url", "原文链接不是有效的 http(s) 网址：%s", r.SourceURL)
		}
	}
	cover, hasCover := r.Cover()
	pictures := r.ImagesByRole(RoleCover, RoleImage)
	switch kind {
	case KindArticle, KindBroadcast:
		if to.WeChat && !hasCover {
			add("images", "缺少封面图：微信图文必须有封面")
		}
		if strings.TrimSpace(PlainText(r.Body)) == "" && len(r.ImagesByRole(RoleBody)) == 0 && kind == KindArticle {
			add("body", "正文为空")
		}
	case KindGraphic:
		if len(pictures) == 0 {
			add("images", "政策图解至少需要一张图片")
		}
		if len(pictures) > WeChatNewspicMax {
			add("images", "政策图解最多%d张图片：当前%d张", WeChatNewspicMax, len(pictures))
		}
		if r.SourceURL == "" {
			add("source_url", "政策图解须链接所解读的政策原文")
		}
	case KindShort:
		text := strings.TrimSpace(r.Body)
		if text == "" {
			text = title
		}
		if text == "" {
			add("body", "短讯内容为空")
		}
		if to.Weibo {
			if n := WeiboLength(text); n > WeiboTextMax {
				add("body", "短讯超过微博%d字上限：当前%d字（英文和数字按半字计）", WeiboTextMax, n)
			}
		}
		if to.WeChat && len(pictures) == 0 {
			add("images", "短讯发往微信公众号须至少一张图片（以图片消息发布）")
		}
		if len(pictures) > WeChatNewspicMax {
			add("images", "短讯最多%d张图片：当前%d张", WeChatNewspicMax, len(pictures))
		}
	}
	if kind == KindBroadcast {
		b := r.Broadcast
		if b == nil || strings.TrimSpace(b.Unit) == "" {
			add("broadcast.unit", "检查播报缺少被检查单位")
		}
		if b == nil || strings.TrimSpace(b.Result) == "" {
			add("broadcast.result", "检查播报缺少检查结果")
		}
		if b == nil || b.Date == "" {
			add("broadcast.date", "检查播报缺少检查日期")
		}
		if b != nil {
			for _, f := range []struct {
				field, label, text string
				max                int
			}{{"broadcast.date", "检查日期", b.Date, 20}, {"broadcast.unit", "被检查单位", b.Unit, BroadcastUnitMax},
				{"broadcast.address", "地址", b.Address, BroadcastAddressMax}, {"broadcast.result", "检查结果", b.Result, BroadcastResultMax},
				{"broadcast.findings", "检查情况", b.Findings, BroadcastFindingsMax}} {
				if n := utf8.RuneCountInString(f.text); n > f.max {
					add(f.field, "检查播报的%s超过%d字：当前%d字", f.label, f.max, n)
				}
			}
		}
	}
	ps = append(ps, visibility(kind, r)...)
	for i, im := range r.Images {
		name := imageName(im, i)
		switch {
		case im.Role == RoleBody && to.WeChat:
			if im.MIME != "image/jpeg" && im.MIME != "image/png" {
				add("images", "正文图片%s须为 JPG 或 PNG（微信正文图片要求）：当前为 %s", name, im.MIME)
			}
			if im.Size >= WeChatBodyImgMax {
				add("images", "正文图片%s超过1MB（微信正文图片上限）：当前%.1fMB", name, mb(im.Size))
			}
		case im.Role != RoleBody && to.WeChat && im.Size > WeChatMaterialMax:
			add("images", "图片%s超过10MB（微信图片上限）：当前%.1fMB", name, mb(im.Size))
		}
	}
	if to.Weibo {
		first := cover
		if !hasCover && len(pictures) > 0 {
			first = pictures[0]
		}
		if first.SHA256 != "" && first.Size >= WeiboPicMax {
			add("images", "首图超过5MB（微博配图上限）：当前%.1fMB", mb(first.Size))
		}
	}
	return ps
}

func imageName(im ImageRef, i int) string {
	if im.Ref != "" {
		return " " + im.Ref + " "
	}
	return fmt.Sprintf("第%d张", i+1)
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }
