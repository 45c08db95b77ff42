package docx

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// converter walks the document body and writes the article's HTML.
type converter struct {
	doc      *document
	pkg      *pkg
	out      *strings.Builder
	art      *Article
	srcOf    map[string]string // picture part -> src
	notes    []string          // rendered notes; number = index+1
	counters map[string][]int  // numId -> counter per level
	lists    []openList
	titles   map[*node]bool // the title's paragraphs, left out of the body
	after    []*node        // text-box paragraphs to write after the current paragraph
	inCell   int
	inNote   bool // writing a note: a reference inside it is not followed
	dry      bool // looking for the title: read no picture, keep no note
	b        *budget
	text     int // characters of text written to the body
	omitted  []omission
	page     int  // the page being written, counted by w:lastRenderedPageBreak
	rendered bool // the document records its page breaks
}

type openList struct {
	tag, numID string
	ilvl       int
}

func convert(doc *document, p *pkg) (*Article, error) {
	c := &converter{doc: doc, pkg: p, out: &strings.Builder{}, art: &Article{Pictures: map[string][]byte{}},
		srcOf: map[string]string{}, counters: map[string][]int{}, b: p.budget, page: 1}
	c.dry = true
	c.titles = map[*node]bool{}
	if t := c.findTitle(); t != nil {
		var parts []string
		for _, p := range c.titleLines(t) {
			c.titles[p] = true
			w := c.inline(p, c.paraStyle(p.child("pPr")))
			parts = append(parts, strings.Join(strings.Fields(w.plain.String()), " "))
		}
		c.art.Title = joinTitle(parts)
	}
	c.dry, c.after = false, nil
	if err := c.blocks(doc.body.kids); err != nil {
		return nil, err
	}
	c.closeLists(-1)
	if len(c.notes) > 0 {
		c.out.WriteString("<p><strong>注释：</strong></p>")
		for i, n := range c.notes {
			fmt.Fprintf(c.out, "<p>[%d] %s</p>", i+1, n)
		}
	}
	c.art.HTML = c.out.String()
	c.art.text = c.text
	if w := omittedWarning(c.omitted, c.rendered); w != "" {
		c.art.Warnings = append(c.art.Warnings, w)
	}
	return c.art, nil
}

// blocks writes body-level elements: paragraphs, tables and what wraps them.
func (c *converter) blocks(kids []*node) error {
	for _, k := range kids {
		c.b.step(1)
		switch k.name {
		case "p":
			if c.titles[k] || c.isTOC(k) {
				continue
			}
			if err := c.paragraph(k); err != nil {
				return err
			}
		case "tbl":
			c.closeLists(-1)
			if err := c.table(k); err != nil {
				return err
			}
		case "sdt":
			if c.isTOC(k) {
				continue // a table of contents: page numbers mean nothing in an article
			}
			if err := c.blocks(k.child("sdtContent").children()); err != nil {
				return err
			}
		case "customXml", "ins", "moveTo", "sdtContent", "txbxContent":
			if err := c.blocks(k.kids); err != nil {
				return err
			}
		case "AlternateContent":
			if err := c.blocks(choose(k)); err != nil {
				return err
			}
		}
	}
	return nil
}

// understood are the namespaces (by the prefixes Word gives them) whose
// markup this reader reads in an mc:Choice: DrawingML shapes, groups and
// canvases (their text boxes), Word 2010's and 2012's additions, VML and
// math. Word 2016's w16se (an emoji as a symbol) is not: its Fallback
// holds the emoji as text.
var understood = map[string]bool{"wps": true, "wpg": true, "wpc": true, "wpi": true, "wp14": true, "w14": true, "w15": true,
	"a14": true, "v": true, "o": true, "w10": true, "m": true, "w": true, "r": true, "wp": true, "a": true, "pic": true}

// choose picks the markup of mc:AlternateContent this reader understands:
// the first Choice whose Requires names only understood namespaces, else
// the Fallback (nothing when there is neither).
func choose(ac *node) []*node {
	for _, ch := range ac.kids {
		if ch.name != "Choice" {
			continue
		}
		ok := true
		for _, ns := range strings.Fields(ch.attr("Requires")) {
			ok = ok && understood[ns]
		}
		if ok {
			return ch.kids
		}
	}
	return ac.child("Fallback").children()
}

func (c *converter) paraStyle(ppr *node) string {
	if id := ppr.child("pStyle").attr("val"); id != "" {
		return id
	}
	return c.doc.styles.defaultPara
}

// align is a paragraph's alignment as CSS ("" for left).
func (c *converter) align(ppr *node, style string) string {
	switch c.doc.styles.pProp(ppr, style, "jc").attr("val") {
	case "center":
		return "center"
	case "right", "end":
		return "right"
	}
	return "" // justified text is WeChat's default for a body: no markup

}

