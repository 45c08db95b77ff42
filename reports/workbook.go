package reports

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// Print-ready sheets: every sheet of a report workbook has a title row
// naming the office and the period, a line with 制表单位 and 制表日期, then
// its table — bordered, with the header row frozen and repeated on every
// printed page — and prints landscape on A4, one page wide.

// colKind is how a table column's cells are formatted.
type colKind int

const (
	colText      colKind = iota
	colWrap              // long text, wrapped inside a capped width
	colCount             // whole numbers with thousands separators
	colDelta             // signed whole numbers: +12, -3
	colIndex             // two decimals
	colPct               // percent with one decimal
	colDate              // yyyy-mm-dd
	colRankDelta         // ↑2, ↓1, 持平
)

// column is one column of a table: its header cell and its format.
type column struct {
	name string
	kind colKind
}

// Number formats; dates are always year first, whatever the reader's locale.
const (
	fmtDate      = "yyyy-mm-dd"
	fmtCount     = "#,##0"
	fmtDelta     = "+#,##0;-#,##0;0"
	fmtIndex     = "0.00"
	fmtPct       = "0.0%"
	fmtRankDelta = `"↑"0;"↓"0;"持平"`
	maxColWidth  = 48.0
	pageFooter   = "&C第 &P 页，共 &N 页"
)

// workbook is a report workbook being written.
type workbook struct {
	f          *excelize.File
	title      string // 青山县政务新媒体2026年11月运行情况统计表
	unit, made string // 制表单位, 制表日期 (yyyy-mm-dd)
	styles     map[colKind]int
	header     int
	titleStyle int
	unitStyle  int
	madeStyle  int
	section    int
	note       int
	sheets     int
}

// newWorkbook starts a workbook whose sheets carry the title and the
// 制表单位/制表日期 line.
func newWorkbook(title, unit string, made time.Time) (*workbook, error) {
	wb := &workbook{f: excelize.NewFile(), title: title, unit: unit, made: made.Format("2006-01-02"), styles: map[colKind]int{}}
	wb.f.ZipWriter = fastZip
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	font := &excelize.Font{Family: "宋体", Size: 10.5}
	mid := &excelize.Alignment{Vertical: "center"}
	custom := func(s string) *string { return &s }
	specs := map[colKind]*excelize.Style{
		colText:      {Border: border, Font: font, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", Indent: 1}},
		colWrap:      {Border: border, Font: font, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true, Indent: 1}},
		colCount:     {Border: border, Font: font, Alignment: mid, CustomNumFmt: custom(fmtCount)},
		colDelta:     {Border: border, Font: font, Alignment: mid, CustomNumFmt: custom(fmtDelta)},
		colIndex:     {Border: border, Font: font, Alignment: mid, CustomNumFmt: custom(fmtIndex)},
		colPct:       {Border: border, Font: font, Alignment: mid, CustomNumFmt: custom(fmtPct)},
		colDate:      {Border: border, Font: font, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}, CustomNumFmt: custom(fmtDate)},
		colRankDelta: {Border: border, Font: font, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}, CustomNumFmt: custom(fmtRankDelta)},
	}
	var err error
	for k, s := range specs {
		if wb.styles[k], err = wb.f.NewStyle(s); err != nil {
			return nil, fmt.Errorf("workbook style: %w", err)
		}
	}
	for _, s := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&wb.header, &excelize.Style{Border: border, Font: &excelize.Font{Family: "黑体", Size: 10.5, Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Color: []string{"D9D9D9"}, Pattern: 1},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&wb.titleStyle, &excelize.Style{Font: &excelize.Font{Family: "黑体", Size: 16, Bold: true},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&wb.unitStyle, &excelize.Style{Font: font, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}}},
		{&wb.madeStyle, &excelize.Style{Font: font, Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}}},
		{&wb.section, &excelize.Style{Font: &excelize.Font{Family: "黑体", Size: 12, Bold: true}, Alignment: &excelize.Alignment{Vertical: "center"}}},
		{&wb.note, &excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 9}, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
	} {
		if *s.id, err = wb.f.NewStyle(s.style); err != nil {
			return nil, fmt.Errorf("workbook style: %w", err)
		}
	}
	return wb, nil
}

// sheet is one sheet being filled: title rows, then tables.
type sheet struct {
	wb        *workbook
	name      string
	cols      []column
	row       int       // the last row written
	header    int       // the first header row: frozen and repeated on printed pages
	widths    []float64 // widest table content per column, in character widths
	blockFrom int       // the current table block's first data row, 0 if none
	title     string
	fixed     []float64  // widths to use instead of fitting, if set
	wraps     []wrapText // wrapped text whose rows need height
}

// wrapText is wrapped text in a row, across columns from..to (0-based).
type wrapText struct {
	row, from, to int
	width         float64 // display width of the text
	lineHeight    float64 // points
}

