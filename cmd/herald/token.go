package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/herald-gov/herald/storage"
)

// cmdTokenCreate makes an API token; it is printed once, alone on the last
// line, and only its hash is kept.
func cmdTokenCreate(ctx context.Context, a *app, args []string) error {
	fs := a.flags("token create")
	cfgPath := fs.String("config", "", "配置文件")
	name := fs.String("name", "", "使用者（有审核权的须为审核人姓名）")
	dept := fs.String("department", "", "代表的部门（新闻办：全部账号）")
	role := fs.String("role", "", "admin | editor | reviewer | viewer（角色）")
	expires := fs.String("expires", "", "有效期的最后一天（YYYY-MM-DD）或时长（90d、12h）；默认永久有效")
	asJSON := fs.Bool("json", false, "输出 {\"token\": ...}")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" || *dept == "" {
		return usagef("请写 --name 使用者姓名 和 --department 部门ID")
	}
	if !slices.Contains(storage.Roles, *role) {
		return usagef("--role 只能是 admin、editor、reviewer 或 viewer")
	}
	cfg, st, err := a.openStore(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, ok := cfg.Department(*dept); !ok {
		return usagef("unknown department %q (see departments in the config)", *dept)
	}
	var exp time.Time
	if *expires != "" {
		if exp, err = parseExpiry(*expires, time.Now(), cfg.Location); err != nil {
			return err
		}
	}
	token, err := st.CreateTokenExpiring(ctx, *name, *dept, *role, exp)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(a.stdout, map[string]string{"token": token})
	}
	until := ""
	if !exp.IsZero() {
		until = "，" + exp.In(cfg.Location).Format("2006-01-02 15:04") + " 失效"
	}
	fmt.Fprintf(a.stdout, "API token for %s (%s, %s%s); it is shown only now:\n%s\n", *name, *dept, *role, until, token)
	return nil
}

// parseExpiry reads --expires: a date (the token works through that day in
// loc) or a lifetime in days (90d) or a Go duration (12h).
func parseExpiry(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if d, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		end := d.AddDate(0, 0, 1)
		if !end.After(now) {
			return time.Time{}, usagef("--expires %s 已经过去", s)
		}
		return end, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days > 0 {
			return now.AddDate(0, 0, days), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(d), nil
	}
	return time.Time{}, usagef("--expires 写日期（2027-06-30）或时长（90d、12h）")
}

// cmdTokenList lists tokens: who, created, last used, expiry; never a token.
func cmdTokenList(ctx context.Context, a *app, args []string) error {
	fs := a.flags("token list")
	cfgPath := fs.String("config", "", "配置文件")
	asJSON := fs.Bool("json", false, "输出 JSON")
	cfg, st, err := a.parseAndOpen(ctx, fs, args, cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	toks, err := st.Tokens(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if toks == nil {
			toks = []storage.TokenInfo{}
		}
		return writeJSON(a.stdout, toks)
	}
	when := func(t *time.Time, none string) string {
		if t == nil {
			return none
		}
		return t.In(cfg.Location).Format("2006-01-02 15:04")
	}
	now := time.Now()
	t := newTable("名称", "部门", "角色", "创建于", "最近使用", "失效于", "状态")
	for _, k := range toks {
		state := "有效"
		switch {
		case k.Revoked:
			state = "已吊销"
		case k.ExpiresAt != nil && !k.ExpiresAt.After(now):
			state = "已过期"
		}
		t.add(k.Name, k.Department, k.Role, when(&k.CreatedAt, ""), when(k.LastUsedAt, "从未"), when(k.ExpiresAt, "不过期"), state)
	}
	return t.write(a.stdout)
}

// cmdTokenRevoke revokes every live token of a name; the API refuses them
// and their console sessions end at once.
func cmdTokenRevoke(ctx context.Context, a *app, args []string) error {
	fs := a.flags("token revoke")
	cfgPath := fs.String("config", "", "配置文件")
	if err := parse(fs, args); err != nil {
		return err
	}
	name, err := oneName(fs.Args())
	if err != nil {
		return err
	}
	_, st, err := a.openStore(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.RevokeTokens(ctx, name)
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%s 没有有效的令牌（herald token list 列出全部）", name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "已吊销 %s 的 %d 个令牌，用它们登录的控制台会话已结束\n", name, n)
	return nil
}
