package main

import (
	"context"
	"fmt"
	"time"

	"github.com/herald-gov/herald/reports"
)

func cmdReportDormant(ctx context.Context, a *app, args []string) error {
	fs := a.flags("report dormant")
	cfgPath := fs.String("config", "", "config file")
	asJSON := fs.Bool("json", false, "JSON output")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, st, err := a.openStore(ctx, *cfgPath)
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
	t := newTable("账号", "名称", "平台", "最近发布", "未更新天数", "级别")
	levels := map[string]string{reports.LevelOK: "正常", reports.LevelWarn: "预警（≥10天）", reports.LevelCritical: "严重（≥14天）"}
	for _, r := range rows {
		last, days := "从未发布", "-"
		if r.LastPublished != nil {
			last = r.LastPublished.Format("2006-01-02 15:04")
			days = fmt.Sprint(*r.DaysSince)
		}
		t.add(r.Account, r.Name, r.Platform, last, days, levels[r.Level])
	}
	return t.write(a.stdout)
}