// newSheet adds a sheet (the first call renames the default sheet), writes
// its title row across the columns and the 制表单位/制表日期 line.
func (wb *workbook) newSheet(name, title string, cols []column) (*sheet, error) {
	if wb.sheets == 0 {
		if err := wb.f.SetSheetName("Sheet1", name); err != nil {
			return nil, err
		}
	} else if _, err := wb.f.NewSheet(name); err != nil {
		return nil, err
	}
	wb.sheets++
	s := &sheet{wb: wb, name: name, title: title, cols: cols, widths: make([]float64, len(cols))}
	s.row = 2 // the title and the 制表单位 line, written by finish once the widths are known
	return s, nil
}

// cell names a cell by 1-based column and row.
func cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

// merged writes text across columns from..to of a row.
func (s *sheet) merged(row, from, to int, text string, style int) {
	f := s.wb.f
	f.SetCellValue(s.name, cell(from, row), text)
	if to > from {
		f.MergeCell(s.name, cell(from, row), cell(to, row))
	}
	f.SetCellStyle(s.name, cell(from, row), cell(to, row), style)
}

func (s *sheet) setHeight(row int, h float64) { s.wb.f.SetRowHeight(s.name, row, h) }

// headerRow writes the table header; the first one is frozen and repeated
// on every printed page.
func (s *sheet) headerRow() {
	s.endBlock()
	s.row++
	for i, c := range s.cols {
		s.wb.f.SetCellValue(s.name, cell(i+1, s.row), c.name)
		s.fit(i, c.name, true)
	}
	s.wb.f.SetCellStyle(s.name, cell(1, s.row), cell(len(s.cols), s.row), s.wb.header)
	s.setHeight(s.row, 24)
	if s.header == 0 {
		s.header = s.row
	}
}

// add writes one table row; nil and a nil *int64 stay empty. time.Time
// values are written as dates.
func (s *sheet) add(values ...any) {
	s.row++
	if s.blockFrom == 0 {
		s.blockFrom = s.row
	}
	for i, v := range values {
		switch x := v.(type) {
		case *int64:
			if x == nil {
				continue
			}
			v = *x
		case time.Time:
			v = excelDate(x)
		case float64:
			if i < len(s.cols) && s.cols[i].kind == colIndex {
				v = round2(x)
			}
		}
		if v == nil {
			continue
		}
		s.wb.f.SetCellValue(s.name, cell(i+1, s.row), v)
		if i >= len(s.cols) {
			continue
		}
		if text, ok := v.(string); ok && s.cols[i].kind == colWrap {
			s.wraps = append(s.wraps, wrapText{s.row, i, i, displayWidth(text), 14})
			continue // wraps: does not widen its column beyond the cap
		}
		s.fit(i, v, false)
	}
}

// endBlock styles the table rows written since the last header or section.
func (s *sheet) endBlock() {
	if s.blockFrom == 0 {
		return
	}
	for i, c := range s.cols {
		s.wb.f.SetCellStyle(s.name, cell(i+1, s.blockFrom), cell(i+1, s.row), s.wb.styles[c.kind])
	}
	s.blockFrom = 0
}

// sectionRow writes a heading across the sheet between tables.
func (s *sheet) sectionRow(text string) {
	s.endBlock()
	s.row++
	s.merged(s.row, 1, len(s.cols), text, s.wb.section)
	s.setHeight(s.row, 22)
}

// noteRow writes a wrapped note across the sheet.
func (s *sheet) noteRow(text string) {
	s.endBlock()
	s.row++
	s.merged(s.row, 1, len(s.cols), text, s.wb.note)
	s.wraps = append(s.wraps, wrapText{s.row, 0, len(s.cols) - 1, displayWidth(text) * 0.9, 12})
}

// fit widens a column for a value.
func (s *sheet) fit(i int, v any, header bool) {
	var w float64
	switch x := v.(type) {
	case string:
		w = displayWidth(x)
		if header {
			w += 2 // bold
		}
	case float64:
		switch s.cols[i].kind {
		case colDate:
			w = 10
		case colPct:
			w = 6
		default:
			w = float64(len(strconv.FormatFloat(x, 'f', 2, 64)))
		}
	case int, int64:
		n := len(fmt.Sprint(x))
		w = float64(n + (n-1)/3 + 1) // separators and a sign
		if s.cols[i].kind == colRankDelta {
			w = 4
		}
	default:
		w = displayWidth(fmt.Sprint(x))
	}
	if w > s.widths[i] {
		s.widths[i] = w
	}
}