// indent is a paragraph's first-line indent in em (0 for none): Word
// counts it in characters (firstLineChars) or in twips, of the paragraph's
// own font size (sz, in half-points, of its first text).
func (c *converter) indent(ppr *node, style string, sz int) float64 {
	ind := c.doc.styles.pProp(ppr, style, "ind")
	if ind == nil {
		return 0
	}
	if v := ind.attr("firstLineChars"); v != "" {
		return roundHalf(float64(atoi(v)) / 100)
	}
	twips := atoi(ind.attr("firstLine"))
	if twips <= 0 {
		return 0
	}
	pt := 10.5 // Word's 五号 when nothing says otherwise
	if sz > 0 {
		pt = float64(sz) / 2
	} else if sz := c.doc.styles.rProp(nil, style, "sz"); sz != nil && atoi(sz.attr("val")) > 0 {
		pt = float64(atoi(sz.attr("val"))) / 2
	}
	return roundHalf(float64(twips) / 20 / pt)
}

// placement is a paragraph's alignment, counting as right-aligned a short
// line pushed right by a large left indent or leading spaces, as 公文 set
// their 落款 and 成文日期.
func (c *converter) placement(ppr *node, style, align, plain string) string {
	if align != "" || utf8.RuneCountInString(strings.TrimSpace(plain)) > 30 {
		return align
	}
	ind := c.doc.styles.pProp(ppr, style, "ind")
	left := max(atoi(ind.attr("left")), atoi(ind.attr("start")))
	if left >= 3600 || atoi(ind.attr("leftChars")) >= 1200 || atoi(ind.attr("firstLineChars")) >= 1200 || atoi(ind.attr("firstLine")) >= 3600 {
		return "right"
	}
	lead := utf8.RuneCountInString(plain) - utf8.RuneCountInString(strings.TrimLeft(plain, " \u3000\u00a0"))
	if lead >= 6 {
		return "right"
	}
	return ""
}

func roundHalf(f float64) float64 { return math.Round(f*2) / 2 }

func styleAttr(align string, indent float64) string {
	var parts []string
	if align != "" {
		parts = append(parts, "text-align: "+align)
	}
	if indent >= 0.5 {
		parts = append(parts, "text-indent: "+strconv.FormatFloat(indent, 'f', -1, 64)+"em")
	}
	if len(parts) == 0 {
		return ""
	}
	return ` style="` + strings.Join(parts, "; ") + `"`
}

func (c *converter) paragraph(p *node) error {
	ppr := p.child("pPr")
	style := c.paraStyle(ppr)
	w := c.inline(p, style)
	if w.err != nil {
		return w.err
	}
	plain := w.plain.String()
	if err := c.writeParagraph(p, ppr, style, w, plain); err != nil {
		return err
	}
	return c.flushAfter()
}

func (c *converter) writeParagraph(p, ppr *node, style string, w *runWriter, plain string) error {
	if strings.TrimSpace(plain) == "" && w.pictures == 0 {
		return nil // Word's empty paragraphs are spacing
	}
	align := c.align(ppr, style)
	level := c.headingStyle(style, ppr)
	if level == 0 && c.inCell == 0 {
		level = directHeading(plain, w.allBold())
		// GB/T 9704 sets its headings apart by font, not bold: 一、 in 黑体, （一） in 楷体
		if l := directHeading(plain, true); level == 0 && (l == 1 || l == 2) && (w.allFont(isHei) || w.allFont(isKai)) {
			level = l
		}
	}
	prefix, listTag, numID, ilvl := c.number(ppr, style)
	c.wrote(utf8.RuneCountInString(prefix) + utf8.RuneCountInString(plain))
	if level > 0 && c.inCell == 0 {
		c.closeLists(-1)
		tag := "h" + strconv.Itoa(min(level+1, 4))
		fmt.Fprintf(c.out, "<%s%s><strong>%s%s</strong></%s>", tag, styleAttr(align, 0), html.EscapeString(prefix), w.html(true), tag)
		return nil
	}
	body := w.html()
	if listTag != "" {
		c.listItem(listTag, numID, ilvl)
		fmt.Fprintf(c.out, "<li>%s</li>", body)
		return nil
	}
	c.closeLists(-1)
	attrs := ""
	if c.inCell == 0 { // a cell's paragraphs need no style: WeChat counts every character
		attrs = styleAttr(c.placement(ppr, style, align, plain), c.indent(ppr, style, w.firstSz))
	}
	fmt.Fprintf(c.out, "<p%s>%s%s</p>", attrs, html.EscapeString(prefix), body)
	return nil
}

// wrote counts n characters of text written to the body: once they pass
// the article's limit the document is refused without converting the rest.
func (c *converter) wrote(n int) {
	c.text += n
	if lim := c.pkg.lim.MaxChars; lim > 0 && c.text >= lim {
		c.b.abort(refuse("too_long", "Word 文档的文字已超过 %d 字，微信正文须少于 %d 字（含排版标记）：请拆分为几篇分别导入", lim, lim))
	}
}

// flushAfter writes the content of the text boxes met in the paragraph
// just written: paragraphs, tables and content controls.
func (c *converter) flushAfter() error {
	after := c.after
	c.after = nil
	if len(after) == 0 {
		return nil
	}
	return c.blocks(after)
}
