package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/channels/wechat"
	"github.com/herald-gov/herald/channels/weibo"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/inbox"
	"github.com/herald-gov/herald/notify"
	"github.com/herald-gov/herald/patrol"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/replica"
	"github.com/herald-gov/herald/reports"
	"github.com/herald-gov/herald/scheduler"
	"github.com/herald-gov/herald/stats"
	"github.com/herald-gov/herald/storage"
	"github.com/herald-gov/herald/web"
)

// newChannels makes the WeChat and Weibo channels for a config, and the
// registry the scheduler and account checks look them up in.
func newChannels(cfg *configs.Config, st *storage.Store, log *slog.Logger) (*wechat.Channel, *weibo.Channel, channels.Registry) {
	return newChannelsOn(cfg, st, log, time.Now)
}

// newChannelsOn is newChannels on the clock now.
func newChannelsOn(cfg *configs.Config, st *storage.Store, log *slog.Logger, now func() time.Time) (*wechat.Channel, *weibo.Channel, channels.Registry) {
	wc := wechat.New(cfg, st, log, wechat.Options{SettleWindow: cfg.Delivery.SettleWindow, Now: now})
	wb := weibo.New(cfg, st, log, now)
	return wc, wb, channels.Registry{configs.PlatformWeChat: wc, configs.PlatformWeibo: wb}
}

// daemon is everything `herald serve` runs, wired by hand.
type daemon struct {
	// now is the daemon's clock, handed to every part (newDaemonOn).
	now   func() time.Time
	cfg   *configs.Config
	store *storage.Store
	queue *queue.Service
	sched *scheduler.Scheduler
	stats *stats.Collector
	http  *http.Server
	ln    net.Listener
	lock  *storage.DirLock
	robot *notify.Robot // nil without notify.webhook_url
	// notifier tells the robot what the audit log records (nil without a
	// robot); its starting point is fixed when the daemon is made.
	notifier *notify.Notifier
	// patrol reads and checks what every account published (daily, after the statistics).
	patrol *patrol.Patrol
	// notifyPoll, when set, is how often the notifier reads the audit log (tests).
	notifyPoll time.Duration
	// policyFirst, when set, is how soon after start the first policy sync runs (tests; default 30s).
	policyFirst time.Duration
	// inbox is 回应: the public's messages, comments and mentions (serve_inbox.go).
	inbox *inbox.Service
	push  *inbox.Push
	// inboxPoll, when set, replaces interaction.poll (tests).
	inboxPoll time.Duration
	// replica ships the database and media files to replica.url (nil without it).
	replica *replica.Replicator
}

// newDaemon opens the store and wires channels, queue, scheduler and HTTP.
//
// It first takes the data directory's lock: a second daemon on the same
// data_dir would turn the first one's live deliveries into unknown and run
// the daily jobs twice, so it stops here naming the first one's PID.
func newDaemon(ctx context.Context, cfg *configs.Config, log *slog.Logger) (*daemon, error) {
	return newDaemonOn(ctx, cfg, log, time.Now)
}

