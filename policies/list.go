package policies

import (
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// errNotAList is a source page in which herald finds no list of documents.
var errNotAList = errors.New("no list of document links found on the page")

// attachment is a file linked from a list (a scanned PDF, a Word copy):
// herald reads the document's web page, not its attachments.
var attachment = regexp.MustCompile(`(?i)\.(pdf|docx?|wps|xlsx?|et|ofd|zip|rar|7z|jpe?g|png|gif)$`)

// pagerText is link text of a pager or a "more" link, never a document.
var pagerText = regexp.MustCompile(`^(首页|尾页|末页|上一页|下一页|上页|下页|前一页|后一页|更多|更多>>|返回|返回顶部|打印|关闭|[0-9]+|[<>«»‹›]+|\.\.\.)$`)

// listError is a source page in which herald finds no list of documents;
// scriptDrawn when the page draws its list with a script (nothing to read
// in its HTML), with the feed and 信息公开目录 links the page offers.
type listError struct {
	scriptDrawn     bool
	feed, catalogue string
}

func (e *listError) Error() string {
	if e.scriptDrawn {
		return "the list is drawn by a script: no document links in the page's HTML"
	}
	return errNotAList.Error()
}

func (e *listError) Unwrap() error { return errNotAList }

// listProblem words a list page's error for a clerk, in one line.
func listProblem(err error, withPattern bool) string {
	var le *listError
	switch {
	case withPattern:
		return "页面上没有符合 link_pattern 的文件链接"
	case errors.As(err, &le) && le.scriptDrawn:
		var use []string
		if le.feed != "" {
			use = append(use, "该网站的 RSS 订阅（"+le.feed+"）")
		}
		if le.catalogue != "" {
			use = append(use, "信息公开目录页面（"+le.catalogue+"）")
		}
		if len(use) == 0 {
			use = []string{"该栏目的 RSS 订阅地址", "网站的信息公开目录页面"}
		}
		return "页面上的列表由脚本生成，网页本身没有文件链接（link_pattern 也读不到），请改用" + strings.Join(use, "或") + "作为来源"
	}
	return "页面上找不到政策文件列表（请检查网址，或用 link_pattern 指定文件链接）"
}

// listLinks returns the document links of a list page: the links inside
// the page's list (not its navigation, pager or footer), on the source's
// own host, in page order, each once (tracking queries such as ?from=list
// dropped). Lists kept inside an HTML comment, and hanweb's lists kept as
// records in a <script type="text/xml"> data store, are read too. With
// pattern set, every link on the host whose absolute URL matches it is
// taken instead.
func listLinks(p *page, pattern *regexp.Regexp) ([]*url.URL, error) {
	if isFeed(p) {
		return feedLinks(p)
	}
	doc, err := html.Parse(strings.NewReader(p.Body))
	if err != nil {
		return nil, err
	}
	type cand struct {
		u         *url.URL
		container *html.Node
		text      string
	}
	var cands []cand
	var walk func(n *html.Node, inChrome bool, forced *html.Node)
	// inner parses HTML kept as text (a comment, a script data store) under
	// a node of its own, so that its links share one container.
	inner := func(src string, inChrome bool, forced bool) {
		holder := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
		nodes, err := html.ParseFragment(strings.NewReader(src), holder)
		if err != nil {
			return
		}
		for _, c := range nodes {
			holder.AppendChild(c)
		}
		var f *html.Node
		if forced {
			f = holder
		}
		walk(holder, inChrome, f)
	}
	walk = func(n *html.Node, inChrome bool, forced *html.Node) {
		switch n.Type {
		case html.CommentNode:
			if strings.Contains(n.Data, "<a") || strings.Contains(n.Data, "<A") {
				inner(n.Data, inChrome, false)
			}
			return
		case html.ElementNode:
			if n.DataAtom == atom.Script {
				if t := rawText(n); dataStore.MatchString(t) {
					inner(cdata.ReplaceAllString(t, ""), inChrome, true)
				}
				return
			}
			switch n.DataAtom {
			case atom.Nav, atom.Header, atom.Footer, atom.Aside, atom.Style, atom.Noscript:
				inChrome = true
			}
			if isChrome(n) {
				inChrome = true
			}
			if n.DataAtom == atom.A {
				href := attr(n, "href")
				if strings.Contains(href, "{{") || strings.Contains(href, "${") || strings.Contains(href, "<%") {
					return // a script's template
				}
				u := resolve(p.URL, href)
				if u != nil && (pattern != nil || !inChrome) {
					box := forced
					if box == nil {
						box = container(n)
					}
					cands = append(cands, cand{stripTracking(u), box, strings.TrimSpace(textOf(n))})
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inChrome, forced)
		}
	}
	walk(doc, false, nil)
	seen := map[string]bool{p.URL.String(): true, stripTracking(p.URL).String(): true}
	var out []*url.URL
	add := func(u *url.URL) {
		if !seen[u.String()] {
			seen[u.String()] = true
			out = append(out, u)
		}
	}
	if pattern != nil {
		for _, c := range cands {
			if c.u.Host == p.URL.Host && pattern.MatchString(c.u.String()) {
				add(c.u)
			}
		}
		if len(out) == 0 {
			return nil, errors.New("no link on the page matches link_pattern")
		}
		return out, nil
	}
	// The list is the container holding the most document-like links.
	score := map[*html.Node]int{}
	var best *html.Node
	for _, c := range cands {
		if !documentLike(p.URL, c.u, c.text) {
			continue
		}
		score[c.container]++
		if best == nil || score[c.container] > score[best] {
			best = c.container
		}
	}
	if best == nil || score[best] < 2 {
		return nil, whyNoList(doc, p.URL)
	}
	for _, c := range cands {
		if c.container == best && documentLike(p.URL, c.u, c.text) {
			add(c.u)
		}
	}
	return out, nil
}

var (
	// dataStore is hanweb's list kept in a <script type="text/xml">.
	dataStore = regexp.MustCompile(`<datastore>|<recordset>|<record>`)
	cdata     = regexp.MustCompile(`<!\[CDATA\[|\]\]>`)
	// listScript is a script that fetches or draws a list in the browser.
	listScript   = regexp.MustCompile(`\$\.ajax|\$\.get|\$\.post|\.getJSON|fetch\(|XMLHttpRequest|axios|\.load\(|dataproxy|laypage|template\(|artTemplate|new Vue|createApp|jsrender|\.innerHTML\s*[+]?=|\.html\(|\.append\(`)
	templateType = regexp.MustCompile(`(?i)^text/(html|template|x-template|x-handlebars-template|x-jsrender|x-tmpl)`)
)

// whyNoList tells a page without a list from one whose list a script
// draws, and finds the page's feed and 信息公开目录 links to suggest.
func whyNoList(doc *html.Node, base *url.URL) error {
	e := &listError{}
	walkAll(doc, func(n *html.Node) {
		switch n.DataAtom {
		case atom.Script:
			if templateType.MatchString(attr(n, "type")) || listScript.MatchString(rawText(n)) {
				e.scriptDrawn = true
			}
		case atom.Link:
			if t := strings.ToLower(attr(n, "type")); e.feed == "" && (strings.Contains(t, "rss") || strings.Contains(t, "atom")) {
				if u := resolve(base, attr(n, "href")); u != nil {
					e.feed = u.String()
				}
			}
		case atom.A:
			t := clean(textOf(n))
			u := resolve(base, attr(n, "href"))
			if u == nil || u.Path == base.Path {
				return
			}
			if e.feed == "" && (strings.EqualFold(t, "RSS") || strings.Contains(t, "RSS订阅") || strings.HasSuffix(strings.ToLower(u.Path), ".xml") && strings.Contains(strings.ToLower(u.Path), "rss")) {
				e.feed = u.String()
			}
			if e.catalogue == "" && strings.Contains(t, "信息公开目录") {
				e.catalogue = u.String()
			}
		}
	})
	return e
}

// walkAll calls f for every element below n, scripts included.
func walkAll(n *html.Node, f func(*html.Node)) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			f(c)
		}
		walkAll(c, f)
	}
}

