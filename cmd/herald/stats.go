package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/reports"
	"github.com/herald-gov/herald/stats"
	"github.com/herald-gov/herald/storage"
)

func newCollector(cfg *configs.Config, st *storage.Store, a *app) *stats.Collector {
	wc, wb, _ := newChannels(cfg, st, a.log)
	return stats.New(cfg, st, wc, wb, a.log)
}

func parseDay(flagName, s string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return t, usagef("%s %q 不是日期，应写成 2026-11-01", flagName, s)
	}
	return t, nil
}

func cmdStatsCollect(ctx context.Context, a *app, args []string) error {
	fs := a.flags("stats collect")
	cfgPath := fs.String("config", "", "配置文件")
	from := fs.String("from", "", "起始日期 YYYY-MM-DD（默认昨天）")
	to := fs.String("to", "", "截止日期 YYYY-MM-DD（默认昨天，不晚于昨天）")
	account := fs.String("account", "", "只处理这些账号（id 以逗号分隔）")
	redo := fs.Bool("redo", false, "已存的日期也重新采集（默认跳过，续采）")
	cfg, st, err := a.parseAndOpen(ctx, fs, args, cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	c := newCollector(cfg, st, a)
	f, t := c.Yesterday(), c.Yesterday()
	if *from != "" {
		if f, err = parseDay("--from", *from, cfg.Location); err != nil {
			return err
		}
	}
	if *to != "" {
		if t, err = parseDay("--to", *to, cfg.Location); err != nil {
			return err
		}
	}
	var ids []string
	if *account != "" {
		ids = strings.Split(*account, ",")
	}
	progress := plainProgress(a.stderr)
	if file, ok := a.stderr.(*os.File); ok && term.IsTerminal(int(file.Fd())) {
		var bar *progressbar.ProgressBar
		progress = func(done, total int, account string) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(a.stderr), progressbar.OptionSetDescription("采集统计"),
					progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
			}
			_ = bar.Set(done)
		}
	}
	sum, err := c.Collect(ctx, f, t, ids, !*redo, progress)
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	fmt.Fprintf(a.stdout, "采集 %s 至 %s：%d 个账号，写入/更新 %d 行，平台调用 %d 次，用时 %.1fs\n",
		sum.From, sum.To, sum.Accounts, sum.RowsWritten, sum.Calls, sum.Elapsed.Seconds())
	for _, fl := range sum.Failures {
		fmt.Fprintf(a.stdout, "  未完成 %s：%s\n", fl.Account, fl.Reason)
	}
	if len(sum.Failures) > 0 {
		return fmt.Errorf("%d 个账号的数据未采集完整（已记录，其余账号已完成）", len(sum.Failures))
	}
	return err
}

// plainProgress prints a line every tenth of the accounts, for logs.
func plainProgress(w io.Writer) stats.Progress {
	return func(done, total int, account string) {
		if step := max(1, total/10); done%step == 0 || done == total {
			fmt.Fprintf(w, "采集进度 %d/%d\n", done, total)
		}
	}
}

func cmdStatsExport(ctx context.Context, a *app, args []string) error {
	fs := a.flags("stats export")
	cfgPath := fs.String("config", "", "配置文件")
	from := fs.String("from", "", "起始日期 YYYY-MM-DD")
	to := fs.String("to", "", "截止日期 YYYY-MM-DD")
	targets := fs.String("to-accounts", "all", "all | group:分组名 | 账号 id")
	format := fs.String("format", "", "csv | xlsx（格式）")
	out := fs.String("out", "", "输出文件")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" || *out == "" {
		return usagef("请给出 --from、--to 和 --out")
	}
	if *format != "csv" && *format != "xlsx" {
		return usagef("--format 只能是 csv 或 xlsx")
	}
	if err := outFolder(*out); err != nil {
		return err
	}
	cfg, st, err := a.openStore(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	f, err := parseDay("--from", *from, cfg.Location)
	if err != nil {
		return err
	}
	t, err := parseDay("--to", *to, cfg.Location)
	if err != nil {
		return err
	}
	if t.Before(f) {
		return usagef("--to 早于 --from")
	}
	ids, platforms, err := exportAccounts(ctx, st, *targets)
	if err != nil {
		return err
	}
	fromDay, toDay := f.Format("2006-01-02"), t.Format("2006-01-02")
	n, err := reports.ExportStats(ctx, st, *format, *out, reports.ExportTitle(cfg, fromDay, toDay), fromDay, toDay, ids, platforms)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "导出 %d 行到 %s\n", n, *out)
	return nil
}

func exportAccounts(ctx context.Context, st *storage.Store, spec string) ([]string, map[string]string, error) {
	tg, err := content.ParseTargets(spec)
	if err != nil {
		return nil, nil, usagef("%v", err)
	}
	all, err := st.Accounts(ctx, true)
	if err != nil {
		return nil, nil, err
	}
	platforms := map[string]string{}
	var ids []string
	for _, acc := range all {
		platforms[acc.ID] = acc.Platform
		if tg.Includes(acc.ID, acc.Groups) {
			ids = append(ids, acc.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil, usagef("--to-accounts %q 没有对应的账号", spec)
	}
	return ids, platforms, nil
}
