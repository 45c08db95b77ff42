package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"golang.org/x/term"

	"github.com/herald-gov/herald/internal/password"
	"github.com/herald-gov/herald/storage"
)

// cmdUserAdd adds a console user; the password comes from --password-file or
// stdin and only its argon2id hash is stored.
func cmdUserAdd(ctx context.Context, a *app, args []string) error {
	fs := a.flags("user add")
	cfgPath := fs.String("config", "", "配置文件")
	name := fs.String("name", "", "用户姓名（与 review.reviewers 中的写法一致）")
	dept := fs.String("department", "", "用户所在部门的 id")
	role := fs.String("role", "", "admin | editor | reviewer | viewer（角色）")
	pwFile := fs.String("password-file", "", "从此文件第一行读取密码（否则从标准输入读取）")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" || *dept == "" {
		return usagef("请写 --name 姓名 和 --department 部门ID")
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
		return usagef("没有部门 %q（见配置中的 departments）", *dept)
	}
	hash, err := a.newPassword(*pwFile)
	if err != nil {
		return err
	}
	err = st.CreateUser(ctx, storage.User{Name: *name, Department: *dept, Role: *role, PasswordHash: hash}, "cli")
	if errors.Is(err, storage.ErrConflict) {
		return fmt.Errorf("用户 %s 已存在：改密码用 herald user passwd %s", *name, *name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "已添加用户 %s（%s，%s），可在控制台用姓名和密码登录\n", *name, *dept, *role)
	if d, _ := cfg.Department(*dept); *role == "admin" && !d.Office {
		fmt.Fprintf(a.stdout, "%s 是部门管理员：只能管理%s的用户，不能管理其他部门和新闻办的用户\n", *name, d.Name)
	}
	return nil
}

// cmdUserPasswd sets a user's password and ends the user's sessions.
func cmdUserPasswd(ctx context.Context, a *app, args []string) error {
	fs := a.flags("user passwd")
	cfgPath := fs.String("config", "", "配置文件")
	pwFile := fs.String("password-file", "", "从此文件第一行读取密码（否则从标准输入读取）")
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
	if _, err := st.UserByName(ctx, name); errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("没有用户 %s（herald user list 列出全部）", name)
	}
	hash, err := a.newPassword(*pwFile)
	if err != nil {
		return err
	}
	if err := st.SetPassword(ctx, name, hash, "cli"); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "已修改 %s 的密码，其已登录的会话全部结束，登录锁定（如有）已解除\n", name)
	return nil
}

// cmdUserUnlock lifts a sign-in lock on a user's name.
func cmdUserUnlock(ctx context.Context, a *app, args []string) error {
	fs := a.flags("user unlock")
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
	err = st.UnlockUser(ctx, name, "cli")
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("没有用户 %s（herald user list 列出全部）", name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "已解除 %s 的登录锁定\n", name)
	return nil
}

// cmdUserDisable disables a user (or enables one again with --enable).
func cmdUserDisable(ctx context.Context, a *app, args []string) error {
	fs := a.flags("user disable")
	cfgPath := fs.String("config", "", "配置文件")
	enable := fs.Bool("enable", false, "重新启用该用户")
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
	err = st.SetUserDisabled(ctx, name, !*enable, "cli")
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("没有用户 %s（herald user list 列出全部）", name)
	}
	if err != nil {
		return err
	}
	if *enable {
		fmt.Fprintf(a.stdout, "已启用用户 %s\n", name)
	} else {
		fmt.Fprintf(a.stdout, "已停用用户 %s，其已登录的会话全部结束\n", name)
	}
	return nil
}

// cmdUserList lists users; never a password hash.
func cmdUserList(ctx context.Context, a *app, args []string) error {
	fs := a.flags("user list")
	cfgPath := fs.String("config", "", "配置文件")
	asJSON := fs.Bool("json", false, "输出 JSON")
	cfg, st, err := a.parseAndOpen(ctx, fs, args, cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	users, err := st.Users(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if users == nil {
			users = []storage.User{}
		}
		return writeJSON(a.stdout, users)
	}
	t := newTable("姓名", "部门", "角色", "状态", "添加于", "密码修改于")
	for _, u := range users {
		state := "启用"
		if u.Disabled {
			state = "停用"
		}
		t.add(u.Name, u.Department, u.Role, state, u.CreatedAt.In(cfg.Location).Format("2006-01-02 15:04"), u.PasswordChangedAt.In(cfg.Location).Format("2006-01-02 15:04"))
	}
	return t.write(a.stdout)
}

func oneName(args []string) (string, error) {
	if len(args) != 1 || strings.TrimSpace(args[0]) == "" {
		return "", usagef("请写一个用户名")
	}
	return args[0], nil
}

// newPassword reads a new password (from file, a terminal twice, or the
// first line of stdin), checks it and returns its hash.
func (a *app) newPassword(file string) (string, error) {
	var pw string
	switch {
	case file != "":
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("无法读取密码文件：%s", fileProblem(err))
		}
		defer f.Close()
		pw, err = firstLine(f)
		if err != nil {
			return "", fmt.Errorf("无法读取密码文件 %s：%w", file, err)
		}
	case isTerminal(a.stdin):
		fd := int(a.stdin.(*os.File).Fd())
		fmt.Fprint(a.stderr, "新密码：")
		b1, err := term.ReadPassword(fd)
		fmt.Fprintln(a.stderr)
		if err != nil {
			return "", fmt.Errorf("读取密码：%w", err)
		}
		fmt.Fprint(a.stderr, "再输一遍：")
		b2, err := term.ReadPassword(fd)
		fmt.Fprintln(a.stderr)
		if err != nil {
			return "", fmt.Errorf("读取密码：%w", err)
		}
		if string(b1) != string(b2) {
			return "", errors.New("两次输入的密码不一致，未修改")
		}
		pw = string(b1)
	default:
		var err error
		if pw, err = firstLine(a.stdin); err != nil {
			return "", fmt.Errorf("从标准输入读取密码：%w", err)
		}
	}
	if err := password.Validate(pw); err != nil {
		return "", err
	}
	return password.Hash(pw)
}

func firstLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
