package web

import (
	"errors"
	"net/http"

	"github.com/herald-gov/herald/storage"
)

var admins = []string{"admin"}

// usersData is what the 用户 page shows.
type usersData struct {
	Users       []person
	Departments []deptOption
	Roles       []string
	// Office is whether the administrator manages every department.
	Office bool
}

type deptOption struct{ ID, Name string }

func (s *Server) userRoutes() {
	s.mux.HandleFunc("GET /console/users", s.session(admins, s.usersPage))
	s.mux.HandleFunc("POST /console/users", s.session(admins, s.addUser))
	for _, action := range []string{"disable", "enable", "password", "unlock", "role"} {
		s.mux.HandleFunc("POST /console/users/{name}/"+action, s.session(admins, s.userAction(action)))
	}
	s.mux.HandleFunc("GET /api/v1/users", s.auth(admins, s.apiUsers))
	s.mux.HandleFunc("POST /api/v1/users", s.auth(admins, s.apiAddUser))
	for _, action := range []string{"disable", "enable", "password", "unlock", "role"} {
		s.mux.HandleFunc("POST /api/v1/users/{name}/"+action, s.auth(admins, s.apiUserAction(action)))
	}
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	s.renderUsers(w, r, sess, http.StatusOK, flashText(r), "")
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, sess *storage.Session, status int, flash, msg string) {
	m := s.managerOf(sess.Name, sess.Department)
	users, err := s.people(r.Context(), m)
	if err != nil {
		s.fail(w, err)
		return
	}
	d := usersData{Users: users, Roles: storage.Roles, Office: m.all}
	for _, dep := range s.cfg.Departments {
		if m.manages(dep.ID) {
			d.Departments = append(d.Departments, deptOption{dep.ID, dep.Name})
		}
	}
	s.render(w, status, "users", page{Title: "用户", User: sess, Nav: "users", Flash: flash, Error: msg, Data: d})
}

// peopleFailed answers a refused or failed change to users on 用户.
func (s *Server) peopleFailed(w http.ResponseWriter, r *http.Request, sess *storage.Session, err error) {
	var rf *peopleRefusal
	if errors.As(err, &rf) {
		s.renderUsers(w, r, sess, rf.status, "", rf.msg)
		return
	}
	s.fail(w, err)
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
	err := s.addPerson(r.Context(), s.managerOf(sess.Name, sess.Department), r.PostFormValue("name"),
		r.PostFormValue("department"), r.PostFormValue("role"), r.PostFormValue("password"))
	if err != nil {
		s.peopleFailed(w, r, sess, err)
		return
	}
	http.Redirect(w, r, "/console/users?flash=user_added", http.StatusSeeOther)
}

func (s *Server) userAction(action string) consoleHandler {
	return func(w http.ResponseWriter, r *http.Request, sess *storage.Session) {
		err := s.changePerson(r.Context(), s.managerOf(sess.Name, sess.Department), r.PathValue("name"), action, r.PostFormValue)
		if err != nil {
			s.peopleFailed(w, r, sess, err)
			return
		}
		http.Redirect(w, r, "/console/users?flash=user_"+action, http.StatusSeeOther)
	}
}
