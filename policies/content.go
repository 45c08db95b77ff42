package policies

import (
	"net/url"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// content is where a document page keeps the document: the nodes holding
// its text (one container element, or the siblings between the hanweb
// ZJEG_RSS markers), and how it was found.
type content struct {
	nodes []*html.Node
	known bool // a content system's own container, not a guess by score
}

// contains reports whether n is inside the content.
func (c *content) contains(n *html.Node) bool {
	for _, top := range c.nodes {
		for p := n; p != nil; p = p.Parent {
			if p == top {
				return true
			}
		}
	}
	return false
}

// knownContainers are the document containers of the big content systems,
// most specific first: TRS/拓尔思 (#zoom, .TRS_Editor, .TRS_UEDITOR),
// UCAP/开普云 and gov.cn (#UCAP-CONTENT, .pages_content), hanweb/大汉
// (#zoom, #ivs_content, .article_content, .detailContent; the ZJEG_RSS
// comment markers are read first).
var knownContainers = []struct{ id, class string }{
	{id: "UCAP-CONTENT"},
	{id: "ivs_content"},
	{class: "TRS_Editor"},
	{class: "TRS_UEDITOR"},
	{id: "zoom"},
	{id: "Zoom"},
	{class: "pages_content"},
	{class: "detailContent"},
	{class: "article_content"},
	{class: "article-content"},
	{id: "content"},
}

// findContent locates the document: the hanweb ZJEG_RSS markers, then the
// content systems' containers (the one of them with the most text), then
// the element with the most text in its own paragraphs.
func findContent(root *html.Node) *content {
	if nodes := zjegNodes(root); len(nodes) > 0 {
		return &content{nodes: nodes, known: true}
	}
	var empty *html.Node
	for _, k := range knownContainers {
		var best *html.Node
		bestLen := -1
		walkElements(root, func(n *html.Node) bool {
			if (k.id != "" && attr(n, "id") == k.id) || (k.class != "" && hasClass(n, k.class)) {
				if l := utf8.RuneCountInString(strings.TrimSpace(textOf(n))); l > bestLen {
					best, bestLen = n, l
				}
				return false
			}
			return true
		})
		if best != nil && (bestLen > 0 || hasMedia(best)) {
			return &content{nodes: []*html.Node{best}, known: true}
		}
		if best != nil && empty == nil {
			empty = best
		}
	}
	// An empty container: the document is an attached file listed below
	// it, or the template's container is unused and the text is elsewhere.
	if empty != nil {
		return &content{nodes: []*html.Node{empty}, known: true}
	}
	if n := scoredBody(root); n != nil {
		return &content{nodes: []*html.Node{n}}
	}
	return nil
}

// zjegNodes are the siblings between <!--ZJEG_RSS.content.begin--> and
// <!--ZJEG_RSS.content.end-->, the markers hanweb pages put around the text.
func zjegNodes(root *html.Node) []*html.Node {
	var begin *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if begin != nil {
			return
		}
		if n.Type == html.CommentNode && strings.Contains(n.Data, "ZJEG_RSS.content.begin") {
			begin = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(root)
	if begin == nil {
		return nil
	}
	var nodes []*html.Node
	for s := begin.NextSibling; s != nil; s = s.NextSibling {
		if s.Type == html.CommentNode && strings.Contains(s.Data, "ZJEG_RSS.content.end") {
			return nodes
		}
		nodes = append(nodes, s)
	}
	// No end marker among the siblings: the parser moved it; take the parent.
	if begin.Parent != nil && begin.Parent.Type == html.ElementNode && begin.Parent.DataAtom != atom.Body {
		return []*html.Node{begin.Parent}
	}
	return nil
}

// walkElements calls f for each element below n in document order; f
// answers whether to descend into it. Script and style are skipped.
func walkElements(n *html.Node, f func(*html.Node) bool) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if c.DataAtom == atom.Script || c.DataAtom == atom.Style {
			continue
		}
		if f(c) {
			walkElements(c, f)
		}
	}
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if strings.EqualFold(c, class) {
			return true
		}
	}
	return false
}

// hasMedia reports whether n holds a picture or a link to an attachment.
func hasMedia(n *html.Node) bool {
	found := false
	walkElements(n, func(c *html.Node) bool {
		if c.DataAtom == atom.Img || (c.DataAtom == atom.A && attachment.MatchString(hrefPath(attr(c, "href")))) {
			found = true
		}
		return !found
	})
	return found
}

// contentHints are ids and classes sites give the document text.
var contentHints = regexp.MustCompile(`(?i)(zoom|trs_editor|trs_paper|custom_unionstyle|article|content|detail|wenzhang|zw|view|text|main_?txt|con)`)