// newDaemonOn is newDaemon on the clock now, which it hands to every part
// that reads the time: the store, the queue, the scheduler, the statistics
// and the patrol.
func newDaemonOn(ctx context.Context, cfg *configs.Config, log *slog.Logger, now func() time.Time) (d *daemon, err error) {
	if err := checkDiskRoom(cfg.DataDir); err != nil {
		return nil, err
	}
	lock, err := storage.LockDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = lock.Unlock()
		}
	}()
	st, err := storage.Open(ctx, cfg.DataDir, append(storeOptions(cfg), storage.WithClock(now))...)
	if err != nil {
		return nil, diskFullOr(cfg.DataDir, err)
	}
	if err := st.SyncAccounts(ctx, accountsFromConfig(cfg)); err != nil {
		st.Close()
		return nil, diskFullOr(cfg.DataDir, err)
	}
	if c, err := st.CleanTemp(ctx, 10*time.Minute); err != nil {
		log.Warn("could not clean temporary files", "err", err)
	} else if c.TempFiles+c.OrphanImages > 0 {
		log.Info("removed files left by a killed process", "temp_files", c.TempFiles, "orphan_images", c.OrphanImages)
	}
	wc, wb, reg := newChannelsOn(cfg, st, log, now)
	q := queue.New(cfg, st, now)
	d = &daemon{cfg: cfg, store: st, queue: q, stats: stats.New(cfg, st, wc, wb, log), lock: lock, robot: notify.NewRobot(cfg.Notify, nil), now: now}
	d.stats.Now = now
	d.sched = scheduler.New(cfg, st, q, reg, log, scheduler.Options{Now: now})
	if d.replica, err = startReplica(ctx, cfg, st, q, d.robot, log); err != nil {
		st.Close()
		return nil, err
	}
	d.patrol = patrol.New(cfg, st, map[string]channels.PublicationReader{configs.PlatformWeChat: wc, configs.PlatformWeibo: wb}, patrol.NewChecker(cfg), log, now)
	// The robot's starting point in the audit log is fixed now, before
	// anything runs: what happens once the daemon exists is told, however
	// late the notifier's goroutine gets to run.
	if d.notifier = notify.NewNotifier(cfg, st, d.robot, log); d.notifier != nil {
		if err := d.notifier.Begin(ctx); err != nil {
			st.Close()
			return nil, err
		}
	}
	ln, err := web.Listen(cfg)
	if err != nil {
		st.Close()
		if errors.Is(err, syscall.EADDRINUSE) {
			// The address says it all; the socket error's words are English.
			return nil, fmt.Errorf("无法在 %s 上提供服务（配置项 listen）：端口已被占用，请停止占用它的程序或换一个端口", cfg.Listen)
		}
		return nil, fmt.Errorf("无法在 %s 上提供服务（配置项 listen）：%w", cfg.Listen, err)
	}
	d.ln = ln
	handler := web.New(cfg, st, q, log, now)
	handler.Wake = d.sched.Wake
	handler.Replica = d.replicaSummary
	handler.Preview = func(ctx context.Context, actor queue.Actor, it content.Item, accountID, wxName string) (string, error) {
		acct, err := previewItem(ctx, cfg, st, q, wc, actor, it, accountID, wxName)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("已通过 %s 把第%d版预览发送给微信号 %s。", acct.Name, it.Revision.Number, wxName), nil
	}
	handler.Retract = func(ctx context.Context, actor queue.Actor, id int64) (queue.RetractReport, error) {
		return q.Retract(ctx, actor, id, reg, nil)
	}
	if err := d.wireInbox(cfg, st, q, wc, wb, handler, log); err != nil {
		st.Close()
		ln.Close()
		return nil, err
	}
	d.http = web.NewHTTPServer(cfg, withPush(handler, d.push))
	return d, nil
}

// minFreeBytes is the room the daemon needs on the data directory's disk to
// start: a delivery's state changes are small, but they must be written.
const minFreeBytes = 1 << 20

// checkDiskRoom refuses to start on a full disk, in one line.
func checkDiskRoom(dataDir string) error {
	dir := dataDir
	if _, err := os.Stat(dir); err != nil {
		dir = filepath.Dir(filepath.Clean(dataDir)) // not made yet: its parent's disk
	}
	free, err := storage.FreeBytes(dir)
	if err != nil || free >= minFreeBytes {
		return nil
	}
	return fmt.Errorf("数据目录 %s 所在磁盘已满（剩余 %d KB）：请先清理磁盘再启动 herald", dataDir, free>>10)
}

// diskFullOr words a start-up error caused by a full disk for the operator.
func diskFullOr(dataDir string, err error) error {
	if diskFull(dataDir, err) {
		return errors.New(diskFullLine(dataDir, err, "再启动 herald"))
	}
	return err
}

// diskFull reports whether err comes from a full disk: SQLite's
// SQLITE_FULL or ENOSPC, or an I/O error of SQLite's while the data
// directory's disk has less than minFreeBytes left.
func diskFull(dataDir string, err error) bool {
	if storage.IsDiskFull(err) {
		return true
	}
	if dataDir == "" || !storage.IsIOError(err) {
		return false
	}
	free, ferr := storage.FreeBytes(dataDir)
	return ferr == nil && free < minFreeBytes
}

