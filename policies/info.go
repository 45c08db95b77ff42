package policies

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Labels of the 信息公开 table (and of "label：value" lines) by field.
// Labels marked colon are common words; they count only as "label：".
var infoLabels = []struct {
	field  string
	colon  bool
	labels []string
}{
	{"index", false, []string{"索引号", "信息索引号", "信息索引", "索取号", "索引编号", "索引"}},
	{"issuer", false, []string{"发文机关", "发布机构", "发文单位", "发文机构", "制发机关", "发布单位", "信息来源", "来源单位", "发布机关", "制文机关"}},
	{"number", false, []string{"发文字号", "文号", "文件编号", "发文编号", "文件字号"}},
	{"written", false, []string{"成文日期", "成文时间", "印发日期", "发文日期", "制发日期", "签发日期"}},
	{"published", false, []string{"发布日期", "发布时间", "公开日期", "公开时间", "生成日期", "发表时间", "发稿时间", "信息时间"}},
	{"title", false, []string{"标题", "文件名称", "名称", "信息名称", "文件标题"}},
	{"source", true, []string{"来源"}},
	{"date", true, []string{"日期", "时间"}},
}

// otherLabels are labels of the 信息公开 table herald does not read; a
// cell starting with one is never taken as another label's value.
var otherLabels = []string{"主题分类", "主题词", "公开方式", "公开范围", "公开形式", "公开时限", "体裁分类", "组配分类", "服务对象",
	"有效性", "是否有效", "时效", "生效日期", "施行日期", "失效日期", "废止日期", "有效期", "所属主题", "信息类别", "信息分类", "关键词", "关键字",
	"内容概述", "摘要", "公文种类", "统一编号", "登记号", "统一登记号", "效力状态", "字号", "浏览次数", "点击数", "访问量", "阅读次数", "作者",
	"责任编辑", "分类", "发布人", "类别", "所属机构", "体裁", "载体类型", "文种", "题名", "成文机关"}

// emptyValue is what tables write for "none": 无, 暂无, —, 空, /.
var emptyValue = regexp.MustCompile(`^(无|暂无|无文号|无号|空|不详|null|NULL|none|[-—–－_/／\\.。·、\s　]*)$`)

// labelledCell is a cell that begins with a label of its own ("主题分类:综合政务").
var labelledCell = regexp.MustCompile(`^[\p{Han}\s　]{2,8}[：:]`)

