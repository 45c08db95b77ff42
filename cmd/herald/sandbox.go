package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
)

// cmdSandbox serves the fake WeChat and Weibo APIs alone, with the example
// config's accounts registered (or --demo's matrix), until interrupted.
func cmdSandbox(ctx context.Context, a *app, args []string) error {
	fs := a.flags("sandbox")
	listen := fs.String("listen", "127.0.0.1:9000", "监听地址")
	seed := fs.Uint64("seed", 1, "seed for statistics, ids and faults")
	latency := fs.Duration("latency", 0, "每次接口调用增加的延迟")
	transient := fs.Float64("transient-rate", 0, "返回临时错误的调用比例（0..1）")
	lost := fs.Float64("lost-rate", 0, "答复丢失的发布调用比例（0..1）")
	reject := fs.Float64("reject-share", 0, "被平台审核拒绝的公众号发布比例（0..1）")
	allowIP := fs.String("allow-ip", "", "微信 IP 白名单，以逗号分隔（空：不限）")
	polls := fs.Int("publish-polls", 1, "freepublish/get 在给出最终状态前答复 \"发布中\" 的次数")
	cfgPath := fs.String("config", "", "注册此配置中的账号（默认：演示账号矩阵）")
	if err := parse(fs, args); err != nil {
		return err
	}
	for name, v := range map[string]float64{"--transient-rate": *transient, "--lost-rate": *lost, "--reject-share": *reject} {
		if v < 0 || v > 1 {
			return usagef("%s must be between 0 and 1", name)
		}
	}
	if *polls < 0 {
		return usagef("--publish-polls 不能小于 0")
	}
	opts := sandbox.Options{Seed: *seed, PublishPolls: *polls, Faults: sandbox.Faults{Latency: *latency, TransientRate: *transient, LostRate: *lost, RejectShare: *reject}}
	if *allowIP != "" {
		opts.AllowIPs = strings.Split(*allowIP, ",")
	}
	if *polls == 0 {
		opts.PublishPolls = -1 // sandbox.Options: negative means none
	}
	sb := sandbox.New(opts)
	if *cfgPath != "" {
		cfg, err := loadConfig(*cfgPath)
		if err != nil {
			return err
		}
		registerAccounts(sb, cfg)
	} else {
		m := demoMatrix()
		registerAccounts(sb, m.config("", "http://unused", "http://unused"))
	}
	return sb.Serve(ctx, *listen, func(addr net.Addr) {
		fmt.Fprintf(a.stdout, "sandbox WeChat and Weibo APIs on http://%s (state: http://%s/_sandbox/state)\n", addr, addr)
		fmt.Fprintf(a.stdout, "point herald at it: HERALD_WECHAT_API_BASE=http://%s HERALD_WEIBO_API_BASE=http://%s\n", addr, addr)
		a.log.Info("sandbox started", "addr", addr.String(), "seed", *seed, "latency", latency.String(), "at", time.Now().Format(time.RFC3339))
	})
}