// scoredBody is the element with the most text in its own paragraphs,
// preferring the usual content ids; furniture is skipped.
func scoredBody(root *html.Node) *html.Node {
	var best *html.Node
	bestScore := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type != html.ElementNode && n.Type != html.DocumentNode {
			return
		}
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Nav, atom.Header, atom.Footer, atom.Head, atom.Aside:
				return
			}
			if isChrome(n) {
				return
			}
		}
		if n.DataAtom == atom.Div || n.DataAtom == atom.Td || n.DataAtom == atom.Article || n.DataAtom == atom.Section || n.DataAtom == atom.Body {
			score := 0
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && (c.DataAtom == atom.P || c.DataAtom == atom.Div || c.DataAtom == atom.Font || c.DataAtom == atom.Span) {
					if c.DataAtom == atom.Div && hasBlockChild(c) {
						continue
					}
					score += utf8.RuneCountInString(clean(textOf(c)))
				} else if c.Type == html.TextNode {
					score += utf8.RuneCountInString(strings.TrimSpace(c.Data))
				}
			}
			if contentHints.MatchString(attr(n, "class")) || contentHints.MatchString(attr(n, "id")) {
				score = score * 3 / 2
			}
			if score > bestScore {
				best, bestScore = n, score
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return best
}

func hasBlockChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (c.DataAtom == atom.Div || c.DataAtom == atom.P || c.DataAtom == atom.Table) {
			return true
		}
	}
	return false
}

// text is the content's text, one line per block, furniture inside it
// (share bars, QR-code prompts, print and close buttons) left out.
func (c *content) text() string {
	var lines []string
	var cur strings.Builder
	flush := func() {
		if t := clean(cur.String()); t != "" {
			lines = append(lines, t)
		}
		cur.Reset()
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			cur.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Canvas, atom.Button, atom.Select, atom.Noscript:
				return
			case atom.Br:
				flush()
				return
			}
			if isChrome(n) {
				return
			}
		}
		block := n.Type == html.ElementNode && (n.DataAtom == atom.P || n.DataAtom == atom.Div || n.DataAtom == atom.Li || n.DataAtom == atom.Tr ||
			n.DataAtom == atom.H1 || n.DataAtom == atom.H2 || n.DataAtom == atom.H3 || n.DataAtom == atom.H4 || n.DataAtom == atom.Table)
		if block {
			flush()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			flush()
		}
	}
	for _, n := range c.nodes {
		walk(n)
		flush()
	}
	return strings.Join(trimChromeLines(lines), "\n")
}

// media lists the content's pictures and the page's attachment links (by
// their names), for a document whose content is a picture or a file.
// Attachments are looked for in the whole page outside its furniture:
// content systems list them below the container.
func (c *content) media(root *html.Node) (pictures, files []string) {
	for _, n := range c.nodes {
		if n.Type == html.ElementNode && n.DataAtom == atom.Img {
			pictures = append(pictures, pictureName(n))
		}
		walkElements(n, func(e *html.Node) bool {
			if e.DataAtom == atom.Img {
				pictures = append(pictures, pictureName(e))
			}
			return true
		})
	}
	seen := map[string]bool{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		walkElements(n, func(e *html.Node) bool {
			if isChrome(e) || e.DataAtom == atom.Nav || e.DataAtom == atom.Header || e.DataAtom == atom.Footer {
				return false
			}
			if e.DataAtom == atom.A {
				p := hrefPath(attr(e, "href"))
				if attachment.MatchString(p) && !picture.MatchString(p) {
					name := fileName(e, p)
					if !seen[name] {
						seen[name] = true
						files = append(files, name)
					}
				}
				return false
			}
			return true
		})
	}
	walk(root)
	return pictures, files
}

var picture = regexp.MustCompile(`(?i)\.(jpe?g|png|gif|bmp|webp)$`)

// pictureName is a picture's alt text, else its file name.
func pictureName(n *html.Node) string {
	if a := clean(firstOf(attr(n, "alt"), attr(n, "title"))); a != "" {
		return a
	}
	return path.Base(hrefPath(firstOf(attr(n, "src"), attr(n, "data-src"))))
}

// fileName is an attachment link's text, else its title, else the file's
// name in its URL.
func fileName(a *html.Node, p string) string {
	name := clean(firstOf(textOf(a), attr(a, "title")))
	if name == "" || pagerText.MatchString(name) || name == "下载" || name == "附件下载" {
		name = path.Base(p)
	}
	return name
}

// hrefPath is the path of a link, query and fragment cut off, decoded.
func hrefPath(href string) string {
	href = strings.TrimSpace(href)
	if i := strings.IndexAny(href, "?#"); i >= 0 {
		// hanweb downloads: /module/download/downfile.jsp?filename=x.pdf
		if q, err := url.ParseQuery(strings.SplitN(href[i+1:], "#", 2)[0]); err == nil && i < len(href) && href[i] == '?' {
			for _, k := range []string{"filename", "fileName", "file", "name"} {
				if v := q.Get(k); v != "" {
					return v
				}
			}
		}
		href = href[:i]
	}
	if u, err := url.PathUnescape(href); err == nil {
		return u
	}
	return href
}
