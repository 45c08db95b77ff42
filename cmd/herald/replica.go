package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/notify"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/replica"
	"github.com/herald-gov/herald/storage"
)

// storeOptions are the store's options for a config: with a replica, the
// replicator owns the WAL's checkpoints, in serve and in every command.
func storeOptions(cfg *configs.Config) []storage.Option {
	if cfg.Replica.URL != "" {
		return []storage.Option{storage.WithoutAutoCheckpoint()}
	}
	return nil
}

// startReplica settles a restored data directory (before anything is sent)
// and prepares replication. It refuses to start when replica.url holds
// another database's replica; an unreachable replica is retried by Run.
func startReplica(ctx context.Context, cfg *configs.Config, st *storage.Store, q *queue.Service, robot *notify.Robot, log *slog.Logger) (*replica.Replicator, error) {
	if err := settleRestored(ctx, cfg, st, q, log); err != nil {
		return nil, err
	}
	statusFile := filepath.Join(cfg.DataDir, replica.StatusFileName)
	if cfg.Replica.URL == "" {
		_ = os.Remove(statusFile)
		log.Warn("replica.url is not set: nothing is replicated; a lost disk loses everything since the last herald backup")
		return nil, nil
	}
	rep, err := replica.New(cfg.Replica, st, log)
	if err != nil {
		return nil, err
	}
	rep.StatusFile = statusFile
	rep.Alert = func(ctx context.Context, text string) {
		if robot == nil {
			return
		}
		if err := robot.Send(ctx, text); err != nil {
			log.Warn("could not tell the robot about the replica", "err", err)
		}
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	switch err := rep.Claim(cctx); {
	case errors.Is(err, replica.ErrOtherDatabase):
		return nil, fmt.Errorf("replica.url %s 存放的是另一个数据库的副本，herald 拒绝写入：请为本单位换一个目录或桶", cfg.Replica.URL)
	case err != nil:
		log.Warn("replica unreachable at start: serve publishes and keeps retrying", "replica", cfg.Replica.URL, "err", replica.Describe(err))
	}
	log.Info("replicating the database and media files", "replica", cfg.Replica.URL, "sync_interval", cfg.Replica.SyncInterval.String())
	return rep, nil
}

// settleRestored runs once on a data directory made by herald restore:
// items whose time came are started (their start may be what the replica
// lost), then every delivery that is not final is turned into unknown, so
// that the scheduler looks each up on its platform before it sends
// anything, and only what the platform does not have is sent.
func settleRestored(ctx context.Context, cfg *configs.Config, st *storage.Store, q *queue.Service, log *slog.Logger) error {
	r, ok, err := replica.ReadRestored(cfg.DataDir)
	if err != nil || !ok {
		return err
	}
	due, err := st.DueItems(ctx, time.Now())
	if err != nil {
		return err
	}
	for _, id := range due {
		if _, err := q.StartPublishing(ctx, id); err != nil && !errors.Is(err, storage.ErrConflict) {
			return fmt.Errorf("restored data: start item %d: %w", id, err)
		}
	}
	n, err := st.ReconcileRestored(ctx, r.LastTx)
	if err != nil {
		return err
	}
	log.Warn("data directory restored from a replica: every delivery that was not final is looked up on its platform before anything is sent",
		"from", r.From, "last_tx", r.LastTx.Format(time.RFC3339), "deliveries", n)
	return replica.DoneRestored(cfg.DataDir)
}

// replicaSummary is the one line the console shows the admin.
func (d *daemon) replicaSummary() string {
	if d.replica == nil {
		return "未配置副本（replica.url）：数据库只在本机磁盘上，磁盘损坏将丢失全部数据。"
	}
	return summarize(d.replica.Status(), d.cfg.Location)
}

func summarize(st replica.Status, loc *time.Location) string {
	switch st.State {
	case replica.StateOK:
		last := "-"
		if !st.LastSync.IsZero() {
			last = st.LastSync.In(loc).Format("2006-01-02 15:04:05")
		}
		return fmt.Sprintf("副本 %s：正常，落后 %s，最后同步 %s（事务 %d）。", st.URL, st.Lag.Round(time.Second), last, st.ReplicaTXID)
	case replica.StateStarting:
		return fmt.Sprintf("副本 %s：正在连接。", st.URL)
	}
	return fmt.Sprintf("副本 %s：已落后 %s。%s", st.URL, st.Lag.Round(time.Second), st.Error)
}

func cmdRestore(ctx context.Context, a *app, args []string) error {
	fs := a.flags("restore")
	cfgPath := fs.String("config", "", "配置文件（S3 凭据、data_dir）")
	from := fs.String("from", "", "副本位置：file:///目录 或 s3://bucket/路径")
	at := fs.String("at", "", "恢复到这一时间（\"YYYY-MM-DD HH:MM\" 或 RFC 3339；默认最新）")
	dataDir := fs.String("data-dir", "", "要生成的目录（默认配置中的 data_dir）；须为空或不存在")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return usagef("请用 --from 指定副本位置（file:///目录 或 s3://桶/路径）")
	}
	cfg, err := loadConfig(*cfgPath)
	switch {
	case errors.Is(err, configs.ErrNoConfig) && *dataDir != "":
		cfg = &configs.Config{Location: time.Local}
	case err != nil:
		return err
	}
	rc := cfg.Replica
	rc.URL = *from
	if rc.SyncInterval == 0 {
		rc.SyncInterval = time.Second
	}
	if err := rc.Validate(); err != nil {
		return usagef("--from: %v", err)
	}
	dir := cfg.DataDir
	if *dataDir != "" {
		dir = *dataDir
	}
	var when time.Time
	if *at != "" {
		t, now, err := content.ParseWhen(*at, cfg.Location)
		if err != nil || now {
			return usagef("--at %q 不是时间，应写成 \"2026-11-01 09:30\" 或 RFC 3339", *at)
		}
		when = t
	}
	res, err := replica.Restore(ctx, rc, dir, when, a.log)
	var early *replica.ErrTooEarly
	switch {
	case errors.As(err, &early):
		return fmt.Errorf("副本最早只能恢复到 %s，--at %s 在第一个快照之前", early.First.In(cfg.Location).Format("2006-01-02 15:04:05"), early.At.In(cfg.Location).Format("2006-01-02 15:04:05"))
	case errors.Is(err, replica.ErrNotEmpty):
		return fmt.Errorf("数据目录 %s 不是空的：herald restore 不覆盖已有数据，请指定一个空目录（--data-dir）", dir)
	case err != nil:
		return err
	}
	fmt.Fprintf(a.stdout, "已从 %s 恢复到 %s：最后一个事务 %s（事务 %d），稿件 %d 篇，投递 %d 条，媒体文件 %d 个\n",
		res.From, res.DataDir, res.LastTx.In(cfg.Location).Format("2006-01-02 15:04:05"), res.TXID, res.Items, res.Deliveries, res.Media)
	fmt.Fprintln(a.stdout, "herald serve 启动后先到平台核实每条未完成的投递，再发送任何内容")
	return nil
}