// columnWidths are the widths to set: the widest content plus padding,
// wrapped columns at their cap (or less if all their text is shorter),
// widened where the title or the 制表单位 line would not fit.
func (s *sheet) columnWidths() []float64 {
	if s.fixed != nil {
		return s.fixed
	}
	out := make([]float64, len(s.cols))
	for i, w := range s.widths {
		limit := maxColWidth
		if s.cols[i].kind == colWrap {
			limit = 40
			for _, wr := range s.wraps {
				if wr.from == i && wr.to == i {
					w = max(w, wr.width)
				}
			}
		}
		out[i] = math.Min(math.Max(w+2, 6), limit)
	}
	// The title is 16 pt against the table's 10.5 pt; the 制表单位 line
	// shares the row with the date.
	need := math.Max(displayWidth(s.title)*1.6, displayWidth("制表单位："+s.wb.unit+"制表日期："+s.wb.made)+6)
	if total := sum(out); total < need {
		for i := range out {
			out[i] *= need / total
		}
	}
	return out
}

func sum(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

// finish sets the widths, writes the title and the 制表单位/制表日期 line,
// sizes the rows of wrapped text, freezes the header and sets up printing.
func (s *sheet) finish() error {
	s.endBlock()
	f := s.wb.f
	widths := s.columnWidths()
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(s.name, col, col, w); err != nil {
			return err
		}
	}
	n := len(s.cols)
	s.merged(1, 1, n, s.title, s.wb.titleStyle)
	s.setHeight(1, 30)
	// 制表单位 on the left over as many columns as it needs, 制表日期 on the right.
	unit, made := "制表单位："+s.wb.unit, "制表日期："+s.wb.made
	split := 1
	for split < n-1 && sum(widths[:split]) < displayWidth(unit)+2 {
		split++
	}
	if n == 1 {
		s.merged(2, 1, 1, unit+"　　"+made, s.wb.unitStyle)
	} else {
		s.merged(2, 1, split, unit, s.wb.unitStyle)
		s.merged(2, split+1, n, made, s.wb.madeStyle)
	}
	s.setHeight(2, 20)
	heights := map[int]float64{}
	for _, wr := range s.wraps {
		room := sum(widths[wr.from:wr.to+1]) - 1
		lines := math.Max(1, math.Ceil(wr.width/math.Max(room, 1)))
		heights[wr.row] = math.Max(heights[wr.row], lines*wr.lineHeight+4)
	}
	for row, h := range heights {
		s.setHeight(row, math.Max(h, 16))
	}
	if s.header > 0 {
		if err := f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: s.header, TopLeftCell: cell(1, s.header+1), ActivePane: "bottomLeft"}); err != nil {
			return err
		}
	}
	return s.wb.printSetup(s.name, s.header)
}

// printSetup makes a sheet print landscape on A4, one page wide and as
// many long as it takes, with header row (if any) repeated on every page
// and 第 N 页 共 M 页 in the footer.
func (wb *workbook) printSetup(name string, header int) error {
	f := wb.f
	fit, one, zero := true, 1, 0
	if err := f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	a4, landscape := 9, "landscape"
	if err := f.SetPageLayout(name, &excelize.PageLayoutOptions{Size: &a4, Orientation: &landscape, FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return err
	}
	return wb.printMargins(name, header)
}

func (wb *workbook) printMargins(name string, header int) error {
	f := wb.f
	side, top, foot, center := 0.4, 0.6, 0.3, true
	if err := f.SetPageMargins(name, &excelize.PageLayoutMarginsOptions{Left: &side, Right: &side, Top: &top, Bottom: &top,
		Header: &foot, Footer: &foot, Horizontally: &center}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{OddFooter: pageFooter}); err != nil {
		return err
	}
	if header == 0 {
		return nil
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: name,
		RefersTo: fmt.Sprintf("'%s'!$%d:$%d", name, header, header)})
}

// write sets the first sheet active and writes the workbook.
//
// excelize's WriteTo assembles the whole zip in a bytes.Buffer before
// copying it out (a year's workbook: 24 MB, and twice that while the
// buffer grows); the zip writer here writes straight to w instead and
// leaves that buffer empty. (The buffer is only patched afterwards for
// zip64 entries over 4 GB or for a password, neither of which a report has.)
func (wb *workbook) write(w io.Writer) error {
	wb.f.SetActiveSheet(0)
	wb.f.ZipWriter = func(io.Writer) excelize.ZipWriter { return fastZip(w) }
	_, err := wb.f.WriteTo(w)
	return err
}

// displayWidth is a string's width in Excel character widths: CJK and
// full-width characters count two.
func displayWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r >= 0x2E80 || (r >= 0x2010 && r <= 0x2026) {
			w += 2
		} else {
			w++
		}
	}
	return w
}

// excelDate is a calendar date as an Excel serial (days since 1899-12-30).
func excelDate(t time.Time) float64 {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return d.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