// diskFullLine is the one line every command gives for a full disk (serve
// at start, post add, report monthly, …) instead of SQLite's "database or
// disk is full (13)": the data directory's disk, or the disk of the file
// being written when that is elsewhere; then what to do.
func diskFullLine(dataDir string, err error, then string) string {
	var pe *fs.PathError
	if errors.As(err, &pe) && (dataDir == "" || !strings.HasPrefix(filepath.Clean(pe.Path), filepath.Clean(dataDir)+string(filepath.Separator))) {
		return fmt.Sprintf("文件 %s 所在磁盘已满，无法写入：请先清理磁盘%s", pe.Path, then)
	}
	if dataDir == "" {
		return "数据目录所在磁盘已满，无法写入数据库：请先清理磁盘" + then
	}
	return fmt.Sprintf("数据目录 %s 所在磁盘已满，无法写入数据库：请先清理磁盘%s", dataDir, then)
}

// dailyJobs registers the daily statistics collection at stats.collect_at
// (the last 7 days, resuming: yesterday, and any day an earlier run missed)
// and the Weibo token expiry warning.
func (d *daemon) dailyJobs(ctx context.Context, log *slog.Logger) func(c *cron.Cron) error {
	return func(c *cron.Cron) error {
		mins, _ := configs.ParseClock(d.cfg.Stats.CollectAt)
		_, err := c.AddFunc(fmt.Sprintf("%d %d * * *", mins%60, mins/60), func() {
			y := d.stats.Yesterday()
			sum, err := d.stats.Collect(ctx, y.AddDate(0, 0, -6), y, nil, true, nil)
			if err != nil {
				log.Error("daily statistics", "err", err)
				return
			}
			log.Info("daily statistics collected", "from", sum.From, "to", sum.To, "rows", sum.RowsWritten, "calls", sum.Calls, "failures", len(sum.Failures))
			for _, f := range sum.Failures {
				log.Warn("statistics incomplete", "account", f.Account, "reason", f.Reason)
			}
			d.runPatrol(ctx, log)
			d.checkDormant(ctx, log)
		})
		if err != nil {
			return fmt.Errorf("stats.collect_at: %w", err)
		}
		if _, err = c.AddFunc("*/15 * * * *", func() { d.remindTasks(ctx, log) }); err != nil {
			return err
		}
		d.policyJobs(ctx, log, c)
		if _, err = c.AddFunc("30 3 * * *", func() { d.pruneSessions(ctx, log) }); err != nil {
			return err
		}
		_, err = c.AddFunc("0 8 * * *", func() { d.warnTokens(log) })
		return err
	}
}

// pruneSessions deletes console sessions past their absolute expiry: a
// session nobody ends would otherwise stay in the database for ever.
func (d *daemon) pruneSessions(ctx context.Context, log *slog.Logger) {
	if err := d.store.PruneSessions(ctx); err != nil {
		log.Error("prune console sessions", "err", err)
	}
}

// runPatrol reads and checks the last patrol.days days of every account
// and tells the robot about new findings and repost tasks that are due or
// missed.
func (d *daemon) runPatrol(ctx context.Context, log *slog.Logger) {
	day := today(d.cfg.Location)
	res, err := d.patrol.Run(ctx, day.AddDate(0, 0, -(d.cfg.Patrol.Days-1)), day.AddDate(0, 0, 1), nil)
	if err != nil {
		log.Error("patrol", "err", err)
		return
	}
	log.Info("patrol done", "publications", res.Publications, "read", res.Read, "calls", res.Calls, "findings", len(res.Findings), "new", res.New,
		"unreadable", len(res.Unreadable))
	if n, err := d.patrol.NotifyFindings(ctx, d.robot); err != nil {
		log.Error("patrol findings to the robot", "err", err)
	} else if n > 0 {
		log.Info("patrol findings sent to the robot", "findings", n)
	}
	if keep := d.cfg.Patrol.KeepTextDays; keep > 0 {
		if n, err := d.store.PrunePublicationTexts(ctx, day.AddDate(0, 0, -keep)); err != nil {
			log.Error("prune patrol texts", "err", err)
		} else if n > 0 {
			log.Info("patrol texts older than patrol.keep_text_days emptied", "publications", n, "days", keep)
		}
	}
	d.remindTasks(ctx, log)
}

