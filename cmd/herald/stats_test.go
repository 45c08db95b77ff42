package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/internal/testenv"
)

func TestStatsCollectAndExport(t *testing.T) {
	e := newEnv(t, testenv.Options{WeChat: 1, Weibo: 1, Sandbox: sandbox.Options{Seed: 4}, YAML: "groups: [{name: county, title: 县级}]",
		WeChatApp: func(i int, app *sandbox.WeChatApp) { app.Followers = 15000 }})

	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Now().In(loc)
	to := time.Date(now.Year(), now.Month(), now.Day()-2, 0, 0, 0, 0, loc) // ready whatever the hour
	from := to.AddDate(0, 0, -13)
	code, out, errs := e.herald("stats", "collect", "--from", from.Format("2006-01-02"), "--to", to.Format("2006-01-02"))
	if code != 0 || !strings.Contains(out, "2 个账号") {
		t.Fatalf("collect: %d %s %s", code, out, errs)
	}
	csvPath := filepath.Join(e.dir, "stats.csv")
	code, _, errs = e.herald("stats", "export", "--from", from.Format("2006-01-02"), "--to", to.Format("2006-01-02"),
		"--format", "csv", "--out", csvPath)
	if code != 0 {
		t.Fatalf("export csv: %s", errs)
	}
	f, _ := os.Open(csvPath)
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0][:10], ","); got != "date,account,platform,followers,new_followers,lost_followers,posts,reads,shares,likes" {
		t.Fatalf("header %q", got)
	}
	wechatRows := 0
	for _, r := range recs[1:] {
		switch r[1] {
		case "wx000":
			wechatRows++
			want, _ := e.Sandbox.Figures("wxapp000", r[0])
			if r[3] != fmt.Sprint(want.Followers) || r[7] != fmt.Sprint(want.Reads) {
				t.Fatalf("csv row %v, platform %+v", r, want)
			}
		case "wb000":
			if r[7] != "" || r[9] != "" {
				t.Fatalf("weibo reads/likes are not given by the platform and must be empty, not 0: %v", r)
			}
		}
	}
	if wechatRows != 14 {
		t.Fatalf("%d WeChat rows, want 14", wechatRows)
	}

	xlsxPath := filepath.Join(e.dir, "stats.xlsx")
	code, _, errs = e.herald("stats", "export", "--from", from.Format("2006-01-02"), "--to", to.Format("2006-01-02"),
		"--to-accounts", "wx000", "--format", "xlsx", "--out", xlsxPath)
	if code != 0 {
		t.Fatalf("export xlsx: %s", errs)
	}
	x, err := excelize.OpenFile(xlsxPath)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) != 1 {
		t.Fatalf("sheets %v", sheets)
	}
	rows, _ := x.GetRows(sheets[0])
	if len(rows) != 15 || rows[0][0] != "date" || rows[0][9] != "likes" {
		t.Fatalf("xlsx rows %d, header %v", len(rows), rows[0])
	}
	// A number cell carries no string type (OOXML's default type is number).
	typ, _ := x.GetCellType(sheets[0], "D2")
	if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Fatalf("followers cell type %v, want number", typ)
	}
	style, _ := x.GetCellStyle(sheets[0], "A2")
	st, _ := x.GetStyle(style)
	if st == nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "yyyy-mm-dd" {
		t.Fatalf("date cell not formatted as a yyyy-mm-dd date: %+v", st)
	}
	if v, _ := x.GetCellValue(sheets[0], "A2"); v != from.Format("2006-01-02") {
		t.Fatalf("date cell shows %q, want %s", v, from.Format("2006-01-02"))
	}
	// It prints: A4 landscape, one page wide, the header row on every page.
	layout, _ := x.GetPageLayout(sheets[0])
	if *layout.Orientation != "landscape" || layout.FitToWidth == nil || *layout.FitToWidth != 1 {
		t.Fatalf("export page layout %+v", layout)
	}
	var printTitles string
	for _, dn := range x.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && dn.Scope == sheets[0] {
			printTitles = dn.RefersTo
		}
	}
	if !strings.HasSuffix(printTitles, "!$1:$1") {
		t.Fatalf("export print titles %q, want the header row", printTitles)
	}
	raw, _ := x.GetCellValue(sheets[0], "A2", excelize.Options{RawCellValue: true})
	if raw == from.Format("2006-01-02") || strings.Contains(raw, "-") {
		t.Fatalf("date stored as text %q, want a date serial", raw)
	}
	// Bad input: refused, nothing written.
	bad := filepath.Join(e.dir, "bad.csv")
	if code, _, _ := e.herald("stats", "export", "--from", "2026-13-01", "--to", "2026-11-01", "--format", "csv", "--out", bad); code != 2 {
		t.Fatalf("bad date: exit %d", code)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Fatal("a refused export left a file")
	}
}