// documentLike is a link that can be a document of the list: on the same
// host, an http(s) page that is not the list itself, with a title-like text.
func documentLike(list, u *url.URL, text string) bool {
	if u.Host != list.Host || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	if u.Path == list.Path || u.Path == "" || u.Path == "/" || pagerText.MatchString(text) {
		return false
	}
	if strings.Contains(u.RawQuery, "page=") || attachment.MatchString(u.Path) {
		return false
	}
	return utf8.RuneCountInString(text) >= 4
}

// container is the nearest list-like ancestor of a link: the element whose
// children are the list's entries.
func container(n *html.Node) *html.Node {
	for p := n.Parent; p != nil; p = p.Parent {
		switch p.DataAtom {
		case atom.Ul, atom.Ol, atom.Tbody, atom.Table, atom.Dl:
			return p
		}
	}
	// div-based lists: the grandparent of the entry holding the link
	if n.Parent != nil && n.Parent.Parent != nil {
		return n.Parent.Parent
	}
	return n.Parent
}

func resolve(base *url.URL, href string) *url.URL {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(strings.ToLower(href), "javascript:") || strings.HasPrefix(strings.ToLower(href), "mailto:") {
		return nil
	}
	u, err := base.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil
	}
	u.Fragment = ""
	return u
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// textOf is the text inside n, script and style left out.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style) {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func isFeed(p *page) bool {
	if strings.Contains(p.ContentType, "rss") || strings.Contains(p.ContentType, "atom") {
		return true
	}
	head := strings.TrimSpace(p.Body)
	if len(head) > 512 {
		head = head[:512]
	}
	return (strings.HasPrefix(head, "<?xml") || strings.Contains(p.ContentType, "xml")) && (strings.Contains(head, "<rss") || strings.Contains(head, "<feed"))
}

// feedLinks reads the entries' links of an RSS 2.0 or Atom feed.
func feedLinks(p *page) ([]*url.URL, error) {
	var f struct {
		Channel struct {
			Items []struct {
				Link string `xml:"link"`
			} `xml:"item"`
		} `xml:"channel"`
		Entries []struct {
			Links []struct {
				Href string `xml:"href,attr"`
				Rel  string `xml:"rel,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	dec := xml.NewDecoder(strings.NewReader(p.Body))
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) { return r, nil } // already UTF-8
	if err := dec.Decode(&f); err != nil {
		return nil, errors.New("the feed is not valid RSS or Atom")
	}
	var raw []string
	for _, it := range f.Channel.Items {
		raw = append(raw, it.Link)
	}
	for _, e := range f.Entries {
		for _, l := range e.Links {
			if l.Rel == "" || l.Rel == "alternate" {
				raw = append(raw, l.Href)
				break
			}
		}
	}
	seen := map[string]bool{}
	var out []*url.URL
	for _, r := range raw {
		u := resolve(p.URL, r)
		if u == nil || u.Host != p.URL.Host || seen[u.String()] {
			continue
		}
		seen[u.String()] = true
		out = append(out, u)
	}
	if len(out) == 0 {
		return nil, &listError{}
	}
	return out, nil
}

// rawText is the text of a script element as written.
func rawText(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}
