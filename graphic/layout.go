// Package graphic renders a policy graphic (政策图解): from a short
// structured description of a policy it draws a set of long PNG pages,
// 1080 px wide, in the government red-and-white style, ready to go out as a
// graphic item (WeChat newspic, Weibo picture).
package graphic

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// Chinese line-breaking rules (禁则): these may not start a line...
const noLineStart = "，。、；：？！）」』》〉】〕”’…—,.;:?!)]}%·～"

// ...and these may not end one.
const noLineEnd = "（「『《〈【〔“‘([{"

func forbiddenStart(r rune) bool { return strings.ContainsRune(noLineStart, r) }
func forbiddenEnd(r rune) bool   { return strings.ContainsRune(noLineEnd, r) }

// units splits text into the pieces a line may break between: each CJK
// character alone, runs of letters and digits (an English word, a number
// such as 3000 or 2026) kept whole, spaces as their own units.
func units(text string) []string {
	var out []string
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			out = append(out, word.String())
			word.Reset()
		}
	}
	for _, r := range text {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_./:%@+#&=", r) && word.Len() > 0):
			word.WriteRune(r)
		default:
			flush()
			out = append(out, string(r))
		}
	}
	flush()
	// Glue punctuation to its neighbours so that a break never falls where
	// the rules forbid it: closing marks join the unit before them, a unit
	// after an opening mark joins it.
	var glued []string
	for _, u := range out {
		if n := len(glued); n > 0 {
			first, _ := utf8.DecodeRuneInString(u)
			last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(glued[n-1], " "))
			if (u != " " && forbiddenStart(first)) || forbiddenEnd(last) {
				glued[n-1] += u
				continue
			}
		}
		glued = append(glued, u)
	}
	return glued
}

// BreakLines lays text out in lines no wider than width by the face's glyph
// widths, with the Chinese rules: no line starts with closing punctuation,
// none ends with opening punctuation. Explicit newlines start new lines.
// Joining the lines gives back the text exactly (newlines aside); a unit
// wider than the whole line (a very long URL) is split by character.
func BreakLines(face font.Face, text string, width int) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		lines = append(lines, breakParagraph(face, para, fixed.I(width))...)
	}
	return lines
}

func breakParagraph(face font.Face, text string, width fixed.Int26_6) []string {
	var pieces []string
	for _, u := range units(text) { // a unit wider than a line is split into characters
		if utf8.RuneCountInString(u) > 1 && font.MeasureString(face, u) > width {
			for _, r := range u {
				pieces = append(pieces, string(r))
			}
			continue
		}
		pieces = append(pieces, u)
	}
	widths := make([]fixed.Int26_6, len(pieces))
	for i, p := range pieces {
		widths[i] = font.MeasureString(face, p)
	}
	var lines []string
	for start := 0; start < len(pieces); {
		// Fill greedily; a line takes at least one piece, and spaces may hang
		// past the edge (they are invisible at a line's end).
		end, w := start, fixed.I(0)
		for end < len(pieces) && (end == start || w+widths[end] <= width || pieces[end] == " ") {
			w += widths[end]
			end++
		}
		if end < len(pieces) {
			// Move the break back while it would start a line with closing
			// punctuation or end one with opening punctuation.
			for b := end; b > start+1; b-- {
				first, _ := utf8.DecodeRuneInString(pieces[b])
				last, _ := utf8.DecodeLastRuneInString(pieces[b-1])
				if !forbiddenStart(first) && !forbiddenEnd(last) {
					end = b
					break
				}
			}
		}
		lines = append(lines, strings.Join(pieces[start:end], ""))
		start = end
	}
	if len(lines) == 0 {
		lines = []string{""}
	}
	return lines
}

// lineWidth measures a line without its trailing spaces.
func lineWidth(face font.Face, line string) fixed.Int26_6 {
	return font.MeasureString(face, strings.TrimRight(line, " "))
}
