package docx

import (
	"fmt"
	"strings"
)

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
	for _, tr := range c.tableRows(t.kids, nil) {
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
	if len(rows) == 0 {
		return nil // every row deleted (tracked): no empty grid
	}
	td := "<td"
	if c.bordered(t) {
		c.out.WriteString(`<table style="border-collapse: collapse"><tbody>`)
		td = `<td style="border: 1px solid"`
	} else {
		c.out.WriteString("<table><tbody>")
	}
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
			c.out.WriteString(td + attrs + ">")
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

// tableRows returns a table's rows, looking through the content controls
// that wrap them (repeating sections, drop-down rows) and leaving out rows
// deleted with tracked changes.
func (c *converter) tableRows(kids []*node, out []*node) []*node {
	for _, k := range kids {
		c.b.step(1)
		switch k.name {
		case "tr":
			if k.child("trPr").child("del") == nil {
				out = append(out, k)
			}
		case "sdt":
			out = c.tableRows(k.child("sdtContent").children(), out)
		case "sdtContent", "customXml", "ins", "moveTo":
			out = c.tableRows(k.kids, out)
		case "AlternateContent":
			out = c.tableRows(choose(k), out)
		}
	}
	return out
}

// bordered reports whether a table draws lines: borders of its own (or of
// its style, as Word's 网格型 "Table Grid") other than none, or borders on
// its first cell.
func (c *converter) bordered(t *node) bool {
	tblPr := t.child("tblPr")
	lines := func(b *node) bool {
		for _, e := range b.children() {
			if v := e.attr("val"); v != "" && v != "none" && v != "nil" {
				return true
			}
		}
		return false
	}
	if b := tblPr.child("tblBorders"); b != nil {
		return lines(b)
	}
	for _, st := range c.doc.styles.chain(tblPr.child("tblStyle").attr("val")) {
		if b := st.tblPr.child("tblBorders"); b != nil {
			return lines(b)
		}
	}
	if tr := t.child("tr"); tr != nil {
		return lines(tr.child("tc").child("tcPr").child("tcBorders"))
	}
	return false
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
