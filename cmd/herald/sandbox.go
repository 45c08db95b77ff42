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
	listen := fs.String("listen", "127.0.0.1:9000", "address to serve on")
	seed := fs.Uint64("seed", 1, "seed for statistics, ids and faults")
	latency := fs.Duration("latency", 0, "latency added to every API call")
	transient := fs.Float64("transient-rate", 0, "share of calls answered with a transient error (0..1)")
	lost := fs.Float64("lost-rate", 0, "share of publishing calls whose answer is lost (0..1)")
	reject := fs.Float64("reject-share", 0, "share of WeChat publishes rejected by platform review (0..1)")
	allowIP := fs.String("allow-ip", "", "comma-separated IP whitelist for WeChat (empty: any)")
	polls := fs.Int("publish-polls", 1, "how many freepublish/get answers say \"publishing\" before the final status")
	cfgPath := fs.String("config", "", "register this config's accounts (default: the demo matrix)")
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
