package docx

import (
	"html"
	"strconv"
	"strings"
)

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
	// the fonts and size of the run being read, and of the text so far
	font, hint  string // east Asian font name, and the one of the first text
	sz, firstSz int    // size in half-points
	fonts       map[string]int
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
		if w.texts == 1 {
			w.hint, w.firstSz = w.font, w.sz
		}
		if w.fonts == nil {
			w.fonts = map[string]int{}
		}
		w.fonts[w.font]++
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
	w.font, w.sz = c.font(rpr, style), atoi(c.doc.styles.rProp(rpr, style, "sz").attr("val"))
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
		case "lastRenderedPageBreak":
			if !c.dry {
				c.page++
				c.rendered = true
			}
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

// font is a run's east Asian font (the one Chinese text is set in).
func (c *converter) font(rpr *node, style string) string {
	f := c.doc.styles.rProp(rpr, style, "rFonts")
	if n := f.attr("eastAsia"); n != "" {
		return n
	}
	return f.attr("ascii")
}

// allFont reports whether every piece of text of the paragraph is set in
// a font that is, e.g., 黑体.
func (w *runWriter) allFont(is func(string) bool) bool {
	if w.texts == 0 {
		return false
	}
	for f := range w.fonts {
		if !is(f) {
			return false
		}
	}
	return true
}

func isHei(f string) bool { return strings.Contains(f, "黑体") || strings.EqualFold(f, "SimHei") }
func isKai(f string) bool {
	return strings.Contains(f, "楷") || strings.HasPrefix(strings.ToLower(f), "kaiti")
}
func isSong(f string) bool { return strings.Contains(f, "标宋") || strings.Contains(f, "小标宋") }
