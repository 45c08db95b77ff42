package main

import (
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
)

// table prints rows aligned in columns by display width, so Chinese text
// (two columns a character) lines up with ASCII.
type table struct {
	header []string
	rows   [][]string
}

func newTable(header ...string) *table { return &table{header: header} }

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) error {
	all := t.rows
	if len(t.header) > 0 {
		all = append([][]string{t.header}, t.rows...)
	}
	n := 0
	for _, r := range all {
		n = max(n, len(r))
	}
	widths := make([]int, n)
	for _, r := range all {
		for i, c := range r {
			if i < len(widths) {
				widths[i] = max(widths[i], runewidth.StringWidth(c))
			}
		}
	}
	var b strings.Builder
	for _, r := range all {
		for i, c := range r {
			if i >= len(widths) {
				break
			}
			if i == len(r)-1 {
				b.WriteString(c)
			} else {
				b.WriteString(runewidth.FillRight(c, widths[i]))
				b.WriteString("  ")
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// clip shortens s to at most n display columns.
func clip(s string, n int) string {
	return runewidth.Truncate(s, n, "…")
}
