package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/scheduler"
	"github.com/herald-gov/herald/storage"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// Exit codes (design.md).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError is bad usage or bad config: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// app is what every subcommand gets: its output streams and shared helpers.
type app struct {
	stdin          io.Reader // passwords for `user add` and `user passwd`
	stdout, stderr io.Writer
	log            *slog.Logger
	// dataDir is the data directory a command opened (openStore), so that
	// a command that changed the queue can wake the daemon serving it.
	dataDir string
}

// wakesDaemon names the commands after which a running daemon has new work:
// items to publish, or an account whose check passed.
func wakesDaemon(name string) bool {
	switch name {
	case "post add", "post edit", "post submit", "post approve", "post reject", "post cancel", "post retract", "accounts check":
		return true
	}
	return false
}

type command struct {
	name    string // "post add"
	args    string // argument synopsis
	summary string
	run     func(ctx context.Context, a *app, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "[--config F]", "运行守护进程：调度、发布、统计、HTTP API 和控制台", cmdServe},
		{"demo", "[--keep]", "在内置的模拟平台上完整演示", cmdDemo},
		{"sandbox", "[--listen ADDR] [fault flags]", "单独运行模拟的微信、微博接口", cmdSandbox},
		{"post add", "--kind K --title T --to TARGETS [--at TIME] ...", "新建稿件", cmdPostAdd},
		{"post list", "[--state S] [--limit N] [--json]", "列出稿件", cmdPostList},
		{"post show", "[--json] ID", "查看稿件、审核与各账号发布情况", cmdPostShow},
		{"post edit", "[--title T] [--body-file F] [--docx F] [--image FILE]... [--source-url URL] [--at TIME] ID", "修改稿件，生成新版本（已有签批作废）", cmdPostEdit},
		{"post submit", "ID", "提交草稿送审", cmdPostSubmit},
		{"post approve", "--as NAME [--secrecy-ok] [--revision N] ID", "签批下一级审核（--revision 指定版本，稿件已改则拒绝；默认当前版本）", cmdPostApprove},
		{"post reject", "--as NAME --comment C [--revision N] ID", "退回稿件为草稿", cmdPostReject},
		{"post cancel", "ID", "撤销稿件", cmdPostCancel},
		{"post preview", "--to-wxname WXID [--account ID] [--as NAME] ID", "把当前版本预览发送给一个微信号", cmdPostPreview},
		{"post retract", "[--account IDS] --yes ID", "从平台删除稿件已发布的内容（不可恢复）", cmdPostRetract},
		{"accounts list", "[--all] [--json]", "列出账号", cmdAccountsList},
		{"accounts check", "[--json]", "检查各账号凭据和微博授权有效期", cmdAccountsCheck},
		{"policy sync", "", "立即读取县政府网站的政策文件列表（policies.sources）", cmdPolicySync},
		{"policy list", "[--status covered|pending|overdue] [--json]", "政策文件及其解读/图解情况（已覆盖、待办、超期）", cmdPolicyList},
		{"policy draft", "--out FILE ID", "由政策文件起草图解描述文件", cmdPolicyDraft},
		{"graphic render", "--in POLICY.yaml --out DIR", "把政策图解生成 PNG 图片", cmdGraphicRender},
		{"stats collect", "[--from D] [--to D] [--account IDS] [--redo]", "从平台采集每日统计", cmdStatsCollect},
		{"stats export", "--from D --to D [--to-accounts T] --format csv|xlsx --out FILE", "导出每日统计", cmdStatsExport},
		{"report monthly", "--month YYYY-MM | --quarter YYYY-Qn | --year YYYY --out FILE.xlsx", "月度、季度或年度报表（xlsx）", cmdReportMonthly},
		{"report annual", "--year YYYY --out FILE.xlsx", "政府网站工作年度报表的移动新媒体和留言办理部分", cmdReportAnnual},
		{"report dormant", "[--json]", "两周未更新规则下有风险的账号", cmdReportDormant},
		{"patrol", "[--from D] [--to D] [--account IDS] [--json]", "巡检：读取各账号已发布内容并检查用语", cmdPatrol},
		{"task add", "--title T [--url U] --due TIME --to TARGETS [--json]", "登记上级的转载任务", cmdTaskAdd},
		{"task list", "[--json]", "转载任务及各账号完成情况", cmdTaskList},
		{"inbox list", "[--state open|answered|closed|all] [--overdue] [--account IDS] [--json]", "群众留言、评论和提及（回应）", cmdInboxList},
		{"inbox sync", "[--account IDS]", "立即从平台读取评论和提及", cmdInboxSync},
		{"inbox reply", "--as NAME (--text T | --text-file F) [--department D] ID", "回复一条留言（只发一次）", cmdInboxReply},
		{"inbox close", "--as NAME --reason R [--department D] ID", "关闭无需回复的留言", cmdInboxClose},
		{"audit", "[--item ID] [--json]", "查看审计日志", cmdAudit},
		{"token create", "--name N --department D --role admin|editor|reviewer|viewer [--expires D] [--json]", "创建 API 令牌", cmdTokenCreate},
		{"token list", "[--json]", "列出 API 令牌（不显示令牌本身）", cmdTokenList},
		{"token revoke", "NAME", "吊销某名称的令牌并结束其控制台会话", cmdTokenRevoke},
		{"user add", "--name N --department D --role R [--password-file F]", "添加控制台用户（密码从标准输入或文件读取）", cmdUserAdd},
		{"user passwd", "[--password-file F] NAME", "设置用户密码（结束其会话，解除登录锁定）", cmdUserPasswd},
		{"user unlock", "NAME", "解除用户的登录锁定", cmdUserUnlock},
		{"user disable", "[--enable] NAME", "停用用户（结束其会话）", cmdUserDisable},
		{"user list", "[--json]", "列出控制台用户", cmdUserList},
		{"backup", "--out FILE", "写出数据库的一致副本", cmdBackup},
		{"restore", "--from URL [--at TIME] [--data-dir DIR]", "从副本（replica.url）恢复数据目录", cmdRestore},
		{"replica status", "[--json]", "副本的延迟和最新位置", cmdReplicaStatus},
		{"config show", "", "显示生效的配置（密钥已遮盖）", cmdConfigShow},
		{"config example", "", "显示带注释的示例配置", cmdConfigExample},
		{"version", "", "显示 herald 版本", cmdVersion},
	}
}

