package notify

import (
	"strings"
	"unicode"
)

// Flat makes a value that goes into a robot message one line of visible
// text: line breaks, other control characters and format characters (bidi
// controls, zero-width ones) become a space, runs of spaces one space. A
// title, a name or a comment with a newline cannot forge a line of the
// message (a fake 【审核通过】, a fake link).
func Flat(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r) || unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}
