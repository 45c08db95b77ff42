package content

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// Severity of a wording term.
const (
	SeverityBlock = "block" // stops submit and publish
	SeverityWarn  = "warn"  // shown to the reviewer, recorded
)

// Term is one entry of a wording list: a banned term or a serious
// misspelling of an official name or set expression.
type Term struct {
	Text       string `json:"term"`
	Severity   string `json:"severity"`
	Suggestion string `json:"suggestion,omitempty"`
	Source     string `json:"source,omitempty"` // file:line
}

// ParseWordingList reads a wording list: one term a line as
// "词语|block|建议" (severity and suggestion optional; severity defaults to
// block), blank lines and lines starting with # ignored.
func ParseWordingList(r io.Reader, source string) ([]Term, error) {
	var out []Term
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "|")
		t := Term{Text: strings.TrimSpace(parts[0]), Severity: SeverityBlock, Source: fmt.Sprintf("%s:%d", source, n)}
		if len(parts) > 1 && strings.TrimSpace(parts[1]) != "" {
			t.Severity = strings.TrimSpace(parts[1])
		}
		if len(parts) > 2 {
			t.Suggestion = strings.TrimSpace(parts[2])
		}
		if len(parts) > 3 || t.Text == "" || (t.Severity != SeverityBlock && t.Severity != SeverityWarn) {
			return nil, fmt.Errorf("%s:%d: 应写成「词语|block或warn|建议」：%q", source, n, line)
		}
		out = append(out, t)
	}
	return out, sc.Err()
}

// Wording checks the fields of a revision with a Checker: the queue's
// guard at submit and again just before publishing.
type Wording struct {
	c *Checker
}

// NewWording builds the revision checker; a later term with the same text
// replaces an earlier one (an office's list overrides the starter list).
func NewWording(terms []Term) *Wording { return &Wording{c: NewChecker(terms)} }

// Checker is the text checker underneath, for other uses (patrol).
func (w *Wording) Checker() *Checker {
	if w == nil {
		return nil
	}
	return w.c
}

// Hit is one wording term found in a field.
type Hit struct {
	Term
	Field string `json:"field"` // title, digest, body, ...
	// Offset is the 1-based character position in the field's text.
	Offset int `json:"offset"`
	// Length is how many characters of the field's text the hit spans
	// (more than the term's when it was disguised).
	Length int `json:"length"`
}

// Message describes the hit for a clerk: where, what, what to write instead.
func (h Hit) Message() string {
	s := fmt.Sprintf("%s第%d字「%s」", fieldLabel(h.Field), h.Offset, h.Text)
	if h.Suggestion != "" {
		s += "，应为「" + h.Suggestion + "」"
	}
	return s
}

func fieldLabel(f string) string {
	switch f {
	case "title":
		return "标题"
	case "digest":
		return "摘要"
	case "body":
		return "正文"
	case "findings":
		return "检查情况"
	}
	return f
}

// Check finds the terms in each field of a revision (the body as plain text).
func (w *Wording) Check(kind Kind, r *Revision) []Hit {
	if w.Checker().Len() == 0 {
		return nil
	}
	body := r.Body
	if kind != KindShort {
		body = PlainText(body)
	}
	fields := [][2]string{{"title", r.Title}, {"digest", r.Digest}, {"body", body}}
	if r.Broadcast != nil {
		fields = append(fields, [2]string{"unit", r.Broadcast.Unit}, [2]string{"result", r.Broadcast.Result}, [2]string{"findings", r.Broadcast.Findings})
	}
	var hits []Hit
	for _, f := range fields {
		for _, m := range w.c.Check(f[1]) {
			hits = append(hits, Hit{Term: Term{Text: m.Term, Severity: m.Level, Suggestion: m.Suggestion, Source: m.Source},
				Field: f[0], Offset: m.Char, Length: utf8.RuneCountInString(f[1][m.Start:m.End])})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Severity == SeverityBlock && hits[j].Severity != SeverityBlock })
	return hits
}

// Blocking returns the hits that stop an item, as one message, or "".
func Blocking(hits []Hit) string {
	var msgs []string
	for _, h := range hits {
		if h.Severity == SeverityBlock {
			msgs = append(msgs, h.Message())
		}
	}
	if len(msgs) == 0 {
		return ""
	}
	return "用语检查未通过：" + strings.Join(msgs, "；")
}
