package docx

import (
	"strconv"
	"strings"
)

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
