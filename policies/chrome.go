package policies

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Page furniture is recognised by class and id names. A name counts only
// when a furniture word is the whole class token ("footer", "page") or, for
// the words that never name content ("breadcrumb", "pagination", "sidebar"),
// one whole part of a token split at - and _ ("left-side", "nav_list").
// Wrappers that merely contain such a word — page_type, moe-page-set,
// bg-bottom, margin-top-15, fn-left, page_bg — are not furniture: real
// sites wrap whole documents in them.

// chromeTokens are furniture only as a whole class token or id. "left" and
// "right" are not among them: templates name the main column either way.
var chromeTokens = map[string]bool{
	"nav": true, "navbar": true, "navigation": true, "menu": true, "header": true, "head": true, "top": true,
	"footer": true, "foot": true, "bottom": true, "page": true, "pages": true, "pager": true, "paging": true,
	"pagination": true, "pagenav": true, "breadcrumb": true, "breadcrumbs": true, "crumb": true, "crumbs": true,
	"position": true, "location": true, "dqwz": true, "weizhi": true, "sidebar": true, "side": true,
	"share": true, "friend": true, "links": true, "friendlink": true, "copyright": true,
	"banner": true, "search": true, "tool": true, "tools": true, "toolbar": true, "bdsharebuttonbox": true,
}

// chromeParts are furniture as any part of a token split at - and _.
var chromeParts = map[string]bool{
	"nav": true, "navbar": true, "menu": true, "header": true, "footer": true, "breadcrumb": true, "breadcrumbs": true,
	"crumb": true, "crumbs": true, "pager": true, "pagination": true, "pagenav": true, "sidebar": true, "side": true,
	"share": true, "copyright": true, "friendlink": true, "friendlinks": true, "dqwz": true, "toolbar": true,
	"bdshare": true,
}

// notChrome are words of class and id names of the content itself, which
// may share a word with the furniture (pages_content, article-header,
// list-left).
var notChrome = []string{"content", "article", "detail", "zoom", "text", "list", "main", "body", "editor", "info", "xxgk", "zw", "wenzhang"}

func contentName(tok string) bool {
	for _, w := range notChrome {
		if strings.Contains(tok, w) {
			return true
		}
	}
	return false
}

// isChrome reports whether n is navigation, header, footer, pager, side
// column or the like, by its class names and id. <html> and <body> are never
// furniture, whatever their names.
func isChrome(n *html.Node) bool {
	if n.Type != html.ElementNode || n.DataAtom == atom.Body || n.DataAtom == atom.Html {
		return false
	}
	for _, tok := range append(strings.Fields(attr(n, "class")), attr(n, "id")) {
		t := strings.ToLower(tok)
		if t == "" || contentName(t) {
			continue
		}
		if chromeTokens[strings.TrimRight(t, "0123456789")] {
			return true
		}
		for _, part := range strings.FieldsFunc(t, func(r rune) bool { return r == '-' || r == '_' }) {
			if chromeParts[strings.TrimRight(part, "0123456789")] {
				return true
			}
		}
	}
	return false
}

// chromeLine matches a line of page furniture that content systems leave
// inside or after the text: the QR-code prompt, print and close buttons,
// font-size switches, share prompts.
var chromeLine = regexp.MustCompile(`扫一扫在手机打开当前页|扫一扫在手机上打开当前页|在手机上查看|打印本页|打印此页|打印页面|打印文章|关闭窗口|关闭本页|打印|关闭|收藏本页|收藏|返回顶部|返回|分享到[:：]?|字号[:：]?\s*[大中小]\s*[大中小]?\s*[大中小]?|字体[:：]?\s*大\s*中\s*小|[大中小]\s*[大中小]\s*[大中小]|上一篇[:：]?|下一篇[:：]?|微信|微博|QQ空间|[【】\[\]|｜/　\s·•]`)

// isChromeLine reports whether a line of text is nothing but furniture.
func isChromeLine(l string) bool {
	return strings.TrimSpace(chromeLine.ReplaceAllString(l, "")) == ""
}

// trimChromeLines drops furniture lines at both ends of the text.
func trimChromeLines(lines []string) []string {
	for len(lines) > 0 && isChromeLine(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	for len(lines) > 0 && isChromeLine(lines[0]) {
		lines = lines[1:]
	}
	return lines
}
