package main

import (
	"context"
	"strings"

	"github.com/herald-gov/herald/storage"
)

// cmdAccountsList is `herald accounts list`: the accounts in the store, with
// their department's name and health.
func cmdAccountsList(ctx context.Context, a *app, args []string) error {
	fs := a.flags("accounts list")
	cfgPath := fs.String("config", "", "配置文件")
	all := fs.Bool("all", false, "包括已从配置中删除的账号（已停用）")
	asJSON := fs.Bool("json", false, "输出 JSON")
	cfg, st, err := a.parseAndOpen(ctx, fs, args, cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	accounts, err := st.Accounts(ctx, *all)
	if err != nil {
		return err
	}
	if *asJSON {
		if accounts == nil {
			accounts = []storage.Account{}
		}
		return writeJSON(a.stdout, accounts)
	}
	t := newTable("ID", "名称", "平台", "分组", "部门", "状态")
	for _, acc := range accounts {
		dept := acc.Department
		if d, ok := cfg.Department(acc.Department); ok {
			dept = d.Name
		}
		status := map[string]string{storage.HealthOK: "正常", storage.HealthUnhealthy: "异常"}[acc.Health]
		if status == "" {
			status = "未检查"
		}
		if !acc.Active {
			status = "已停用"
		}
		t.add(acc.ID, acc.Name, acc.Platform, strings.Join(acc.Groups, ","), dept, status)
	}
	return t.write(a.stdout)
}
