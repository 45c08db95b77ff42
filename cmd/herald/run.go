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
		{"serve", "[--config F]", "run the daemon: scheduler, delivery, statistics, HTTP API and console", cmdServe},
		{"demo", "[--keep]", "run the whole product against built-in sandbox platforms", cmdDemo},
		{"sandbox", "[--listen ADDR] [fault flags]", "serve the fake WeChat and Weibo APIs alone", cmdSandbox},
		{"post add", "--kind K --title T --to TARGETS [--at TIME] ...", "add an item to the queue", cmdPostAdd},
		{"post list", "[--state S] [--json]", "list items", cmdPostList},
		{"post show", "[--json] ID", "show an item, its review and its deliveries", cmdPostShow},
		{"post edit", "[--title T] [--body-file F] [--image FILE]... [--source-url URL] [--at TIME] ID", "make a new revision (voids approvals)", cmdPostEdit},
		{"post submit", "ID", "submit a draft for review", cmdPostSubmit},
		{"post approve", "--as NAME [--secrecy-ok] [--revision N] ID", "sign the next review level (of revision N, refused if the item changed since; default the current one)", cmdPostApprove},
		{"post reject", "--as NAME --comment C [--revision N] ID", "send an item back to draft", cmdPostReject},
		{"post cancel", "ID", "withdraw an item", cmdPostCancel},
		{"post preview", "--to-wxname WXID [--account ID] ID", "send the current revision to one WeChat user (mass/preview)", cmdPostPreview},
		{"post retract", "[--account IDS] --yes ID", "delete what an item published from the platforms (irreversible)", cmdPostRetract},
		{"accounts list", "[--all] [--json]", "list accounts", cmdAccountsList},
		{"accounts check", "[--json]", "check every account's credentials and Weibo token expiry", cmdAccountsCheck},
		{"policy sync", "", "read the county site's policy lists (policies.sources) now", cmdPolicySync},
		{"policy list", "[--status S] [--json]", "policies and whether each has its 解读/图解 (covered, pending, overdue)", cmdPolicyList},
		{"policy draft", "--out FILE ID", "draft a policy-graphic file from a policy document", cmdPolicyDraft},
		{"graphic render", "--in POLICY.yaml --out DIR", "render a policy graphic (政策图解) to PNG pages", cmdGraphicRender},
		{"stats collect", "[--from D] [--to D] [--account IDS] [--redo]", "collect daily statistics from the platforms", cmdStatsCollect},
		{"stats export", "--from D --to D [--to-accounts T] --format csv|xlsx --out FILE", "export daily statistics", cmdStatsExport},
		{"report monthly", "--month YYYY-MM | --quarter YYYY-Qn | --year YYYY --out FILE.xlsx", "the monthly, quarterly or yearly workbook", cmdReportMonthly},
		{"report annual", "--year YYYY --out FILE.xlsx", "the 政府网站工作年度报表's 移动新媒体 and 留言办理 rows", cmdReportAnnual},
		{"report dormant", "[--json]", "accounts at risk under the two-week no-update rule", cmdReportDormant},
		{"patrol", "[--from D] [--to D] [--account IDS] [--json]", "inspection patrol: read every account's publications and check their wording", cmdPatrol},
		{"task add", "--title T [--url U] --due TIME --to TARGETS [--json]", "record a repost task from the higher level", cmdTaskAdd},
		{"task list", "[--json]", "repost tasks and which accounts have done them", cmdTaskList},
		{"inbox list", "[--state open|answered|closed|all] [--overdue] [--account IDS] [--json]", "the public's messages, comments and mentions (回应)", cmdInboxList},
		{"inbox sync", "[--account IDS]", "read comments and mentions from the platforms now", cmdInboxSync},
		{"inbox reply", "--as NAME (--text T | --text-file F) ID", "answer an entry (exactly once)", cmdInboxReply},
		{"inbox close", "--as NAME --reason R ID", "close an entry that needs no answer", cmdInboxClose},
		{"audit", "[--item ID] [--json]", "show the audit log", cmdAudit},
		{"token create", "--name N --department D --role admin|editor|reviewer|viewer [--expires D] [--json]", "make an API token", cmdTokenCreate},
		{"token list", "[--json]", "list API tokens (never the tokens themselves)", cmdTokenList},
		{"token revoke", "NAME", "revoke a name's tokens and end their console sessions", cmdTokenRevoke},
		{"user add", "--name N --department D --role R [--password-file F]", "add a console user (password on stdin or from a file)", cmdUserAdd},
		{"user passwd", "[--password-file F] NAME", "set a user's password (ends the user's sessions, lifts a sign-in lock)", cmdUserPasswd},
		{"user unlock", "NAME", "lift a sign-in lock on a user's name", cmdUserUnlock},
		{"user disable", "[--enable] NAME", "disable a user (ends the user's sessions)", cmdUserDisable},
		{"user list", "[--json]", "list console users", cmdUserList},
		{"backup", "--out FILE", "write a consistent copy of the database", cmdBackup},
		{"restore", "--from URL [--at TIME] [--data-dir DIR]", "build a data directory from a replica (replica.url)", cmdRestore},
		{"replica status", "[--json]", "the replica's lag and last position", cmdReplicaStatus},
		{"config show", "", "print the effective config, secrets masked", cmdConfigShow},
		{"config example", "", "print the commented example config", cmdConfigExample},
		{"version", "", "print herald's version", cmdVersion},
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
		fmt.Fprintf(stderr, "herald: unknown command %q\n\n", strings.Join(args[:min(2, len(args))], " "))
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
			fmt.Fprintf(a.stderr, "usage: herald %s %s\n", cmd.name, cmd.args)
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
	fmt.Fprintln(w, "herald — one content queue for a news office's WeChat and Weibo account matrix")
	fmt.Fprintln(w, "\nusage: herald COMMAND [flags] [args]   (every command takes --config FILE)")
	fmt.Fprintln(w, "\ncommands:")
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
	return fs
}

// parse parses flags; a bad flag is a usage error (the flag package has
// already printed what was wrong and the flag list).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err.Error()}
	}
	return nil
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
	fs.String("config", "", "ignored")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "herald %s (schema %d)\n", version, storage.SchemaVersion())
	return nil
}

func cmdConfigShow(ctx context.Context, a *app, args []string) error {
	fs := a.flags("config show")
	cfgPath := fs.String("config", "", "config file")
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
	fs.String("config", "", "ignored")
	if err := parse(fs, args); err != nil {
		return err
	}
	_, err := a.stdout.Write(configs.Example)
	return err
}

func cmdBackup(ctx context.Context, a *app, args []string) error {
	fs := a.flags("backup")
	cfgPath := fs.String("config", "", "config file")
	out := fs.String("out", "", "file to write (must not exist)")
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
