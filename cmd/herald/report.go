package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/herald-gov/herald/reports"
	"github.com/herald-gov/herald/storage"
)

func cmdReportDormant(ctx context.Context, a *app, args []string) error {
	fs := a.flags("report dormant")
	cfgPath := fs.String("config", "", "配置文件")
	asJSON := fs.Bool("json", false, "输出 JSON")
	cfg, st, err := a.parseAndOpen(ctx, fs, args, cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	rows, err := reports.Dormant(ctx, cfg, st, time.Now())
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(a.stdout, rows)
	}
	t := newTable("账号", "名称", "平台", "最近发布", "未更新天数", "级别", "未达标的更新要求")
	levels := map[string]string{reports.LevelOK: "正常", reports.LevelWarn: "预警（≥10天）", reports.LevelCritical: "严重（≥14天）"}
	for _, r := range rows {
		last, days := "从未发布", "-"
		if r.LastPublished != nil {
			last = r.LastPublished.Format("2006-01-02 15:04")
			days = fmt.Sprint(*r.DaysSince)
		}
		var breaches []string
		for _, b := range r.Breaches {
			breaches = append(breaches, fmt.Sprintf("%s（近%d天%d条）", b.Rule, b.Days, b.Posts))
		}
		t.add(r.Account, r.Name, r.Platform, last, days, levels[r.Level], strings.Join(breaches, "；"))
	}
	return t.write(a.stdout)
}

func cmdReportMonthly(ctx context.Context, a *app, args []string) error {
	fs := a.flags("report monthly")
	cfgPath := fs.String("config", "", "配置文件")
	month := fs.String("month", "", "YYYY-MM")
	quarter := fs.String("quarter", "", "YYYY-Qn（代替 --month）")
	year := fs.String("year", "", "YYYY（代替 --month）")
	out := fs.String("out", "", "要写出的报表（.xlsx）")
	if err := parse(fs, args); err != nil {
		return err
	}
	given := 0
	for _, v := range []string{*month, *quarter, *year} {
		if v != "" {
			given++
		}
	}
	if given != 1 || *out == "" {
		return usagef("请给出 --month 2026-11、--quarter 2026-Q4 或 --year 2026 之一，并用 --out 指定 .xlsx 文件")
	}
	if err := outFolder(*out); err != nil {
		return err
	}
	cfg, st, err := a.openStore(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	var p reports.Period
	switch {
	case *month != "":
		p, err = reports.ParseMonth(*month, cfg.Location)
	case *quarter != "":
		p, err = reports.ParseQuarter(*quarter, cfg.Location)
	default:
		p, err = reports.ParseYear(*year, cfg.Location)
	}
	if err != nil {
		return usagef("%v", err)
	}
	// A year for 1,000 accounts (BenchmarkReportYear) peaks at ~307 MB RSS
	// with the default GC, ~250 MB with this soft limit: collect garbage
	// harder as the heap nears 200 MB rather than let it double.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(200 << 20))
	m, err := reports.BuildMonthly(ctx, cfg, st, p, time.Now())
	if err != nil {
		return err
	}
	if err := writeWorkbookFile(*out, func(w io.Writer) error { return m.WriteWorkbook(w, cfg) }); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s报表已写入 %s：%d 个账号，%d 行明细。%s\n", p.Title(), *out, len(m.Summary), m.DetailRows,
		reports.CollectHint(m.Summary))
	return nil
}

func cmdReportAnnual(ctx context.Context, a *app, args []string) error {
	fs := a.flags("report annual")
	cfgPath := fs.String("config", "", "配置文件")
	year := fs.String("year", "", "YYYY")
	out := fs.String("out", "", "要写出的报表（.xlsx）")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *year == "" || *out == "" {
		return usagef("请用 --year 2026 指定年度，并用 --out 指定 .xlsx 文件")
	}
	if err := outFolder(*out); err != nil {
		return err
	}
	cfg, st, err := a.openStore(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := reports.ParseYear(*year, cfg.Location)
	if err != nil {
		return usagef("%v", err)
	}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(200 << 20))
	ann, err := reports.BuildAnnual(ctx, cfg, st, p.From.Year(), time.Now())
	if err != nil {
		return err
	}
	if err := writeWorkbookFile(*out, func(w io.Writer) error { return ann.WriteAnnual(w, cfg) }); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%d年度政府网站工作年度报表（移动新媒体、留言办理）已写入 %s：%d 个账号，收到留言 %d 条，办结 %d 条。\n",
		ann.Year, *out, len(ann.Accounts), ann.Received, ann.Done)
	return nil
}

// writeWorkbookFile writes a workbook to out through a temporary file next to
// it, renamed into place only when complete: a killed report leaves no
// half-written workbook, and its temporary file is removed by the next one.
func writeWorkbookFile(out string, write func(io.Writer) error) error {
	dir := filepath.Dir(out)
	storage.RemoveStaleTemp(dir, ".herald-report-", time.Hour) // left by a killed report
	tmp, err := os.CreateTemp(dir, ".herald-report-*")
	if err != nil {
		return fmt.Errorf("无法写入 %s：%w", out, err)
	}
	defer os.Remove(tmp.Name())
	err = write(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("无法写入 %s：%w", out, err)
	}
	return nil
}

// outFolder checks, before any work, that --out names a file in a folder
// that exists: a mistyped folder is told in one plain line.
func outFolder(out string) error {
	dir := filepath.Dir(out)
	switch fi, err := os.Stat(dir); {
	case err != nil:
		return usagef("--out：文件夹 %s 不存在，请先建好或换一个位置", dir)
	case !fi.IsDir():
		return usagef("--out：%s 不是文件夹", dir)
	}
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		return usagef("--out：%s 是文件夹，请写出文件名（例如 %s）", out, filepath.Join(out, "报表.xlsx"))
	}
	return nil
}
