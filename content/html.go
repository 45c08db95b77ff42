package content

import (
	"bytes"
	"fmt"
	"regexp"
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
func articlePolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
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
	// cssIndent is a non-negative length such as 2em.
	cssIndent = regexp.MustCompile(`^(0|\d{1,2}(\.\d+)?(em|px|pt|%|rem|ch))$`)
)

// SanitizeHTML cleans article HTML to what WeChat accepts and a browser can
// show safely.
func SanitizeHTML(s string) string {
	return articlePolicy().Sanitize(s)
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
