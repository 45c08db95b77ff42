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

// listLinks returns the document links of a list page: the links inside
// the page's list (not its navigation, pager or footer), on the source's
// own host, in page order, each once. With pattern set, every link on the
// host whose absolute URL matches it is taken instead.
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
	var walk func(n *html.Node, inChrome bool)
	walk = func(n *html.Node, inChrome bool) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Nav, atom.Header, atom.Footer, atom.Aside, atom.Script, atom.Style, atom.Noscript:
				inChrome = true
			}
			if isChrome(n) {
				inChrome = true
			}
			if n.DataAtom == atom.A {
				u := resolve(p.URL, attr(n, "href"))
				if u != nil && (pattern != nil || !inChrome) {
					cands = append(cands, cand{u, container(n), strings.TrimSpace(textOf(n))})
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inChrome)
		}
	}
	walk(doc, false)
	seen := map[string]bool{p.URL.String(): true}
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
		return nil, errNotAList
	}
	for _, c := range cands {
		if c.container == best && documentLike(p.URL, c.u, c.text) {
			add(c.u)
		}
	}
	return out, nil
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
		return nil, errNotAList
	}
	return out, nil
}
