package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/herald-gov/herald/internal/password"
	"github.com/herald-gov/herald/storage"
)

// People: who manages which users. An administrator of the news office (a
// department with office: true) manages every user; an administrator of
// any other department manages that department's users only — sees only
// them, adds users only to it, and cannot move a user out of it. So a
// department's administrator never becomes the office's: another
// department's user, an office administrator among them, is answered
// exactly like a missing one.

// manager is the administrator acting on users.
type manager struct {
	name, department string
	all              bool // the news office's: every department
}

func (s *Server) managerOf(name, department string) manager {
	d, ok := s.cfg.Department(department)
	return manager{name: name, department: department, all: department == "" || ok && d.Office}
}

// manages reports whether m may manage a user of department dept.
func (m manager) manages(dept string) bool { return m.all || dept == m.department }

// person is a user as 用户 and GET /api/v1/users show it.
type person struct {
	storage.User
	DepartmentName string     `json:"department_name"`
	LockedUntil    *time.Time `json:"locked_until"`
}

// people lists the users m manages, with their locks.
func (s *Server) people(ctx context.Context, m manager) ([]person, error) {
	users, err := s.store.Users(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	locks, err := s.store.LockedNames(ctx, now.Add(-lockWindow), nameLimit)
	if err != nil {
		return nil, err
	}
	out := []person{}
	for _, u := range users {
		if !m.manages(u.Department) {
			continue
		}
		p := person{User: u, DepartmentName: u.Department}
		if d, ok := s.cfg.Department(u.Department); ok {
			p.DepartmentName = d.Name
		}
		if last, ok := locks[u.Name]; ok {
			until := last.Add(lockWindow)
			p.LockedUntil = &until
		}
		out = append(out, p)
	}
	return out, nil
}

// peopleRefusal is a refused change to users: an HTTP status and one line.
type peopleRefusal struct {
	status int
	msg    string
}

func (r *peopleRefusal) Error() string { return r.msg }

func refusePeople(status int, msg string) error { return &peopleRefusal{status, msg} }

// checkPlace checks a department and a role m may give a user.
func (s *Server) checkPlace(m manager, dept, role string) error {
	if _, ok := s.cfg.Department(dept); !ok {
		return refusePeople(http.StatusUnprocessableEntity, "请选择部门。")
	}
	if !m.manages(dept) {
		return refusePeople(http.StatusForbidden, "部门管理员只能管理本部门的用户。")
	}
	if !slices.Contains(storage.Roles, role) {
		return refusePeople(http.StatusUnprocessableEntity, "请选择角色。")
	}
	return nil
}

// addPerson adds a user m may add.
func (s *Server) addPerson(ctx context.Context, m manager, name, dept, role, pw string) error {
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return refusePeople(http.StatusUnprocessableEntity, "请填写姓名。")
	}
	if err := s.checkPlace(m, dept, role); err != nil {
		return err
	}
	if err := password.Validate(pw); err != nil {
		return refusePeople(http.StatusUnprocessableEntity, err.Error()+"。")
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}
	err = s.store.CreateUser(ctx, storage.User{Name: name, Department: dept, Role: role, PasswordHash: hash}, m.name)
	if errors.Is(err, storage.ErrConflict) {
		return refusePeople(http.StatusConflict, "用户 "+name+" 已存在。")
	}
	return err
}

// changePerson applies action to a user m manages: disable, enable,
// password (a reset, which also lifts a lock), unlock, or role (role and
// department).
func (s *Server) changePerson(ctx context.Context, m manager, name, action string, form func(string) string) error {
	u, err := s.store.UserByName(ctx, name)
	if errors.Is(err, storage.ErrNotFound) || err == nil && !m.manages(u.Department) {
		return refusePeople(http.StatusNotFound, "没有用户 "+name+"。")
	}
	if err != nil {
		return err
	}
	switch action {
	case "disable", "enable":
		if action == "disable" && name == m.name {
			return refusePeople(http.StatusUnprocessableEntity, "不能停用自己。")
		}
		return s.store.SetUserDisabled(ctx, name, action == "disable", m.name)
	case "password":
		pw := form("password")
		if err := password.Validate(pw); err != nil {
			return refusePeople(http.StatusUnprocessableEntity, name+"："+err.Error()+"。")
		}
		hash, err := password.Hash(pw)
		if err != nil {
			return err
		}
		return s.store.SetPassword(ctx, name, hash, m.name)
	case "unlock":
		return s.store.UnlockUser(ctx, name, m.name)
	case "role":
		dept, role := form("department"), form("role")
		if dept == "" {
			dept = u.Department
		}
		if role == "" {
			role = u.Role
		}
		if err := s.checkPlace(m, dept, role); err != nil {
			return err
		}
		if name == m.name {
			return refusePeople(http.StatusUnprocessableEntity, "不能修改自己的角色或部门：请另一位管理员修改。")
		}
		if dept == u.Department && role == u.Role {
			return nil
		}
		return s.store.SetUserRole(ctx, name, dept, role, m.name)
	}
	return refusePeople(http.StatusNotFound, "没有这项操作。")
}