func run(args []string, stdout, stderr io.Writer) int {
	a := &app{stdin: os.Stdin, stdout: stdout, stderr: stderr, log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		a.usage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, rest, ok := lookup(args)
	if !ok {
		fmt.Fprintf(stderr, "herald：未知的命令 %q\n\n", strings.Join(args[:min(2, len(args))], " "))
		a.usage(stderr)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cmd.run(ctx, a, rest)
	if err == nil && a.dataDir != "" && wakesDaemon(cmd.name) {
		scheduler.NotifyWake(a.dataDir)
	}
	return a.exitCode(cmd, err)
}

func lookup(args []string) (command, []string, bool) {
	cmds := commands()
	if len(args) >= 2 {
		for _, c := range cmds {
			if c.name == args[0]+" "+args[1] {
				return c, args[2:], true
			}
		}
	}
	for _, c := range cmds {
		if c.name == args[0] {
			return c, args[1:], true
		}
	}
	return command{}, nil, false
}

func (a *app) exitCode(cmd command, err error) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	var ce *configs.Error
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "herald %s: %s\n", cmd.name, ue.msg)
		if cmd.args != "" {
			fmt.Fprintf(a.stderr, "用法：herald %s %s\n", cmd.name, cmd.args)
		}
		return exitUsage
	case errors.As(err, &ce), errors.Is(err, configs.ErrNoConfig):
		fmt.Fprintf(a.stderr, "herald: %s\n", err)
		return exitUsage
	case queue.IsRefusal(err):
		fmt.Fprintf(a.stderr, "herald %s: %s\n", cmd.name, refusalLine(err))
		return exitFailure
	case diskFull(a.dataDir, err):
		fmt.Fprintf(a.stderr, "herald %s: %s\n", cmd.name, diskFullLine(a.dataDir, err, "后重试"))
		return exitFailure
	}
	fmt.Fprintf(a.stderr, "herald %s: %s\n", cmd.name, err)
	return exitFailure
}

func (a *app) usage(w io.Writer) {
	fmt.Fprintln(w, "herald — 新闻办微信、微博账号矩阵的统一发布队列")
	fmt.Fprintln(w, "\n用法：herald 命令 [选项] [参数]   （每个命令都可用 --config FILE 指定配置文件）")
	fmt.Fprintln(w, "\n命令：")
	t := newTable()
	for _, c := range commands() {
		t.add("  "+c.name, c.summary)
	}
	_ = t.write(w)
}

