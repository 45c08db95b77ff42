package docx

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

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
