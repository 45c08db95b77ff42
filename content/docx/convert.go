package docx

import (
	"errors"
	"fmt"
	"html"
	"math"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/herald-gov/herald/content"
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
}

type openList struct {
	tag, numID string
	ilvl       int
}

func convert(doc *document, p *pkg) (*Article, error) {
	c := &converter{doc: doc, pkg: p, out: &strings.Builder{}, art: &Article{Pictures: map[string][]byte{}},
		srcOf: map[string]string{}, counters: map[string][]int{}, b: p.budget}
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
	return c.art, nil
}

// blocks writes body-level elements: paragraphs, tables and what wraps them.
func (c *converter) blocks(kids []*node) error {
	for _, k := range kids {
		c.b.step(1)
		switch k.name {
		case "p":
			if c.titles[k] {
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

// choose picks the markup of mc:AlternateContent this reader understands:
// the first Choice (DrawingML), else the Fallback.
func choose(ac *node) []*node {
	if ch := ac.child("Choice"); ch != nil {
		return ch.kids
	}
	return ac.child("Fallback").children()
}

func (c *converter) paraStyle(ppr *node) string {
	if id := ppr.child("pStyle").attr("val"); id != "" {
		return id
	}
	return c.doc.styles.defaultPara
}

// findTitle picks the title paragraph: a Title-styled one among the first
// three with text, else the first with text when it is a level-1 heading
// or centred and bold throughout.
func (c *converter) findTitle() *node {
	var first *node
	seen := 0
	for _, k := range c.doc.body.kids {
		if k.name == "tbl" {
			break
		}
		if k.name != "p" {
			continue
		}
		style := c.paraStyle(k.child("pPr"))
		w := c.inline(k, style)
		if strings.TrimSpace(w.plain.String()) == "" || w.pictures > 0 {
			if w.pictures > 0 {
				break
			}
			continue
		}
		if first == nil {
			first = k
			if c.headingStyle(style, k.child("pPr")) == 1 || (c.align(k.child("pPr"), style) == "center" && w.allBold()) {
				if c.styleNamed(style, "title") {
					return k
				}
				// keep looking a little for a Title style
			}
		}
		if c.styleNamed(style, "title") {
			return k
		}
		if seen++; seen >= 3 {
			break
		}
	}
	if first != nil {
		style := c.paraStyle(first.child("pPr"))
		w := c.inline(first, style)
		if c.headingStyle(style, first.child("pPr")) == 1 || (c.align(first.child("pPr"), style) == "center" && w.allBold()) {
			return first
		}
	}
	return nil
}

// titleLines returns the title paragraph and the ones that continue it: a
// long title set on two or three centred bold lines (or Title-styled
// paragraphs), as government documents often are.
func (c *converter) titleLines(first *node) []*node {
	lines := []*node{first}
	style := c.paraStyle(first.child("pPr"))
	byStyle := c.styleNamed(style, "title")
	kids := c.doc.body.kids
	i := slices.Index(kids, first)
	for j := i + 1; j < len(kids) && len(lines) < 3; j++ {
		k := kids[j]
		if k.name != "p" {
			break
		}
		st := c.paraStyle(k.child("pPr"))
		w := c.inline(k, st)
		text := strings.TrimSpace(w.plain.String())
		if text == "" || w.pictures > 0 {
			break
		}
		same := c.styleNamed(st, "title")
		if !byStyle {
			same = c.align(k.child("pPr"), st) == "center" && w.allBold() && directHeading(text, true) == 0 &&
				c.headingStyle(st, k.child("pPr")) == c.headingStyle(style, first.child("pPr"))
		}
		if !same {
			break
		}
		lines = append(lines, k)
	}
	return lines
}

// joinTitle joins a title's lines: Chinese lines run on, Latin words get a
// space.
func joinTitle(parts []string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 && b.Len() > 0 {
			last, _ := utf8.DecodeLastRuneInString(b.String())
			first, _ := utf8.DecodeRuneInString(p)
			if last < utf8.RuneSelf && first < utf8.RuneSelf {
				b.WriteByte(' ')
			}
		}
		b.WriteString(p)
	}
	return b.String()
}

func (c *converter) styleNamed(id, name string) bool {
	for _, st := range c.doc.styles.chain(id) {
		if st.name == name {
			return true
		}
	}
	return false
}

// headingStyle is the heading level a paragraph's style or outline level
// gives (1 for Title and Heading 1), 0 for none.
func (c *converter) headingStyle(styleID string, ppr *node) int {
	for _, st := range c.doc.styles.chain(styleID) {
		if st.name == "title" {
			return 1
		}
		if n, ok := strings.CutPrefix(st.name, "heading "); ok {
			if l := atoi(n); l >= 1 && l <= 9 {
				return l
			}
		}
	}
	if ol := c.doc.styles.pProp(ppr, styleID, "outlineLvl"); ol != nil {
		if l := atoi(ol.attr("val")); l >= 0 && l < 9 {
			return l + 1
		}
	}
	return 0
}

// Headings made by direct formatting, as government documents number them
// (GB/T 9704): 一、 then （一） then 1. then （1）.
var directHeadings = []struct {
	re    *regexp.Regexp
	level int
}{
	{regexp.MustCompile(`^第[一二三四五六七八九十百零〇\d]+[章节部分篇]`), 1},
	{regexp.MustCompile(`^[一二三四五六七八九十百零〇]+[、.．]`), 1},
	{regexp.MustCompile(`^[（(][一二三四五六七八九十百零〇]+[）)]`), 2},
	{regexp.MustCompile(`^\d{1,2}[、.．](\D|$)`), 3},
	{regexp.MustCompile(`^[（(]\d{1,2}[）)]`), 4},
}

// directHeading is the level of a short bold line numbered like a
// heading, 0 for anything else.
func directHeading(text string, allBold bool) int {
	text = strings.TrimSpace(text)
	if !allBold || text == "" || utf8.RuneCountInString(text) > 40 || strings.HasSuffix(text, "。") {
		return 0
	}
	for _, h := range directHeadings {
		if h.re.MatchString(text) {
			return h.level
		}
	}
	return 0
}

// align is a paragraph's alignment as CSS ("" for left).
func (c *converter) align(ppr *node, style string) string {
	switch c.doc.styles.pProp(ppr, style, "jc").attr("val") {
	case "center":
		return "center"
	case "right", "end":
		return "right"
	case "both", "distribute", "thaiDistribute":
		return "justify"
	}
	return ""
}

// indent is a paragraph's first-line indent in em (0 for none).
func (c *converter) indent(ppr *node, style string) float64 {
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
	if sz := c.doc.styles.rProp(nil, style, "sz"); sz != nil && atoi(sz.attr("val")) > 0 {
		pt = float64(atoi(sz.attr("val"))) / 2
	}
	return roundHalf(float64(twips) / 20 / pt)
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
	defer c.flushAfter()
	if strings.TrimSpace(plain) == "" && w.pictures == 0 {
		return nil // Word's empty paragraphs are spacing
	}
	align := c.align(ppr, style)
	level := c.headingStyle(style, ppr)
	if level == 0 && c.inCell == 0 {
		level = directHeading(plain, w.allBold())
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
	fmt.Fprintf(c.out, "<p%s>%s%s</p>", styleAttr(align, c.indent(ppr, style)), html.EscapeString(prefix), body)
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

func (c *converter) flushAfter() {
	after := c.after
	c.after = nil
	for _, p := range after {
		_ = c.paragraph(p) // a text box's own pictures were checked when its run was read
	}
}

// number resolves a paragraph's list numbering. A bulleted item and a
// plain decimal item ("1.") become <ul>/<ol> items (listTag set); any other
// numbering (一、 （1） ①) is written out as the prefix text, since HTML
// lists cannot show it.
func (c *converter) number(ppr *node, style string) (prefix, listTag, numID string, ilvl int) {
	numPr := c.doc.styles.pProp(ppr, style, "numPr")
	if numPr == nil {
		return "", "", "", 0
	}
	numID = numPr.child("numId").attr("val")
	if numID == "" {
		// the level may come from the paragraph and the list from its style
		for _, st := range c.doc.styles.chain(style) {
			if id := st.ppr.child("numPr").child("numId").attr("val"); id != "" {
				numID = id
				break
			}
		}
	}
	ilvl = atoi(numPr.child("ilvl").attr("val"))
	levels, ok := c.doc.numbering.nums[numID]
	if numID == "" || numID == "0" || !ok || ilvl < 0 || ilvl > 8 {
		return "", "", "", 0
	}
	lv := levels[ilvl]
	if lv.format == "bullet" {
		return "", "ul", numID, ilvl
	}
	if lv.format == "none" {
		return "", "", "", 0
	}
	cnt := c.counters[numID]
	if cnt == nil {
		cnt = make([]int, 9)
		c.counters[numID] = cnt
	}
	if cnt[ilvl] == 0 {
		cnt[ilvl] = max(levels[ilvl].start, 0)
	} else {
		cnt[ilvl]++
	}
	for i := ilvl + 1; i < 9; i++ {
		cnt[i] = 0
	}
	if lv.format == "decimal" && lv.text == "%"+strconv.Itoa(ilvl+1)+"." && (cnt[ilvl] == 1 || c.inList(numID, ilvl)) {
		return "", "ol", numID, ilvl
	}
	text := lv.text
	for i := 0; i <= ilvl; i++ {
		n := cnt[i]
		if n == 0 {
			n = max(levels[i].start, 1)
		}
		text = strings.ReplaceAll(text, "%"+strconv.Itoa(i+1), formatNumber(n, levels[i].format))
	}
	if text != "" && !strings.HasSuffix(text, "、") && !strings.HasSuffix(text, "）") {
		text += " "
	}
	return text, "", "", 0
}

func (c *converter) inList(numID string, ilvl int) bool {
	for _, l := range c.lists {
		if l.numID == numID && l.ilvl == ilvl {
			return true
		}
	}
	return false
}

// listItem opens or closes <ul>/<ol> so that the next <li> is at ilvl.
func (c *converter) listItem(tag, numID string, ilvl int) {
	c.closeLists(ilvl)
	if n := len(c.lists); n > 0 && c.lists[n-1].ilvl == ilvl {
		if top := c.lists[n-1]; top.tag == tag && top.numID == numID {
			return
		}
		c.closeLists(ilvl - 1)
	}
	c.lists = append(c.lists, openList{tag, numID, ilvl})
	c.out.WriteString("<" + tag + ">")
}

// closeLists closes every open list deeper than ilvl (-1: all).
func (c *converter) closeLists(ilvl int) {
	for len(c.lists) > 0 && c.lists[len(c.lists)-1].ilvl > ilvl {
		c.out.WriteString("</" + c.lists[len(c.lists)-1].tag + ">")
		c.lists = c.lists[:len(c.lists)-1]
	}
}

var circled = []rune("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳")

func formatNumber(n int, format string) string {
	switch format {
	case "chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographTraditional", "taiwaneseCounting", "taiwaneseCountingThousand":
		return chineseNumber(n)
	case "decimalEnclosedCircle", "decimalEnclosedCircleChinese":
		if n >= 1 && n <= len(circled) {
			return string(circled[n-1])
		}
	case "upperLetter", "lowerLetter":
		s := string(rune('A' + (n-1)%26))
		if format == "lowerLetter" {
			s = strings.ToLower(s)
		}
		return s
	case "upperRoman", "lowerRoman":
		s := roman(n)
		if format == "lowerRoman" {
			s = strings.ToLower(s)
		}
		return s
	case "decimalFullWidth", "decimalFullWidth2":
		var b strings.Builder
		for _, r := range strconv.Itoa(n) {
			b.WriteRune(r - '0' + '０')
		}
		return b.String()
	}
	return strconv.Itoa(n)
}

func chineseNumber(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 0:
		return strconv.Itoa(n)
	case n < 10:
		return digits[n]
	case n < 20:
		return "十" + strings.TrimPrefix(digits[n%10], "零")
	case n < 100:
		s := digits[n/10] + "十"
		if n%10 != 0 {
			s += digits[n%10]
		}
		return s
	}
	return strconv.Itoa(n)
}

func roman(n int) string {
	vals := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}

// table writes a Word table; merged cells keep their span (colspan,
// rowspan), so the text stays in its row and column.
func (c *converter) table(t *node) error {
	type cell struct {
		node         *node
		col, colspan int
		rowspan      *int
		continuation bool
	}
	var rows [][]*cell
	open := map[int]*cell{} // grid column -> the cell a vertical merge continues
	for _, tr := range t.kids {
		if tr.name != "tr" {
			continue
		}
		var row []*cell
		col := 0
		for _, tc := range rowCells(tr) {
			tcPr := tc.child("tcPr")
			span := min(max(atoi(tcPr.child("gridSpan").attr("val")), 1), 64) // Word has at most 63 columns
			c.b.step(1)
			ce := &cell{node: tc, col: col, colspan: span}
			if vm := tcPr.child("vMerge"); vm != nil && vm.attr("val") != "restart" {
				if start, ok := open[col]; ok {
					*start.rowspan++
					ce.continuation = true
				}
			}
			if !ce.continuation {
				one := 1
				ce.rowspan = &one
				if vm := tcPr.child("vMerge"); vm != nil && vm.attr("val") == "restart" {
					open[col] = ce
				} else {
					delete(open, col)
				}
			}
			row = append(row, ce)
			col += span
		}
		rows = append(rows, row)
	}
	c.out.WriteString("<table><tbody>")
	for _, row := range rows {
		c.out.WriteString("<tr>")
		for _, ce := range row {
			if ce.continuation {
				continue
			}
			attrs := ""
			if ce.colspan > 1 {
				attrs += fmt.Sprintf(` colspan="%d"`, ce.colspan)
			}
			if *ce.rowspan > 1 {
				attrs += fmt.Sprintf(` rowspan="%d"`, *ce.rowspan)
			}
			c.out.WriteString("<td" + attrs + ">")
			outer, saved := c.out, c.lists
			c.out, c.lists = &strings.Builder{}, nil
			c.inCell++
			err := c.blocks(ce.node.kids)
			c.closeLists(-1)
			c.inCell--
			inner := c.out.String()
			c.out, c.lists = outer, saved
			if err != nil {
				return err
			}
			// a cell of one plain paragraph needs no <p>: WeChat counts every character
			if strings.HasPrefix(inner, "<p>") && strings.HasSuffix(inner, "</p>") && strings.Count(inner, "<p") == 1 {
				inner = inner[len("<p>") : len(inner)-len("</p>")]
			}
			c.out.WriteString(inner)
			c.out.WriteString("</td>")
		}
		c.out.WriteString("</tr>")
	}
	c.out.WriteString("</tbody></table>")
	return nil
}

// rowCells returns a row's cells, looking through content controls.
func rowCells(tr *node) []*node {
	var out []*node
	for _, k := range tr.kids {
		switch k.name {
		case "tc":
			out = append(out, k)
		case "sdt":
			for _, kk := range k.child("sdtContent").children() {
				if kk.name == "tc" {
					out = append(out, kk)
				}
			}
		case "customXml":
			out = append(out, rowCells(k)...)
		}
	}
	return out
}

// runFormat is the formatting of a stretch of text.
type runFormat struct {
	bold, italic, underline bool
	color, vertAlign        string
}

// runWriter collects a paragraph's inline content as text with its format
// and raw markup, and renders it as HTML, merging adjacent text of the same
// format.
type runWriter struct {
	segs         []seg
	plain        strings.Builder
	texts, bolds int
	pictures     int
	inInstr      []bool
	err          error
}

type seg struct {
	raw  string
	text string
	f    runFormat
}

func (w *runWriter) allBold() bool { return w.texts > 0 && w.bolds == w.texts }

func (w *runWriter) text(s string, f runFormat) {
	if s == "" || w.hidden() {
		return
	}
	w.segs = append(w.segs, seg{text: s, f: f})
	w.plain.WriteString(s)
	if strings.TrimSpace(s) != "" {
		w.texts++
		if f.bold {
			w.bolds++
		}
	}
}

func (w *runWriter) raw(s string) {
	if !w.hidden() {
		w.segs = append(w.segs, seg{raw: s})
	}
}

// html renders the paragraph's content; a heading passes noBold, as it is
// bold as a whole.
func (w *runWriter) html(noBold ...bool) string {
	var b strings.Builder
	var cur runFormat
	open := false
	closeFormat := func() {
		if !open {
			return
		}
		if cur.vertAlign != "" {
			b.WriteString("</" + cur.vertAlign + ">")
		}
		if cur.color != "" {
			b.WriteString("</span>")
		}
		if cur.underline {
			b.WriteString("</u>")
		}
		if cur.italic {
			b.WriteString("</em>")
		}
		if cur.bold {
			b.WriteString("</strong>")
		}
		open = false
	}
	for _, s := range w.segs {
		if s.raw != "" {
			closeFormat()
			b.WriteString(s.raw)
			continue
		}
		f := s.f
		if len(noBold) > 0 && noBold[0] {
			f.bold = false
		}
		if !open || f != cur {
			closeFormat()
			cur, open = f, true
			if f.bold {
				b.WriteString("<strong>")
			}
			if f.italic {
				b.WriteString("<em>")
			}
			if f.underline {
				b.WriteString("<u>")
			}
			if f.color != "" {
				b.WriteString(`<span style="color: #` + f.color + `">`)
			}
			if f.vertAlign != "" {
				b.WriteString("<" + f.vertAlign + ">")
			}
		}
		b.WriteString(html.EscapeString(s.text))
	}
	closeFormat()
	return b.String()
}

// hidden reports whether the writer is inside a field's instructions.
func (w *runWriter) hidden() bool { return len(w.inInstr) > 0 && w.inInstr[len(w.inInstr)-1] }

// inline converts a paragraph's content.
func (c *converter) inline(p *node, style string) *runWriter {
	w := &runWriter{}
	c.inlineKids(w, p.kids, style)
	return w
}

func (c *converter) inlineKids(w *runWriter, kids []*node, style string) {
	for _, k := range kids {
		if w.err != nil {
			return
		}
		c.b.step(1)
		switch k.name {
		case "r":
			c.run(w, k, style)
		case "hyperlink":
			href := ""
			if r, ok := c.doc.rels[k.attr("id")]; ok && r.external && isWebLink(r.target) {
				href = r.target
			}
			if href != "" {
				w.raw(`<a href="` + html.EscapeString(href) + `">`)
			}
			c.inlineKids(w, k.kids, style)
			if href != "" {
				w.raw("</a>")
			}
		case "ins", "moveTo", "smartTag", "customXml", "fldSimple", "dir", "bdo", "sdtContent":
			c.inlineKids(w, k.kids, style)
		case "sdt":
			c.inlineKids(w, k.child("sdtContent").children(), style)
		case "AlternateContent":
			c.inlineKids(w, choose(k), style)
		case "oMath", "oMathPara":
			c.mathText(w, k)
		}
	}
}

func isWebLink(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "mailto:")
}

func (c *converter) mathText(w *runWriter, n *node) {
	for _, k := range n.kids {
		c.b.step(1)
		if k.name == "t" {
			w.text(k.text, runFormat{})
		} else {
			c.mathText(w, k)
		}
	}
}

func (c *converter) format(rpr *node, style string) runFormat {
	s := c.doc.styles
	f := runFormat{bold: on(s.rProp(rpr, style, "b")), italic: on(s.rProp(rpr, style, "i"))}
	if u := s.rProp(rpr, style, "u"); u != nil && u.attr("val") != "none" {
		f.underline = true
	}
	if col := strings.ToUpper(s.rProp(rpr, style, "color").attr("val")); len(col) == 6 && col != "000000" && isHex(col) {
		f.color = col
	}
	switch s.rProp(rpr, style, "vertAlign").attr("val") {
	case "superscript":
		f.vertAlign = "sup"
	case "subscript":
		f.vertAlign = "sub"
	}
	return f
}

func isHex(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789ABCDEF", r) {
			return false
		}
	}
	return true
}

func (c *converter) run(w *runWriter, r *node, style string) {
	rpr := r.child("rPr")
	if on(rpr.child("vanish")) || on(rpr.child("webHidden")) {
		return
	}
	f := c.format(rpr, style)
	for _, k := range r.kids {
		if w.err != nil {
			return
		}
		c.b.step(1)
		switch k.name {
		case "t":
			w.text(k.text, f)
		case "tab", "ptab":
			w.text(" ", f)
		case "br", "cr":
			if k.attr("type") != "page" && k.attr("type") != "column" {
				w.raw("<br>")
			}
		case "noBreakHyphen":
			w.text("-", f)
		case "sym":
			if ch, err := strconv.ParseUint(k.attr("char"), 16, 32); err == nil && ch < 0xF000 {
				w.text(string(rune(ch)), f)
			}
		case "fldChar":
			switch k.attr("fldCharType") {
			case "begin":
				w.inInstr = append(w.inInstr, true)
			case "separate":
				if n := len(w.inInstr); n > 0 {
					w.inInstr[n-1] = false
				}
			case "end":
				if n := len(w.inInstr); n > 0 {
					w.inInstr = w.inInstr[:n-1]
				}
			}
		case "drawing", "pict", "object":
			c.drawing(w, k)
		case "AlternateContent":
			c.run(w, &node{name: "r", kids: append([]*node{{name: "rPr", kids: rpr.kidsOrNil()}}, choose(k)...)}, style)
		case "footnoteReference", "endnoteReference":
			c.noteRef(w, k)
		}
	}
}

func (n *node) kidsOrNil() []*node {
	if n == nil {
		return nil
	}
	return n.kids
}

// drawing writes the picture a drawing (DrawingML or VML) shows, and
// queues the paragraphs of a text box it holds.
func (c *converter) drawing(w *runWriter, d *node) {
	if w.hidden() {
		return
	}
	id := d.find(c.b, "blip").attr("embed")
	if id == "" {
		id = d.find(c.b, "imagedata").attr("id")
	}
	if id != "" && c.dry {
		w.pictures++
		return
	}
	if id != "" {
		if r, ok := c.doc.rels[id]; ok && !r.external {
			src, err := c.picture(r.target)
			if err != nil {
				w.err = err
				return
			}
			w.raw(`<img src="` + html.EscapeString(src) + `">`)
			w.pictures++
		}
	}
	if tb := d.find(c.b, "txbxContent"); tb != nil {
		for _, k := range tb.kids {
			if k.name == "p" {
				c.after = append(c.after, k)
			}
		}
	}
}

// picture reads a picture part once and checks WeChat will take it in a
// body: JPG or PNG, under 1 MB.
func (c *converter) picture(part string) (string, error) {
	if src, ok := c.srcOf[part]; ok {
		return src, nil
	}
	n := len(c.art.Order) + 1
	data, err := c.pkg.read(part, c.pkg.lim.MaxPictureBytes)
	if errors.Is(err, errTooBig) {
		return "", refuse("picture", "Word 文档中的第%d张图片过大（超过%dMB）：请在 Word 中压缩图片（选中图片→图片格式→压缩图片）后另存再导入", n, c.pkg.lim.MaxPictureBytes>>20)
	}
	if errors.Is(err, errMissing) {
		return "", damaged(fmt.Sprintf("第%d张图片不在文件中", n), nil)
	}
	if err != nil {
		return "", err
	}
	info, err := content.SniffImage(data)
	if err != nil || (info.MIME != "image/jpeg" && info.MIME != "image/png") {
		kind := strings.ToUpper(strings.TrimPrefix(path.Ext(part), "."))
		if err == nil {
			kind = strings.ToUpper(strings.TrimPrefix(info.Ext(), "."))
		}
		return "", refuse("picture", "Word 文档中的第%d张图片是 %s 格式，微信正文只接受 JPG 和 PNG：请把它另存为 JPG 或 PNG 图片，在 Word 中替换后再导入", n, kind)
	}
	if len(data) >= content.WeChatBodyImgMax {
		return "", refuse("picture", "Word 文档中的第%d张图片 %.1fMB，超过微信正文图片 1MB 上限：请在 Word 中压缩图片（选中图片→图片格式→压缩图片，选“电子邮件”分辨率）后另存再导入", n, float64(len(data))/(1<<20))
	}
	src := "media/" + path.Base(part)
	for i := 2; c.art.Pictures[src] != nil; i++ {
		src = fmt.Sprintf("media/%d-%s", i, path.Base(part))
	}
	c.srcOf[part] = src
	c.art.Pictures[src] = data
	c.art.Order = append(c.art.Order, src)
	return src, nil
}

// noteRef writes a footnote or endnote marker [n] and keeps the note's text
// for the end of the article.
func (c *converter) noteRef(w *runWriter, k *node) {
	notes := c.doc.footnotes
	if k.name == "endnoteReference" {
		notes = c.doc.endnotes
	}
	note, ok := notes[k.attr("id")]
	if !ok || c.dry || c.inNote {
		return
	}
	c.inNote = true
	defer func() { c.inNote = false }()
	var parts []string
	for _, p := range note.kids {
		if p.name != "p" {
			continue
		}
		nw := c.inline(p, c.paraStyle(p.child("pPr")))
		if nw.err != nil {
			w.err = nw.err
			return
		}
		if s := strings.TrimSpace(nw.html()); s != "" {
			parts = append(parts, s)
			c.wrote(utf8.RuneCountInString(strings.TrimSpace(nw.plain.String())))
		}
	}
	c.notes = append(c.notes, strings.Join(parts, "<br>"))
	w.raw(fmt.Sprintf("<sup>[%d]</sup>", len(c.notes)))
}
