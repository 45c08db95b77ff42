package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/channels/weibo"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// accountCheck is one line of `herald accounts check`.
type accountCheck struct {
	Account  string `json:"account"`
	Name     string `json:"name"`
	Platform string `json:"platform"`
	// Status is ok, warn (token expires within 7 days), or error.
	Status  string `json:"status"`
	Code    int    `json:"code,omitempty"`
	Message string `json:"message"`
	// TokenDaysLeft is the Weibo token's days left (null if unknown).
	TokenDaysLeft *int `json:"token_days_left"`
}

// cmdAccountsCheck checks every account's credentials with its platform.
// For WeChat it uses the cached token when there is one, so a check never
// invalidates the token a running daemon holds.
func cmdAccountsCheck(ctx context.Context, a *app, args []string) error {
	fs := a.flags("accounts check")
	cfgPath := fs.String("config", "", "配置文件")
	asJSON := fs.Bool("json", false, "输出 JSON")
	cfg, st, err := a.parseAndOpen(ctx, fs, args, cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	_, _, reg := newChannels(cfg, st, a.log)
	results := make([]accountCheck, len(cfg.Accounts))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range cfg.Accounts {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = checkOne(ctx, cfg, st, reg, &cfg.Accounts[i])
		}(i)
	}
	wg.Wait()
	if *asJSON {
		return writeJSON(a.stdout, results)
	}
	t := newTable("账号", "名称", "平台", "状态", "授权剩余天数", "说明")
	bad := 0
	for _, r := range results {
		days := "-"
		if r.TokenDaysLeft != nil {
			days = fmt.Sprint(*r.TokenDaysLeft)
		}
		if r.Status == "error" {
			bad++
		}
		t.add(r.Account, r.Name, r.Platform, r.Status, days, r.Message)
	}
	if err := t.write(a.stdout); err != nil {
		return err
	}
	if bad > 0 {
		fmt.Fprintf(a.stdout, "%d 个账号需要处理\n", bad)
	}
	return nil
}

func checkOne(ctx context.Context, cfg *configs.Config, st *storage.Store, reg channels.Registry, acct *configs.Account) accountCheck {
	r := accountCheck{Account: acct.ID, Name: acct.Name, Platform: acct.Platform, Status: "ok", Message: "正常"}
	if acct.Platform == configs.PlatformWeibo {
		if days, ok := weibo.TokenDaysLeft(acct, time.Now(), cfg.Location); ok {
			r.TokenDaysLeft = &days
		}
	}
	ch, err := reg.For(acct.Platform)
	if err == nil {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = ch.Check(cctx, acct)
		cancel()
	}
	var ce *channels.Error
	switch {
	case err == nil:
		if r.TokenDaysLeft != nil && *r.TokenDaysLeft <= weibo.ExpiryWarnDays {
			r.Status, r.Message = "warn", fmt.Sprintf("微博授权 %d 天后到期，请尽快重新授权", *r.TokenDaysLeft)
		}
		_ = st.SetAccountHealth(ctx, acct.ID, storage.HealthOK, "")
	case errors.As(err, &ce) && ce.Class == channels.ClassCredentials:
		r.Status, r.Code, r.Message = "error", ce.Code, ce.Message
		_ = st.SetAccountHealth(ctx, acct.ID, storage.HealthUnhealthy, ce.Error())
	case errors.As(err, &ce):
		r.Status, r.Code, r.Message = "error", ce.Code, "检查未完成："+ce.Message
	default:
		r.Status, r.Message = "error", "检查未完成："+err.Error()
	}
	return r
}