func cmdReplicaStatus(ctx context.Context, a *app, args []string) error {
	fs := a.flags("replica status")
	cfgPath := fs.String("config", "", "配置文件")
	asJSON := fs.Bool("json", false, "输出 JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if cfg.Replica.URL == "" {
		if *asJSON {
			return writeJSON(a.stdout, replica.Status{State: replica.StateOff})
		}
		fmt.Fprintln(a.stdout, "未配置副本（replica.url）：没有任何数据被复制，磁盘损坏将丢失上次 herald backup 之后的全部数据")
		return nil
	}
	st, err := replica.ReadStatus(filepath.Join(cfg.DataDir, replica.StatusFileName))
	if errors.Is(err, os.ErrNotExist) {
		st = replica.Status{URL: cfg.Replica.URL, State: replica.StateStarting}
	} else if err != nil {
		return err
	}
	stale := time.Since(st.UpdatedAt) > 15*time.Second
	if *asJSON {
		return writeJSON(a.stdout, map[string]any{"status": st, "serve_running": !stale, "lag_seconds": st.Lag.Seconds()})
	}
	fmt.Fprintln(a.stdout, summarize(st, cfg.Location))
	if stale {
		fmt.Fprintln(a.stdout, "herald serve 现在没有在复制（状态最后写于 "+st.UpdatedAt.In(cfg.Location).Format("2006-01-02 15:04:05")+"）")
	}
	return nil
}
