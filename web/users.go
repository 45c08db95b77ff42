package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/herald-gov/herald/internal/password"
	"github.com/herald-gov/herald/storage"
)

var admins = []string{"admin"}

// usersData is what the 用户 page shows.
type usersData struct {
	Users       []storage.User
	Departments []deptOption
	Roles       []string
}

type deptOption struct{ ID, Name string }

func (s *Server) userRoutes() {
	s.mux.HandleFunc("GET /console/users", s.session(admins, s.usersPage))
	s.mux.HandleFunc("POST /console/users", s.session(admins, s.addUser))
	s.mux.HandleFunc("POST /console/users/{name}/disable", s.session(admins, s.userAction("disable")))
	s.mux.HandleFunc("POST /console/users/{name}/enable", s.session(admins, s.userAction("enable")))
	s.mux.HandleFunc("POST /console/users/{name}/password", s.session(admins, s.userAction("password")))
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	s.renderUsers(w, r, sess, http.StatusOK, flashText(r), "")
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, sess *storage.Session, status int, flash, msg string) {
	users, err := s.store.Users(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	d := usersData{Users: users, Roles: storage.Roles}
	for _, dep := range s.cfg.Departments {
		d.Departments = append(d.Departments, deptOption{dep.ID, dep.Name})
	}
	s.render(w, status, "users", page{Title: "用户", User: sess, Nav: "users", Flash: flash, Error: msg, Data: d})
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	dept := r.PostFormValue("department")
	role := r.PostFormValue("role")
	pw := r.PostFormValue("password")
	var msg string
	_, deptOK := s.cfg.Department(dept)
	switch {
	case name == "":
		msg = "请填写姓名。"
	case !deptOK:
		msg = "请选择部门。"
	case !slices.Contains(storage.Roles, role):
		msg = "请选择角色。"
	default:
		if err := password.Validate(pw); err != nil {
			msg = err.Error() + "。"
		}
	}
	if msg != "" {
		s.renderUsers(w, r, sess, http.StatusUnprocessableEntity, "", msg)
		return
	}
	hash, err := password.Hash(pw)
	if err != nil {
		s.fail(w, err)
		return
	}
	err = s.store.CreateUser(r.Context(), storage.User{Name: name, Department: dept, Role: role, PasswordHash: hash}, sess.Name)
	if errors.Is(err, storage.ErrConflict) {
		s.renderUsers(w, r, sess, http.StatusConflict, "", "用户 "+name+" 已存在。")
		return
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	http.Redirect(w, r, "/console/users?flash=user_added", http.StatusSeeOther)
}

func (s *Server) userAction(action string) consoleHandler {
	return func(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
		name := r.PathValue("name")
		var err error
		switch action {
		case "disable", "enable":
			if action == "disable" && name == sess.Name {
				s.renderUsers(w, r, sess, http.StatusUnprocessableEntity, "", "不能停用自己。")
				return
			}
			err = s.store.SetUserDisabled(r.Context(), name, action == "disable", sess.Name)
		case "password":
			pw := r.PostFormValue("password")
			if verr := password.Validate(pw); verr != nil {
				s.renderUsers(w, r, sess, http.StatusUnprocessableEntity, "", name+"："+verr.Error()+"。")
				return
			}
			var hash string
			if hash, err = password.Hash(pw); err == nil {
				err = s.store.SetPassword(r.Context(), name, hash, sess.Name)
			}
		}
		if errors.Is(err, storage.ErrNotFound) {
			s.renderUsers(w, r, sess, http.StatusNotFound, "", "没有用户 "+name+"。")
			return
		}
		if err != nil {
			s.fail(w, err)
			return
		}
		http.Redirect(w, r, "/console/users?flash=user_"+action, http.StatusSeeOther)
	}
}
