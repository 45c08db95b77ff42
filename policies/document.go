package policies

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Document is what herald reads from a policy document's page.
type Document struct {
	URL           string
	Title         string
	Issuer        string // 发文机关
	DocNumber     string // 文号
	IndexNumber   string // 索引号
	WrittenDate   string // 成文日期, YYYY-MM-DD
	PublishedDate string // 发布日期, YYYY-MM-DD
	Body          string // paragraphs separated by "\n"
}

// Hash identifies the document's content: a changed page has a new hash.
func (d *Document) Hash() string {
	h := sha256.New()
	for _, s := range []string{d.Title, d.Issuer, d.DocNumber, d.IndexNumber, d.WrittenDate, d.PublishedDate, d.Body} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// errNotADocument is a page without a title or text.
var errNotADocument = errors.New("no document title or text found on the page")

// Labels of the 信息公开 table (and of "label：value" lines) by field.
var infoLabels = []struct {
	field  string
	labels []string
}{
	{"index", []string{"索引号", "索 引 号", "索引"}},
	{"issuer", []string{"发文机关", "发布机构", "发文单位", "发文机构", "制发机关", "发布单位", "信息来源", "来源单位"}},
	{"number", []string{"文号", "发文字号", "文件编号", "发文编号", "文 号"}},
	{"written", []string{"成文日期", "成文时间", "印发日期", "发文日期"}},
	{"published", []string{"发布日期", "发布时间", "公开日期", "公开时间", "生成日期"}},
	{"title", []string{"标题", "名称", "文件名称", "标 题", "名 称"}},
}

// docNumberRe is a 文号: issuer's short name, the year in brackets, a number.
var docNumberRe = regexp.MustCompile(`[\p{Han}A-Za-z]{1,12}[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]\s*\d{1,4}\s*号`)

// parseDocument reads a document page: the meta tags of 《政府网站发展指引》
// (ArticleTitle, PubDate, ContentSource), the 信息公开 table, the heading,
// and the body text; a 文号 found only in the text is taken from there.
func parseDocument(p *page) (*Document, error) {
	root, err := html.Parse(strings.NewReader(p.Body))
	if err != nil {
		return nil, err
	}
	d := &Document{URL: p.URL.String()}
	meta := map[string]string{}
	var title, h1 string
	var cells []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Meta:
				if name := strings.ToLower(attr(n, "name")); name != "" {
					if _, ok := meta[name]; !ok {
						meta[name] = clean(attr(n, "content"))
					}
				}
			case atom.Title:
				title = clean(textOf(n))
			case atom.H1, atom.H2:
				if h1 == "" && !isChrome(n) {
					h1 = clean(textOf(n))
				}
			case atom.Td, atom.Th, atom.Li, atom.Dt, atom.Dd, atom.Span, atom.P, atom.Label, atom.B, atom.Strong:
				if t := clean(textOf(n)); t != "" && utf8.RuneCountInString(t) <= 120 {
					cells = append(cells, t)
				}
			case atom.Script, atom.Style:
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)

	info := readInfoTable(cells)
	d.IndexNumber = info["index"]
	d.Issuer = firstOf(meta["contentsource"], info["issuer"])
	d.DocNumber = normalizeDocNumber(info["number"])
	d.WrittenDate = normalizeDate(info["written"])
	d.PublishedDate = firstOf(normalizeDate(info["published"]), normalizeDate(meta["pubdate"]))
	d.Title = firstOf(meta["articletitle"], info["title"], h1, siteTitle(title))

	body := bodyNode(root)
	if body != nil {
		d.Body = paragraphs(body)
	}
	if d.Title == "" || utf8.RuneCountInString(d.Body) < 20 {
		return nil, errNotADocument
	}
	d.fillFromText()
	return d, nil
}

// readInfoTable finds "label value" pairs in the page's cells: a cell that
// is a label followed by the cell holding its value, or "label：value".
func readInfoTable(cells []string) map[string]string {
	out := map[string]string{}
	for i, c := range cells {
		for _, f := range infoLabels {
			if out[f.field] != "" {
				continue
			}
			for _, l := range f.labels {
				rest, ok := strings.CutPrefix(c, l)
				if !ok {
					continue
				}
				rest = strings.TrimSpace(rest)
				hadColon := strings.HasPrefix(rest, "：") || strings.HasPrefix(rest, ":")
				rest = strings.TrimSpace(strings.TrimLeft(rest, "：: "))
				switch {
				case rest != "" && hadColon:
					out[f.field] = cutAtNextLabel(rest)
				case rest == "" && i+1 < len(cells) && !isLabel(cells[i+1]):
					out[f.field] = cells[i+1]
				}
				break
			}
		}
	}
	return out
}

// cutAtNextLabel ends a value at a following label on the same line
// ("索引号：… 发文机关：…" in one cell).
func cutAtNextLabel(s string) string {
	end := len(s)
	for _, f := range infoLabels {
		for _, l := range f.labels {
			for _, sep := range []string{"：", ":"} {
				if i := strings.Index(s, l+sep); i > 0 && i < end {
					end = i
				}
			}
		}
	}
	return strings.TrimSpace(s[:end])
}

