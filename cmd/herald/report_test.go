package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestReportMonthlyPeriods: exactly one of --month, --quarter, --year; the
// workbook's titles name reports.region and reports.unit; a refused period
// leaves no file.
func TestReportMonthlyPeriods(t *testing.T) {
	o := cliOptions()
	o.YAML += "reports: {region: 青山县, unit: 中共青山县委宣传部}\n"
	e := newEnv(t, o)
	out := filepath.Join(e.dir, "year.xlsx")
	for _, args := range [][]string{
		{"--year", "2026", "--month", "2026-11", "--out", out},
		{"--year", "26", "--out", out},
		{"--quarter", "2026-Q5", "--out", out},
		{"--year", "2026"},
	} {
		code, _, stderr := e.herald(append([]string{"report", "monthly"}, args...)...)
		first, _, _ := strings.Cut(stderr, "\n")
		if code != 2 || !strings.Contains(first, "应写成") && !strings.Contains(first, "请给出") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a line saying what to write", args, code, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%v left %s", args, out)
		}
	}
	code, stdout, stderr := e.herald("report", "monthly", "--year", "2026", "--out", out)
	if code != 0 || !strings.Contains(stdout, "2026年度报表已写入") {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); sheets[1] != "1月" || sheets[12] != "12月" || !slices.Contains(sheets, "明细") {
		t.Fatalf("sheets %v", sheets)
	}
	title, _ := f.GetCellValue("汇总", "A1")
	unit, _ := f.GetCellValue("汇总", "A2")
	if title != "青山县政务新媒体2026年度运行情况统计表" || unit != "制表单位：中共青山县委宣传部" {
		t.Fatalf("title %q, unit line %q", title, unit)
	}
}