// cutLabel matches label at the start of cell, white space inside the
// cell's label ignored (索 引 号, 文　　号); it returns the rest and whether
// a colon followed the label.
func cutLabel(cell, label string) (rest string, colon, ok bool) {
	i := 0
	for _, want := range label {
		for i < len(cell) {
			r, n := utf8.DecodeRuneInString(cell[i:])
			if !unicode.IsSpace(r) && r != '\u3000' {
				break
			}
			i += n
		}
		r, n := utf8.DecodeRuneInString(cell[i:])
		if r != want {
			return "", false, false
		}
		i += n
	}
	rest = strings.TrimLeft(cell[i:], " \u3000\u00a0")
	if strings.HasPrefix(rest, "：") || strings.HasPrefix(rest, ":") {
		colon = true
		rest = strings.TrimLeft(rest, "：: \u3000\u00a0")
	} else if rest != "" && unicode.Is(unicode.Han, firstRune(rest)) {
		return "", false, false // 标题栏, 时间安排: a word, not the label
	}
	return strings.TrimSpace(rest), colon, true
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// isLabel reports whether a cell is a label by itself or begins with one.
func isLabel(s string) bool {
	if labelledCell.MatchString(s) {
		return true
	}
	for _, f := range infoLabels {
		for _, l := range f.labels {
			if rest, colon, ok := cutLabel(s, l); ok && rest == "" && (colon || !f.colon) {
				return true
			}
		}
	}
	for _, l := range otherLabels {
		if rest, _, ok := cutLabel(s, l); ok && rest == "" {
			return true
		}
	}
	return false
}

// infoCells are the short texts of the page outside the document's
// content, in page order, where the 信息公开 table and the "发布时间：…
// 来源：…" line stand. Table cells come row by row; a row of labels above a
// row of values comes as label, value, label, value.
func infoCells(root *html.Node, body *content) []string {
	var cells []string
	add := func(n *html.Node) {
		t := clean(textOf(n))
		if utf8.RuneCountInString(t) > 120 {
			return
		}
		// "发布日期：… 信息来源：…" in one cell: each label's part as a cell
		at := 0
		for _, m := range nextLabel.FindAllStringIndex(t, -1) {
			cells = append(cells, strings.TrimSpace(t[at:m[0]]))
			at = m[0]
		}
		cells = append(cells, strings.TrimSpace(t[at:]))
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if body != nil && body.contains(n) {
			return
		}
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Head:
				return
			case atom.Table, atom.Tbody, atom.Thead:
				if rows := tableRows(n); len(rows) > 0 {
					tableCells(rows, add)
					for _, r := range rows {
						for _, c := range r {
							if !leafCell(c) {
								for k := c.FirstChild; k != nil; k = k.NextSibling {
									walk(k)
								}
							}
						}
					}
					return
				}
			case atom.Li, atom.Dt, atom.Dd, atom.Span, atom.P, atom.Label, atom.B, atom.Strong, atom.Em, atom.Font, atom.H3, atom.H4, atom.H5:
				if t := clean(textOf(n)); t != "" {
					add(n)
				}
			case atom.Div:
				if !hasListOrBlock(n) {
					if t := clean(textOf(n)); t != "" {
						add(n)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return cells
}

// tableRows are the cells of a table's rows (its own, not nested tables').
func tableRows(t *html.Node) [][]*html.Node {
	var rows [][]*html.Node
	for c := t.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.Tbody, atom.Thead, atom.Tfoot:
			rows = append(rows, tableRows(c)...)
		case atom.Tr:
			var r []*html.Node
			for d := c.FirstChild; d != nil; d = d.NextSibling {
				if d.Type == html.ElementNode && (d.DataAtom == atom.Td || d.DataAtom == atom.Th) {
					r = append(r, d)
				}
			}
			rows = append(rows, r)
		}
	}
	return rows
}

// leafCell is a table cell without a nested table or block of text.
func leafCell(c *html.Node) bool {
	leaf := true
	walkElements(c, func(e *html.Node) bool {
		if e.DataAtom == atom.Table || e.DataAtom == atom.Div && hasBlockChild(e) {
			leaf = false
		}
		return leaf
	})
	return leaf && utf8.RuneCountInString(clean(textOf(c))) <= 120
}

// tableCells adds the leaf cells of rows in reading order; a row whose
// cells are all labels, followed by a row of as many values, is paired up.
func tableCells(rows [][]*html.Node, add func(*html.Node)) {
	for i := 0; i < len(rows); i++ {
		r := rows[i]
		if len(r) >= 2 && i+1 < len(rows) && len(rows[i+1]) == len(r) && allLabels(r) && !anyLabel(rows[i+1]) {
			for j := range r {
				add(r[j])
				add(rows[i+1][j])
			}
			i++
			continue
		}
		for _, c := range r {
			if leafCell(c) {
				add(c)
			}
		}
	}
}

func allLabels(r []*html.Node) bool {
	for _, c := range r {
		if !isLabel(clean(textOf(c))) {
			return false
		}
	}
	return true
}

func anyLabel(r []*html.Node) bool {
	for _, c := range r {
		if t := clean(textOf(c)); t != "" && isLabel(t) {
			return true
		}
	}
	return false
}

// readInfo finds "label value" pairs in the cells: a label cell followed by
// the cell holding its value, or "label：value" in one cell. A value that
// is itself labelled is no value; 无, 暂无, — are empty. The first
// non-empty value of a field wins.
func readInfo(cells []string) map[string]string {
	out := map[string]string{}
	for i, c := range cells {
	fields:
		for _, f := range infoLabels {
			for _, l := range f.labels {
				rest, colon, ok := cutLabel(c, l)
				if !ok || (f.colon && !colon) {
					continue
				}
				v := ""
				switch {
				case rest != "":
					v = cutAtNextLabel(rest)
				case i+1 < len(cells) && !isLabel(cells[i+1]):
					v = cells[i+1]
				}
				if emptyValue.MatchString(v) {
					v = ""
				}
				if out[f.field] == "" && v != "" {
					out[f.field] = v
				}
				break fields
			}
		}
	}
	return out
}

// nextLabel finds a following "label：" on the same line ("索引号：… 发文机关：…"
// in one cell, "发布时间：… 来源：… 字号：大 中 小").
var nextLabel = regexp.MustCompile(`[\s　]+\p{Han}(?:[\s　]?\p{Han}){1,5}[：:]`)

// cutAtNextLabel ends a value at a following label on the same line.
func cutAtNextLabel(s string) string {
	end := len(s)
	if m := nextLabel.FindStringIndex(s); m != nil {
		end = m[0]
	}
	for _, ls := range [][]string{otherLabels} {
		for _, l := range ls {
			for _, sep := range []string{"：", ":"} {
				if i := strings.Index(s, l+sep); i > 0 && i < end {
					end = i
				}
			}
		}
	}
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

// hasListOrBlock reports whether n has a block, list or table child.
func hasListOrBlock(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			switch c.DataAtom {
			case atom.Div, atom.P, atom.Table, atom.Ul, atom.Ol, atom.Dl, atom.Li, atom.H1, atom.H2, atom.H3, atom.H4, atom.Section:
				return true
			}
		}
	}
	return false
}