func isLabel(s string) bool {
	s = strings.TrimRight(s, "：: ")
	for _, f := range infoLabels {
		for _, l := range f.labels {
			if s == l {
				return true
			}
		}
	}
	return false
}

// fillFromText takes what the page's markup did not give from the text: the
// 文号 (in the opening lines), and the issuer and date of the signature.
func (d *Document) fillFromText() {
	lines := strings.Split(d.Body, "\n")
	if d.DocNumber == "" {
		for i, l := range lines {
			if i >= 8 {
				break
			}
			if m := docNumberRe.FindString(l); m != "" {
				d.DocNumber = normalizeDocNumber(m)
				break
			}
		}
	}
	if d.DocNumber == "" {
		if m := docNumberRe.FindString(d.Title); m != "" {
			d.DocNumber = normalizeDocNumber(m)
		}
	}
	// The signature: the issuer's name, then the date, near the end.
	for i := len(lines) - 1; i >= 0 && i >= len(lines)-6; i-- {
		date := normalizeDate(lines[i])
		if date == "" || utf8.RuneCountInString(lines[i]) > 16 {
			continue
		}
		if d.WrittenDate == "" {
			d.WrittenDate = date
		}
		if d.Issuer == "" && i > 0 && utf8.RuneCountInString(lines[i-1]) <= 40 && orgSuffix.MatchString(lines[i-1]) {
			d.Issuer = lines[i-1]
		}
		break
	}
}

var orgSuffix = regexp.MustCompile(`(人民政府|办公室|委员会|局|厅|委|办|院|中心|政府|街道办事处)$`)

var dateRe = regexp.MustCompile(`((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})`)

// normalizeDate turns 2026年11月10日, 2026-11-10 09:30, 2026/11/10 into
// 2026-11-10; "" when s holds no date.
func normalizeDate(s string) string {
	m := dateRe.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	da, _ := strconv.Atoi(m[3])
	if mo < 1 || mo > 12 || da < 1 || da > 31 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, mo, da)
}

// normalizeDocNumber writes a 文号's year brackets as 〔〕 and drops spaces.
func normalizeDocNumber(s string) string {
	s = strings.Join(strings.Fields(s), "")
	r := strings.NewReplacer("[", "〔", "［", "〔", "(", "〔", "（", "〔", "【", "〔", "]", "〕", "］", "〕", ")", "〕", "）", "〕", "】", "〕")
	if m := docNumberRe.FindString(s); m != "" {
		return r.Replace(m)
	}
	return s
}

// siteTitle strips the site's name from a <title> ("标题_青山县人民政府").
func siteTitle(t string) string {
	for _, sep := range []string{"_", " - ", "－", "|", "—"} {
		if i := strings.Index(t, sep); i > 0 {
			return strings.TrimSpace(t[:i])
		}
	}
	return t
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// clean collapses white space to single spaces; a line break or space of
// the HTML source between two Chinese characters is dropped, a full-width
// or non-breaking space (which separates names) stays as one space.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\u3000' || r == '\u00a0' {
			return '\x00'
		}
		return r
	}, s)
	s = joinCJK(strings.Join(strings.Fields(s), " "))
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == 0 }), " ")
	return strings.Join(strings.Fields(s), " ")
}

func joinCJK(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if r == ' ' && i > 0 && i < len(rs)-1 && rs[i-1] >= 0x2E80 && rs[i+1] >= 0x2E80 {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// contentHints are ids and classes county sites give the document text.
var contentHints = regexp.MustCompile(`(?i)(zoom|trs_editor|trs_paper|custom_unionstyle|article|content|detail|wenzhang|zw|view|text|main_?txt|con)`)

// bodyNode finds the element holding the document's text: the one with the
// most text in its own paragraphs, preferring the usual content ids.
func bodyNode(root *html.Node) *html.Node {
	var best *html.Node
	bestScore := 0
	var walk func(n *html.Node, inChrome bool)
	walk = func(n *html.Node, inChrome bool) {
		if n.Type != html.ElementNode && n.Type != html.DocumentNode {
			return
		}
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Nav, atom.Header, atom.Footer, atom.Head:
				return
			}
			if isChrome(n) {
				inChrome = true
			}
		}
		if !inChrome && (n.DataAtom == atom.Div || n.DataAtom == atom.Td || n.DataAtom == atom.Article || n.DataAtom == atom.Section || n.DataAtom == atom.Body) {
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
			walk(c, inChrome)
		}
	}
	walk(root, false)
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

// paragraphs is n's text with one line per block (p, div, br, li, tr).
func paragraphs(n *html.Node) string {
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
			case atom.Script, atom.Style:
				return
			case atom.Br:
				flush()
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
	walk(n)
	flush()
	return strings.Join(lines, "\n")
}
