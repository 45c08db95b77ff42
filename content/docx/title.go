package docx

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// findTitle picks the title paragraph among the first six with text
// (before any table, picture or table of contents): a Title-styled one;
// else the first when it is a level-1 heading or centred and bold
// throughout; else a 公文 title (GB/T 9704: centred, in 小标宋 or at least
// 小二 size, not bold), passing over the 发文机关标志 and the 发文字号.
func (c *converter) findTitle() *node {
	var first, gongwen *node
	firstOK := false
	seen := 0
	for _, k := range c.doc.body.kids {
		if k.name == "tbl" || c.isTOC(k) {
			break
		}
		if k.name != "p" {
			continue
		}
		ppr := k.child("pPr")
		style := c.paraStyle(ppr)
		w := c.inline(k, style)
		text := strings.TrimSpace(w.plain.String())
		if w.pictures > 0 {
			break
		}
		if text == "" {
			continue
		}
		if c.styleNamed(style, "title") {
			return k
		}
		centred := c.align(ppr, style) == "center"
		switch {
		case banner(text, w):
		case first == nil:
			first = k
			firstOK = c.headingStyle(style, ppr) == 1 || (centred && w.allBold())
			fallthrough
		default:
			if gongwen == nil && centred && !docNumber.MatchString(text) && directHeading(text, true) == 0 &&
				(w.allFont(isSong) || w.firstSz >= 36) {
				gongwen = k
			}
		}
		if seen++; seen >= 6 {
			break
		}
	}
	if firstOK {
		return first
	}
	return gongwen
}

// docNumber matches a 发文字号 such as 青政办发〔2026〕12号.
var docNumber = regexp.MustCompile(`[〔［\[(（]\s*\d{4}\s*[〕］\])）]\s*\d+\s*号`)

// banner reports whether a line is a 公文's 发文机关标志 (版头): a name
// ending in 文件, or set larger than a title's 2号.
func banner(text string, w *runWriter) bool {
	return strings.HasSuffix(text, "文件") || w.firstSz > 52
}

// isTOC reports whether a body element is (part of) a table of contents:
// Word's TOC content control, a TOC-styled paragraph, or one holding a TOC
// field.
func (c *converter) isTOC(k *node) bool {
	switch k.name {
	case "sdt":
		return strings.Contains(k.child("sdtPr").child("docPartObj").child("docPartGallery").attr("val"), "Table of Contents")
	case "p":
		for _, st := range c.doc.styles.chain(c.paraStyle(k.child("pPr"))) {
			if strings.HasPrefix(st.name, "toc ") || st.name == "toc heading" {
				return true
			}
		}
		for _, r := range k.kids {
			if r.name == "r" {
				if it := r.child("instrText"); it != nil && strings.HasPrefix(strings.TrimSpace(it.text), "TOC") {
					return true
				}
			}
		}
	}
	return false
}

// titleLines returns the title paragraph and the ones that continue it: a
// long title set on two or three centred bold lines (or Title-styled
// paragraphs, or 公文 lines in the title's font and size), as government
// documents often are.
func (c *converter) titleLines(first *node) []*node {
	lines := []*node{first}
	style := c.paraStyle(first.child("pPr"))
	byStyle := c.styleNamed(style, "title")
	fw := c.inline(first, style)
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
			same = c.align(k.child("pPr"), st) == "center" && w.allBold() == fw.allBold() && directHeading(text, true) == 0 &&
				c.headingStyle(st, k.child("pPr")) == c.headingStyle(style, first.child("pPr")) &&
				(w.allBold() || (w.firstSz == fw.firstSz && w.allFont(isSong) == fw.allFont(isSong)))
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
