package main

import (
	"context"
	"strconv"

	"github.com/herald-gov/herald/storage"
)

// cmdAudit is `herald audit`: the audit log, of one item or all.
func cmdAudit(ctx context.Context, a *app, args []string) error {
	fs := a.flags("audit")
	cfgPath := fs.String("config", "", "配置文件")
	item := fs.Int64("item", 0, "只看这篇稿件")
	asJSON := fs.Bool("json", false, "输出 JSON")
	cfg, st, err := a.parseAndOpen(ctx, fs, args, cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	entries, err := st.AuditLog(ctx, *item, 0)
	if err != nil {
		return err
	}
	if *asJSON {
		if entries == nil {
			entries = []storage.AuditEntry{}
		}
		return writeJSON(a.stdout, entries)
	}
	t := newTable("时间", "操作人", "动作", "稿件", "版本", "账号", "详情")
	for _, e := range entries {
		t.add(e.At.In(cfg.Location).Format("2006-01-02 15:04:05"), e.Actor, e.Action, strconv.FormatInt(e.ItemID, 10),
			strconv.FormatInt(e.RevisionID, 10), e.Account, e.Detail)
	}
	return t.write(a.stdout)
}