// flags returns a FlagSet for a subcommand that reports errors as usage errors.
func (a *app) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("herald "+name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "用法：herald %s [选项]\n选项：\n", name)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; a bad flag is a usage error saying in Chinese what
// was wrong (the flag package's own English line is not printed); -h prints
// the flag list.
func parse(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.Usage()
			return err
		}
		return &usageError{flagProblem(err)}
	}
	return nil
}

// flagProblem says in Chinese what the flag package's error says.
func flagProblem(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return fmt.Sprintf("没有 --%s 这个选项（-h 列出全部选项）", name)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return fmt.Sprintf("选项 --%s 后面要写一个值", name)
	}
	var value, name string
	if _, e := fmt.Sscanf(msg, "invalid value %q for flag -%s", &value, &name); e == nil {
		return fmt.Sprintf("选项 --%s 的值 %q 无效", strings.TrimSuffix(name, ":"), value)
	}
	if _, e := fmt.Sscanf(msg, "invalid boolean value %q for -%s", &value, &name); e == nil {
		return fmt.Sprintf("选项 --%s 的值 %q 无效（只能是 true 或 false）", strings.TrimSuffix(name, ":"), value)
	}
	return "选项有误：" + msg
}

// loadConfig loads the config named by --config (or the default); a bad
// config is a usage error naming the key.
func loadConfig(path string) (*configs.Config, error) {
	return configs.Load(path)
}

// parseAndOpen parses a command's flags, then opens its config (--config,
// read after parsing) and store: the start of every command that checks
// nothing else before it needs the store.
func (a *app) parseAndOpen(ctx context.Context, fs *flag.FlagSet, args []string, cfgPath *string) (*configs.Config, *storage.Store, error) {
	if err := parse(fs, args); err != nil {
		return nil, nil, err
	}
	return a.openStore(ctx, *cfgPath)
}

// openStore loads the config, opens the store in data_dir and brings the
// accounts table in line with the config.
func (a *app) openStore(ctx context.Context, configPath string) (*configs.Config, *storage.Store, error) {
	cfg, err := loadConfig(configPath)
	if err != nil {
		return nil, nil, err
	}
	a.dataDir = cfg.DataDir // also names the disk when it is full
	st, err := storage.Open(ctx, cfg.DataDir, storeOptions(cfg)...)
	if err != nil {
		return nil, nil, err
	}
	if err := st.SyncAccounts(ctx, accountsFromConfig(cfg)); err != nil {
		st.Close()
		return nil, nil, err
	}
	return cfg, st, nil
}

func accountsFromConfig(cfg *configs.Config) []storage.Account {
	out := make([]storage.Account, len(cfg.Accounts))
	for i, c := range cfg.Accounts {
		out[i] = storage.Account{ID: c.ID, Name: c.Name, Platform: c.Platform, Groups: c.Groups, Department: c.Department, WeChatType: c.Type}
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func cmdVersion(ctx context.Context, a *app, args []string) error {
	fs := a.flags("version")
	fs.String("config", "", "（不使用）")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "herald %s (schema %d)\n", version, storage.SchemaVersion())
	return nil
}

func cmdConfigShow(ctx context.Context, a *app, args []string) error {
	fs := a.flags("config show")
	cfgPath := fs.String("config", "", "配置文件")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	out, err := cfg.ShowYAML()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "# effective config from %s (environment overrides applied, secrets masked)\n", cfg.Source)
	_, err = a.stdout.Write(out)
	return err
}

func cmdConfigExample(ctx context.Context, a *app, args []string) error {
	fs := a.flags("config example")
	fs.String("config", "", "（不使用）")
	if err := parse(fs, args); err != nil {
		return err
	}
	_, err := a.stdout.Write(configs.Example)
	return err
}

func cmdBackup(ctx context.Context, a *app, args []string) error {
	fs := a.flags("backup")
	cfgPath := fs.String("config", "", "配置文件")
	out := fs.String("out", "", "输出文件（不能已存在）")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("请用 --out 指定备份文件（不能是已有的文件）")
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	st, err := storage.Open(ctx, cfg.DataDir, storeOptions(cfg)...)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, *out); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "backup written to %s (images stay in %s/media)\n", *out, cfg.DataDir)
	return nil
}
