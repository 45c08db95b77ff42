package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/herald-gov/herald/storage"
)

// The users API (admin tokens): GET /api/v1/users, POST /api/v1/users
// {name, department, role, password}, POST /api/v1/users/{name}/disable,
// enable, unlock, password {password} (also lifts a lock) and role {role,
// department}. A department's admin token manages that department's users
// only, as on 用户.

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
	users, err := s.people(r.Context(), s.managerOf(who.Name, who.Department))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users})
}

type userRequest struct {
	Name       string `json:"name"`
	Department string `json:"department"`
	Role       string `json:"role"`
	Password   string `json:"password"`
}

func (s *Server) apiAddUser(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
	var req userRequest
	if !decodeUserRequest(w, r, &req) {
		return
	}
	err := s.addPerson(r.Context(), s.managerOf(who.Name, who.Department), req.Name, req.Department, req.Role, req.Password)
	if err != nil {
		s.peopleAPIFailed(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"name": req.Name})
}

func (s *Server) apiUserAction(action string) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, who storage.APIToken) {
		var req userRequest
		if r.ContentLength != 0 && !decodeUserRequest(w, r, &req) {
			return
		}
		form := func(k string) string {
			switch k {
			case "password":
				return req.Password
			case "department":
				return req.Department
			case "role":
				return req.Role
			}
			return ""
		}
		name := r.PathValue("name")
		if err := s.changePerson(r.Context(), s.managerOf(who.Name, who.Department), name, action, form); err != nil {
			s.peopleAPIFailed(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"name": name})
	}
}

func decodeUserRequest(w http.ResponseWriter, r *http.Request, req *userRequest) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(req); err != nil {
		apiError(w, http.StatusBadRequest, "bad_request", jsonProblem(err))
		return false
	}
	return true
}

func (s *Server) peopleAPIFailed(w http.ResponseWriter, err error) {
	var rf *peopleRefusal
	if !errors.As(err, &rf) {
		s.fail(w, err)
		return
	}
	code := map[int]string{http.StatusNotFound: "not_found", http.StatusForbidden: "forbidden", http.StatusConflict: "conflict"}[rf.status]
	if code == "" {
		code = "invalid"
	}
	apiError(w, rf.status, code, rf.msg)
}
