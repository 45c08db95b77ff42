package content

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ImageSrcPrefix marks an image in stored article HTML that herald holds:
// src="herald-image:<sha256>". Channels replace it with the platform's own
// URL; the console with its media URL.
const ImageSrcPrefix = "herald-image:"

// articlePolicy is what article HTML may contain: the formatting WeChat
// articles need, no scripts, no frames, no event handlers. Inline styles are
// limited to text alignment, colour, weight, slant, underline and a
// non-negative first-line indent: nothing that moves, sizes, floats or
// paints boxes, so a body cannot draw a fake title or state over the page a
// reviewer signs on.
//
// Nothing that reorders text is kept either — no dir attribute, no bdo, bdi
// or ruby (an <rp>'s fallback text is dropped with it) — so the text the
// wording check reads is the order a reader sees; text inside an
// <bdo dir="rtl"> is put in the order it was shown (see unreorder).
func articlePolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowAttrs("title").Globally()
	p.AllowStandardURLs()
	p.AllowElements("article", "aside", "details", "summary", "hgroup", "h1", "h2", "h3", "h4", "h5", "h6",
		"br", "div", "hr", "p", "wbr", "blockquote", "q", "time", "del", "ins",
		"abbr", "acronym", "cite", "code", "dfn", "em", "mark", "s", "samp", "strong", "sub", "sup", "var",
		"b", "i", "pre", "small", "strike", "tt", "u")
	p.AllowAttrs("href").OnElements("a")
	p.AllowLists()
	p.AllowTables()
	p.AllowImages()
	p.SkipElementsContent("rp")
	p.AllowAttrs("style").Globally()
	p.AllowStyles("text-align").MatchingEnum("left", "right", "center", "justify", "start", "end").Globally()
	p.AllowStyles("color").Matching(cssColor).Globally()
	p.AllowStyles("font-weight").MatchingEnum("normal", "bold", "bolder", "lighter", "100", "200", "300", "400", "500", "600", "700", "800", "900").Globally()
	p.AllowStyles("font-style").MatchingEnum("normal", "italic", "oblique").Globally()
	p.AllowStyles("text-decoration").MatchingEnum("none", "underline", "line-through").Globally()
	p.AllowStyles("text-indent").Matching(cssIndent).Globally()
	// a form's grid lines (Word tables keep their borders)
	p.AllowStyles("border").Matching(cssBorder).OnElements("table", "td", "th")
	p.AllowStyles("border-collapse").MatchingEnum("collapse", "separate").OnElements("table")
	p.AllowElements("section", "span", "figure", "figcaption")
	p.AllowURLSchemes("http", "https", "mailto", "tel")
	return p
}

var (
	// cssColor is a named colour, #rgb/#rrggbb or rgb()/rgba() of numbers.
	cssColor = regexp.MustCompile(`^(?i)(#[0-9a-f]{3}|#[0-9a-f]{6}|[a-z]{3,20}|rgba?\(\s*\d{1,3}%?\s*,\s*\d{1,3}%?\s*,\s*\d{1,3}%?\s*(,\s*(0|1|0?\.\d+)\s*)?\))$`)
	// cssBorder is a thin line: none, or a width up to 3px, a line style
	// and an optional colour (1px solid #000).
	cssBorder = regexp.MustCompile(`^(?i)(none|0|(thin|medium|[0-3](\.\d+)?px)\s+(solid|dashed|dotted|double)(\s+(#[0-9a-f]{3}|#[0-9a-f]{6}|[a-z]{3,20}))?)$`)
	// cssIndent is a non-negative length such as 2em, small enough that the
	// line stays on the page (under 10em, under 100px).
	cssIndent = regexp.MustCompile(`^(0|\d(\.\d+)?(em|rem|ch)|\d{1,2}(\.\d+)?(px|pt|%))$`)
)

// SanitizeHTML cleans article HTML to what WeChat accepts and a browser can
// show safely.
func SanitizeHTML(s string) string {
	return articlePolicy().Sanitize(unreorder(s))
}

// unreorder rewrites the text of each <bdo dir="rtl"> (which a browser
// shows in reverse) in the order it is shown, before the sanitizer drops
// the element.
func unreorder(s string) string {
	if !strings.Contains(strings.ToLower(s), "<bdo") {
		return s
	}
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		return s
	}
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Bdo {
			for _, a := range n.Attr {
				if a.Key == "dir" && strings.EqualFold(strings.TrimSpace(a.Val), "rtl") {
					text := []rune(nodeText(n))
					slices.Reverse(text)
					for n.FirstChild != nil {
						n.RemoveChild(n.FirstChild)
					}
					n.AppendChild(&html.Node{Type: html.TextNode, Data: string(text)})
					return
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	var out bytes.Buffer
	for _, n := range nodes {
		visit(n)
		if err := html.Render(&out, n); err != nil {
			return s
		}
	}
	return out.String()
}

// nodeText is the text under n, in document order.
func nodeText(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(nodeText(c))
	}
	return b.String()
}

// ImageSources returns the src of every <img> in an HTML fragment, in order.
func ImageSources(fragment string) ([]string, error) {
	var srcs []string
	err := walkImages(fragment, func(src string) string { srcs = append(srcs, src); return src }, nil)
	return srcs, err
}

// RewriteImageSources replaces each <img> src by what replace returns and
// renders the fragment again.
func RewriteImageSources(fragment string, replace func(src string) string) (string, error) {
	var out bytes.Buffer
	err := walkImages(fragment, replace, &out)
	return out.String(), err
}

func walkImages(fragment string, replace func(string) string, out *bytes.Buffer) error {
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(fragment), ctx)
	if err != nil {
		return fmt.Errorf("正文 HTML 无法解析：%w", err)
	}
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Img {
			for i, a := range n.Attr {
				if a.Key == "src" {
					n.Attr[i].Val = replace(a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	for _, n := range nodes {
		visit(n)
		if out != nil {
			if err := html.Render(out, n); err != nil {
				return fmt.Errorf("render HTML: %w", err)
			}
		}
	}
	return nil
}

// IsRemoteURL reports whether src names an http(s) or protocol-relative URL.
func IsRemoteURL(src string) bool {
	l := strings.ToLower(strings.TrimSpace(src))
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "//")
}

// PlainText returns the text of an HTML fragment with tags removed and
// white space folded, e.g. to build a digest. Blocks (paragraphs, headings,
// list items, cells, line breaks) are separated by a space; inline markup
// (<strong>, <span>) adds none, so Chinese text stays unbroken.
func PlainText(fragment string) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	var b strings.Builder
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if !inlineElements[atom.Lookup(name)] {
				b.WriteByte(' ')
			}
		}
	}
}

// inlineElements run on inside a line of text.
var inlineElements = map[atom.Atom]bool{atom.Strong: true, atom.B: true, atom.Em: true, atom.I: true, atom.U: true,
	atom.Span: true, atom.A: true, atom.Sup: true, atom.Sub: true, atom.Small: true, atom.Font: true, atom.Mark: true,
	atom.Code: true, atom.S: true, atom.Strike: true, atom.Abbr: true, atom.Cite: true, atom.Q: true}
