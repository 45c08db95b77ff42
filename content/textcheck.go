package content

import (
	"html"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	ahocorasick "github.com/petar-dambovaliev/aho-corasick"
)

// This file is the patrol's side of the normalised wording check: one
// checker over a whole published text (HTML or plain), which the patrol runs
// on everything an account published and which reports positions in the
// original text.

// Normalized is a text reduced for matching, with the way back to the original.
type Normalized struct {
	Text string
	// at[i] is the byte offset in the original of Text's byte i.
	at []int
	// Original is the text normalised.
	Original string
}

// Normalize reduces text for matching, so that a term cannot hide: HTML tags
// are dropped (不忘<span>出</span>心), entities decoded, zero-width and other
// invisible characters, spaces and line breaks removed, full-width letters,
// digits and signs folded to half-width, ASCII letters lower-cased.
func Normalize(text string) Normalized {
	n := Normalized{Original: text, at: make([]int, 0, len(text))}
	var b strings.Builder
	b.Grow(len(text))
	put := func(r rune, from int) {
		var buf [utf8.UTFMax]byte
		k := utf8.EncodeRune(buf[:], r)
		b.Write(buf[:k])
		for j := 0; j < k; j++ {
			n.at = append(n.at, from)
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c == '<' && i+1 < len(text) && (isASCIILetter(text[i+1]) || text[i+1] == '/' || text[i+1] == '!') {
			if end := strings.IndexByte(text[i:], '>'); end > 0 {
				i += end + 1
				continue
			}
		}
		if c == '&' {
			if end := strings.IndexByte(text[i:min(len(text), i+12)], ';'); end > 1 {
				if dec := html.UnescapeString(text[i : i+end+1]); dec != text[i:i+end+1] {
					for _, r := range dec {
						if r = fold(r); r >= 0 {
							put(r, i)
						}
					}
					i += end + 1
					continue
				}
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if r = fold(r); r >= 0 {
			put(r, i)
		}
		i += size
	}
	n.Text = b.String()
	return n
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// fold maps a rune to its matching form, or -1 to drop it.
func fold(r rune) rune {
	switch {
	case r < 0x80:
		if r <= ' ' || r == 0x7f {
			return -1
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return fold(r - 0xFEE0)
	case r == 0x3000 || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || unicode.IsControl(r):
		return -1 // ideographic space, zero-width and format characters
	case r == 0x3164 || r == 0x115F || r == 0x1160 || r == 0xFFA0 || (r >= 0xFE00 && r <= 0xFE0F) || r == 0x2800:
		return -1 // fillers and variation selectors that render as nothing
	}
	return r
}

// Pos returns the 1-based character position in the original of the
// normalised text's byte offset i.
func (n Normalized) Pos(i int) int {
	if i >= len(n.at) {
		return utf8.RuneCountInString(n.Original) + 1
	}
	return utf8.RuneCountInString(n.Original[:n.at[i]]) + 1
}

// Context returns up to width characters of the normalised text either side
// of [start, end), with the match in 【】.
func (n Normalized) Context(start, end, width int) string {
	lo := start
	for k := 0; k < width && lo > 0; k++ {
		_, size := utf8.DecodeLastRuneInString(n.Text[:lo])
		lo -= size
	}
	hi := end
	for k := 0; k < width && hi < len(n.Text); k++ {
		_, size := utf8.DecodeRuneInString(n.Text[hi:])
		hi += size
	}
	return n.Text[lo:start] + "【" + n.Text[start:end] + "】" + n.Text[end:hi]
}

// Finding is one problem the text checker found.
type Finding struct {
	Term       string `json:"term"`       // what is written (normalised)
	Suggestion string `json:"suggestion"` // what to write instead
	Level      string `json:"level"`      // block or warn
	Kind       string `json:"kind"`       // wording or leader
	Offset     int    `json:"offset"`     // 1-based character position in the original text
	Context    string `json:"context"`
	Source     string `json:"source,omitempty"`
}

// Finding kinds.
const (
	KindWording = "wording"
	KindLeader  = "leader"
)

// TextChecker checks whole texts against the wording lists and the leaders
// list, after normalising both sides.
type TextChecker struct {
	terms   []Term
	ac      ahocorasick.AhoCorasick
	leaders *LeaderCheck
}

// NewTextChecker builds a checker; a later term with the same text replaces
// an earlier one.
func NewTextChecker(terms []Term, leaders []Leader) *TextChecker {
	byText := map[string]int{}
	var uniq []Term
	for _, t := range terms {
		key := Normalize(t.Text).Text
		if key == "" {
			continue
		}
		if i, ok := byText[key]; ok {
			uniq[i] = t
			continue
		}
		byText[key] = len(uniq)
		uniq = append(uniq, t)
	}
	patterns := make([]string, len(uniq))
	for i, t := range uniq {
		patterns[i] = Normalize(t.Text).Text
	}
	var ls []Leader
	for _, l := range leaders {
		ls = append(ls, Leader{Name: Normalize(l.Name).Text, Title: Normalize(l.Title).Text})
	}
	b := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{MatchKind: ahocorasick.LeftMostLongestMatch, DFA: true})
	return &TextChecker{terms: uniq, ac: b.Build(patterns), leaders: NewLeaderCheck(ls)}
}

// CheckText returns the findings in a text (HTML or plain), in text order.
func (c *TextChecker) CheckText(text string) []Finding {
	n := Normalize(text)
	var out []Finding
	if len(c.terms) > 0 {
		for _, m := range c.ac.FindAll(n.Text) {
			t := c.terms[m.Pattern()]
			out = append(out, Finding{Term: n.Text[m.Start():m.End()], Suggestion: t.Suggestion, Level: t.Severity, Kind: KindWording,
				Offset: n.Pos(m.Start()), Context: n.Context(m.Start(), m.End(), 12), Source: t.Source})
		}
	}
	for _, h := range c.leaders.Find(n.Text) {
		out = append(out, Finding{Term: h.Found, Suggestion: h.Right, Level: SeverityBlock, Kind: KindLeader,
			Offset: n.Pos(h.Start), Context: n.Context(h.Start-len(h.Title), h.End, 12)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Offset < out[j].Offset })
	return out
}
