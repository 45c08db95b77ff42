package policies

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
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
	Body          string // paragraphs separated by "\n"; "" when NoText
	// NoText says why a document has no text: NoTextPicture or
	// NoTextAttachment; "" for a document with text.
	NoText string
	// Attachments are the names of the files (or pictures) a document
	// without text consists of.
	Attachments []string
}

// Hash identifies the document's content: a changed page has a new hash.
func (d *Document) Hash() string {
	h := sha256.New()
	for _, s := range []string{d.Title, d.Issuer, d.DocNumber, d.IndexNumber, d.WrittenDate, d.PublishedDate, d.Body} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	if len(d.Attachments) > 0 {
		h.Write([]byte(strings.Join(d.Attachments, "\n")))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// errNotADocument is a page without a title or text.
var errNotADocument = errors.New("no document title or text found on the page")

// errSoftNotFound is a page that answers 200 but says the document is not
// there (「提示信息… 页面不存在」).
var errSoftNotFound = errors.New("the page says the document does not exist")

// Why a document has no text.
const (
	NoTextPicture    = "picture"    // the content is a picture (a 图解)
	NoTextAttachment = "attachment" // the content is an attached file
)

// softNotFound are the messages of error pages served with HTTP 200.
var softNotFound = []string{"页面不存在", "页面已删除", "信息不存在", "文章不存在", "内容不存在", "该信息已删除", "已被删除", "已经删除",
	"找不到您要访问的页面", "找不到该页面", "找不到页面", "您访问的页面", "您所访问的页面", "页面没有找到", "页面未找到", "无法找到该页",
	"Page Not Found", "page not found", "404 Not Found", "错误页面", "访问出错", "栏目不存在"}

// saysNotFound reports whether a short page is an error message.
func saysNotFound(s string) bool {
	if utf8.RuneCountInString(s) >= 400 {
		return false
	}
	for _, m := range softNotFound {
		if strings.Contains(s, m) {
			return true
		}
	}
	return strings.TrimSpace(s) == "404"
}

// minText is the fewest characters of text a document can have.
const minText = 20

// parseDocument reads a document page. The document's container is found
// first (the content systems' own, else the block with the most text);
// the 信息公开 table and the labelled lines outside it give the fields, the
// signature and heading what the table lacks; the meta tags of
// 《政府网站发展指引》 (ArticleTitle, PubDate, ContentSource) come last,
// because they are what content systems fill in by default.
func parseDocument(p *page) (*Document, error) {
	root, err := html.Parse(strings.NewReader(p.Body))
	if err != nil {
		return nil, err
	}
	d := &Document{URL: canonicalURL(root, p.URL).String()}
	meta := map[string]string{}
	var title, h1 string
	walkElements(root, func(n *html.Node) bool {
		switch n.DataAtom {
		case atom.Meta:
			if name := strings.ToLower(attr(n, "name")); name != "" {
				if _, ok := meta[name]; !ok {
					meta[name] = clean(attr(n, "content"))
				}
			}
		case atom.Title:
			if title == "" {
				title = clean(textOf(n))
			}
		case atom.H1, atom.H2:
			if h1 == "" && !isChrome(n) {
				h1 = clean(textOf(n))
			}
			return false
		}
		return !isChrome(n)
	})
	return readDocument(root, d, meta, title, h1, findContent(root), true)
}

// readDocument reads the fields and text of a page whose content is body.
func readDocument(root *html.Node, d *Document, meta map[string]string, title, h1 string, body *content, retry bool) (*Document, error) {
	var lines []string
	if body != nil {
		if t := body.text(); t != "" {
			lines = strings.Split(t, "\n")
		}
	}
	info := readInfo(infoCells(root, body))

	d.Title = firstOf(meta["articletitle"], info["title"], h1, siteTitle(title))
	if d.Title == "" {
		return nil, errNotADocument
	}
	if saysNotFound(strings.Join(append([]string{d.Title}, lines...), "\n")) {
		return nil, errSoftNotFound
	}
	d.Body = strings.Join(lines, "\n")
	if textLength(lines) < minText {
		// A picture (图解) or an attached file is the whole content: the
		// document has no text; say so, never take the biggest block of
		// the page instead.
		var pics, files []string
		if body != nil {
			pics, files = body.media(root)
		}
		switch {
		case len(files) > 0:
			d.NoText, d.Attachments = NoTextAttachment, files
		case len(pics) > 0:
			d.NoText, d.Attachments = NoTextPicture, pics
		case retry && body != nil && body.known:
			// an unused container of the template: the text is elsewhere
			if n := scoredBody(root); n != nil {
				return readDocument(root, d, meta, title, h1, &content{nodes: []*html.Node{n}}, false)
			}
			return nil, errNotADocument
		default:
			return nil, errNotADocument
		}
		d.Body = ""
		lines = nil
	}

	d.IndexNumber = info["index"]
	d.DocNumber = docNumber(info["number"])
	if d.DocNumber == "" {
		d.DocNumber = textDocNumber(lines, d.Title)
	}
	signer, signed := signature(lines)
	d.Issuer = firstOf(issuerOf(info["issuer"]), signer, headingIssuer(d.Title), issuerOf(info["source"]), issuerOf(meta["contentsource"]))
	d.WrittenDate = firstOf(normalizeDate(info["written"]), signed, adopted(lines, h1))
	d.PublishedDate = firstOf(normalizeDate(info["published"]), normalizeDate(info["date"]), normalizeDate(meta["pubdate"]),
		normalizeDate(meta["publishdate"]), normalizeDate(meta["maketime"]))
	return d, nil
}

// textLength counts the characters of text, attachment and picture labels
// (附件：, 相关文件) left out.
func textLength(lines []string) int {
	n := 0
	for _, l := range lines {
		if attachmentLine.MatchString(l) {
			continue
		}
		n += utf8.RuneCountInString(l)
	}
	return n
}

// attachmentLine is a line naming attachments rather than saying anything.
var attachmentLine = regexp.MustCompile(`^(附件|相关附件|相关文件|附件下载|下载附件|点击下载|图片|图解)\d*[：:]?|(?i)\.(pdf|docx?|wps|xlsx?|ofd|zip|rar|jpe?g|png|gif)$`)

// textDocNumber is a 文号 standing on a line of its own among the text's
// opening lines (a 文号 inside a sentence is one the text cites), or at the
// end of the title.
func textDocNumber(lines []string, title string) string {
	for i, l := range lines {
		if i >= 10 {
			break
		}
		if utf8.RuneCountInString(l) > 40 {
			continue // a sentence: a 文号 in it is one the text cites
		}
		cand := l
		if strings.HasSuffix(l, "令") && i+1 < len(lines) {
			cand = l + lines[i+1] // 中华人民共和国主席令 / 第六十五号
		}
		if n := docNumber(cand); n != "" && utf8.RuneCountInString(strings.Join(strings.Fields(cand), "")) <= utf8.RuneCountInString(n)+2 {
			return n
		}
	}
	t := strings.TrimRight(title, "）)")
	if n := docNumber(t); n != "" && strings.HasSuffix(strings.Join(strings.Fields(t), ""), n) {
		return n
	}
	return ""
}

// adopted is the date of 「（2007年6月29日…通过）」 under a heading.
func adopted(lines []string, heading string) string {
	for i, l := range append([]string{heading}, lines...) {
		if i > 12 {
			break
		}
		if m := adoptedDate.FindStringSubmatch(l); m != nil {
			return normalizeDate(m[1])
		}
		if j := strings.IndexAny(l, "（("); j > 0 {
			if m := adoptedDate.FindStringSubmatch(l[j:]); m != nil {
				return normalizeDate(m[1])
			}
		}
	}
	return ""
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
