package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/channels/wechat"
	"github.com/herald-gov/herald/channels/weibo"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/scheduler"
	"github.com/herald-gov/herald/storage"
	"github.com/herald-gov/herald/web"
)

// daemon is everything `herald serve` runs, wired by hand.
type daemon struct {
	cfg   *configs.Config
	store *storage.Store
	queue *queue.Service
	sched *scheduler.Scheduler
	http  *http.Server
	ln    net.Listener
}

// newDaemon opens the store and wires channels, queue, scheduler and HTTP.
func newDaemon(ctx context.Context, cfg *configs.Config, log *slog.Logger) (*daemon, error) {
	st, err := storage.Open(ctx, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if err := st.SyncAccounts(ctx, accountsFromConfig(cfg)); err != nil {
		st.Close()
		return nil, err
	}
	reg := channels.Registry{
		configs.PlatformWeChat: wechat.New(cfg, st, log, wechat.Options{SettleWindow: cfg.Delivery.SettleWindow}),
		configs.PlatformWeibo:  weibo.New(cfg, st, log),
	}
	q := queue.New(cfg, st, nil)
	d := &daemon{cfg: cfg, store: st, queue: q}
	d.sched = scheduler.New(cfg, st, q, reg, log, scheduler.Options{})
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("listen on %s (config key listen): %w", cfg.Listen, err)
	}
	d.ln = ln
	d.http = &http.Server{Handler: web.New(cfg, st, q, log), ReadHeaderTimeout: 10 * time.Second}
	return d, nil
}

// URL is where the console answers.
func (d *daemon) URL() string { return "http://" + d.ln.Addr().String() + "/" }

// run serves until ctx ends, then shuts down in order: stop taking HTTP
// requests, let the scheduler finish calls in flight, close the store.
func (d *daemon) run(ctx context.Context, log *slog.Logger) error {
	errc := make(chan error, 2)
	go func() {
		if err := d.http.Serve(d.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http: %w", err)
		}
	}()
	schedDone := make(chan error, 1)
	go func() { schedDone <- d.sched.Run(ctx, nil) }()
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	shut, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = d.http.Shutdown(shut)
	if runErr != nil {
		return runErr
	}
	err := <-schedDone
	if cerr := d.store.Close(); err == nil {
		err = cerr
	}
	log.Info("herald stopped")
	return err
}

func cmdServe(ctx context.Context, a *app, args []string) error {
	fs := a.flags("serve")
	cfgPath := fs.String("config", "", "config file")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	d, err := newDaemon(ctx, cfg, a.log)
	if err != nil {
		return err
	}
	forceOnSecondSignal(ctx, a.log)
	a.log.Info("herald serving", "console", d.URL(), "data_dir", cfg.DataDir, "accounts", len(cfg.Accounts))
	return d.run(ctx, a.log)
}

// forceOnSecondSignal exits at once on a second SIGINT/SIGTERM after the
// first one started an orderly shutdown.
func forceOnSecondSignal(ctx context.Context, log *slog.Logger) {
	go func() {
		<-ctx.Done()
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		log.Warn("second signal: exiting now; deliveries in flight are reconciled at next start")
		os.Exit(exitFailure)
	}()
}