// remindTasks updates the repost tasks and sends reminders and overdue notices.
func (d *daemon) remindTasks(ctx context.Context, log *slog.Logger) {
	if n, err := d.patrol.Remind(ctx, d.robot); err != nil {
		log.Error("repost task reminders", "err", err)
	} else if n > 0 {
		log.Info("repost task messages sent to the robot", "messages", n)
	}
}

// checkDormant logs accounts at risk under the two-week rule and tells the
// webhook about new ones.
func (d *daemon) checkDormant(ctx context.Context, log *slog.Logger) {
	rows, err := reports.Dormant(ctx, d.cfg, d.store, time.Now())
	if err != nil {
		log.Error("dormancy check", "err", err)
		return
	}
	for _, r := range rows {
		if r.Level != reports.LevelOK {
			log.Warn("账号长期未更新（两周无更新即单项否决）", "account", r.Account, "level", r.Level, "days_since", r.DaysSince)
		}
		for _, b := range r.Breaches {
			log.Warn("账号未达到更新要求", "account", r.Account, "rule", b.Rule, "posts", b.Posts)
		}
	}
	if d.robot == nil {
		return
	}
	if sent, err := reports.NotifyDormant(ctx, d.cfg, d.store, d.robot, time.Now()); err != nil {
		log.Error("dormancy webhook", "err", err)
	} else if sent {
		log.Info("dormancy warning sent to the webhook")
	}
	if sent, err := reports.NotifyBreaches(ctx, d.cfg, d.store, d.robot, time.Now()); err != nil {
		log.Error("update-rule webhook", "err", err)
	} else if sent {
		log.Info("update-rule warning sent to the webhook")
	}
}

// warnTokens logs every Weibo token that lapses within 7 days.
func (d *daemon) warnTokens(log *slog.Logger) {
	for i := range d.cfg.Accounts {
		a := &d.cfg.Accounts[i]
		if days, ok := weibo.TokenDaysLeft(a, time.Now(), d.cfg.Location); ok && days <= weibo.ExpiryWarnDays {
			log.Warn("微博授权即将到期，请重新授权", "account", a.ID, "days_left", days, "expires", a.TokenExpires)
		}
	}
}

// URL is where the console answers.
func (d *daemon) URL() string { return "http://" + d.ln.Addr().String() + "/" }

// run serves until ctx ends, then shuts down in order: stop taking HTTP
// requests, let the scheduler finish calls in flight, close the store.
func (d *daemon) run(ctx context.Context, log *slog.Logger) error {
	defer d.lock.Unlock()
	errc := make(chan error, 2)
	go func() {
		if err := d.http.Serve(d.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http: %w", err)
		}
	}()
	if err := scheduler.ListenWake(ctx, d.cfg.DataDir, d.sched.Wake, log); err != nil {
		log.Warn("changes by the CLI are noticed by polling", "err", err)
	}
	schedDone := make(chan error, 1)
	go func() { schedDone <- d.sched.Run(ctx, d.dailyJobs(ctx, log)) }()
	replicaDone := make(chan struct{})
	go func() {
		defer close(replicaDone)
		if d.replica != nil {
			if err := d.replica.Run(ctx); err != nil {
				log.Error("replication stopped", "err", err)
			}
		}
	}()
	notifyDone := make(chan struct{})
	n := d.notifier
	go func() {
		defer close(notifyDone)
		if n != nil {
			if d.notifyPoll > 0 {
				n.Poll = d.notifyPoll
			}
			if err := n.Run(ctx); err != nil {
				log.Error("notify stopped", "err", err)
			}
		}
	}()
	inboxDone := d.runInbox(ctx, log)
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
	<-notifyDone
	<-inboxDone
	<-replicaDone
	if d.replica != nil {
		if rerr := d.replica.Flush(context.Background()); rerr != nil {
			log.Error("replica: last round before stopping", "err", replica.Describe(rerr))
		}
	}
	if cerr := d.store.Close(); err == nil {
		err = cerr
	}
	if d.replica != nil {
		if rerr := d.replica.Close(context.Background()); rerr != nil {
			log.Error("replica: stop", "err", replica.Describe(rerr))
		}
	}
	log.Info("herald stopped")
	return err
}

func cmdServe(ctx context.Context, a *app, args []string) error {
	fs := a.flags("serve")
	cfgPath := fs.String("config", "", "配置文件")
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
	d.warnTokens(a.log)
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
