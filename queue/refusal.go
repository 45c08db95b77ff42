package queue

import (
	"errors"
	"fmt"

	"github.com/herald-gov/herald/content"
)

// Code says what kind of refusal a Refusal is, so that each door (CLI,
// console, API) can answer it its own way.
type Code string

// The refusal codes.
const (
	// RefusedDenied: the actor has no right to do this (department, reviewer, role).
	RefusedDenied Code = "denied"
	// RefusedNotFound: the item, policy or account named does not exist (or is
	// not visible to the actor's department).
	RefusedNotFound Code = "not_found"
	// RefusedContent: the content breaks a rule (wording, limits, bad pictures or documents).
	RefusedContent Code = "content"
	// RefusedState: the item is not in a state, level or time that allows it.
	RefusedState Code = "state"
	// RefusedInput: input is missing, unknown or contradictory.
	RefusedInput Code = "input"
)

// Refusal is an action refused for a reason a clerk can act on (wrong
// reviewer, wrong state, content over a limit). Msg says what is wrong in
// plain Chinese without naming a command-line flag or a form field; Field
// names the input it concerns ("at", "secrecy_ok", "comment", "docx",
// "body", "title", "targets", …; "" for none), and each door words it: the
// CLI with the flag, the console with the form field's label. The CLI
// exits 1 with it.
type Refusal struct {
	Code  Code
	Field string
	Msg   string
}

func (r *Refusal) Error() string { return r.Msg }

func refuse(code Code, field, format string, args ...any) error {
	return &Refusal{Code: code, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// IsRefusal reports whether err is a Refusal (or content problems, which
// are refused content).
func IsRefusal(err error) bool {
	_, ok := AsRefusal(err)
	return ok
}

// AsRefusal returns err as a Refusal: a Refusal itself, content problems
// as RefusedContent (with the first problem's field).
func AsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	if errors.As(err, &r) {
		return r, true
	}
	var ps content.Problems
	if errors.As(err, &ps) {
		r := &Refusal{Code: RefusedContent, Msg: err.Error()}
		if len(ps) > 0 {
			r.Field = ps[0].Field
		}
		return r, true
	}
	return nil, false
}
