package content

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	ahocorasick "github.com/petar-dambovaliev/aho-corasick"
	"golang.org/x/text/unicode/norm"
)

// Finding is one listed term found in a text. Start and End are byte
// offsets into the text as given (not the normalised form), so a caller can
// mark or quote exactly what the author wrote, disguises included.
type Finding struct {
	Term       string `json:"term"`
	Suggestion string `json:"suggestion,omitempty"`
	Level      string `json:"level"` // SeverityBlock or SeverityWarn
	Start      int    `json:"start"`
	End        int    `json:"end"`
	// Char is the 1-based character (rune) position of Start in the text.
	Char int `json:"char"`
	// Context is the finding with some text around it, tags removed,
	// entities decoded and white space collapsed, for a report line.
	Context string `json:"context"`
	Source  string `json:"source,omitempty"` // the list's file:line
}

// Checker finds the terms of wording lists in texts, however they are
// disguised: before matching, both the terms and the text are normalised —
// HTML tags removed (so 不忘<b>出心</b> is 不忘出心), entities decoded
// (&shy;, &#8203;, &nbsp;), invisible characters dropped (zero-width space
// and joiners, soft hyphen, BOM, bidi marks, variation selectors), every
// kind of white space and line break dropped, compatibility and
// full-width/half-width forms folded (NFKC) and Latin letters lower-cased.
// Matching is one Aho-Corasick pass, leftmost-longest. A Checker is safe for
// concurrent use.
type Checker struct {
	terms   []Term
	ac      ahocorasick.AhoCorasick
	leaders *LeaderCheck // review.leaders (leaders.go); nil: none
}

// NewChecker builds a checker from wording lists in order; a later term
// with the same (normalised) text replaces an earlier one, so an office's
// list overrides the starter list. Terms that normalise to nothing are left out.
func NewChecker(terms []Term) *Checker {
	byText := map[string]int{}
	var uniq []Term
	var patterns []string
	for _, t := range terms {
		key := NormalizeWording(t.Text)
		if key == "" {
			continue
		}
		if i, ok := byText[key]; ok {
			uniq[i] = t
			continue
		}
		byText[key] = len(uniq)
		uniq = append(uniq, t)
		patterns = append(patterns, key)
	}
	c := &Checker{terms: uniq}
	if len(patterns) > 0 {
		b := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{MatchKind: ahocorasick.LeftMostLongestMatch, DFA: true})
		c.ac = b.Build(patterns)
	}
	return c
}

// Len is the number of distinct terms.
func (c *Checker) Len() int {
	if c == nil {
		return 0
	}
	return len(c.terms)
}

// Check returns every term found in text (plain text or an HTML fragment),
// in order of position.
func (c *Checker) Check(text string) []Finding {
	if (c.Len() == 0 && c.leaders.Empty()) || text == "" {
		return nil
	}
	n := normalize(text)
	var out []Finding
	if c.Len() > 0 {
		for _, m := range c.ac.FindAll(string(n.buf)) {
			t := c.terms[m.Pattern()]
			start, end := int(n.start[m.Start()]), int(n.end[m.End()-1])
			out = append(out, Finding{Term: t.Text, Suggestion: t.Suggestion, Level: t.Severity, Start: start, End: end,
				Char: utf8.RuneCountInString(text[:start]) + 1, Context: contextOf(text, start, end), Source: t.Source})
		}
	}
	return c.checkLeaders(text, n, out) // leaders.go
}

// NormalizeWording is the form a text is matched in (see Checker).
func NormalizeWording(s string) string { return string(normalize(s).buf) }

// normalized is a text's normalised form with, for each of its bytes, the
// byte span of the original text it came from.
type normalized struct {
	buf        []byte
	start, end []int32
}

func (n *normalized) add(r rune, from, to int) {
	var tmp [utf8.UTFMax]byte
	k := utf8.EncodeRune(tmp[:], r)
	for i := 0; i < k; i++ {
		n.buf = append(n.buf, tmp[i])
		n.start = append(n.start, int32(from))
		n.end = append(n.end, int32(to))
	}
}

// normalize folds s for matching. Tags and entities are taken as HTML in
// any text: a plain title with a tag in it is as suspect as a body.
func normalize(s string) *normalized {
	n := &normalized{buf: make([]byte, 0, len(s)), start: make([]int32, 0, len(s)), end: make([]int32, 0, len(s))}
	for i := 0; i < len(s); {
		c := s[i]
		if c == '<' {
			if j := tagEnd(s, i); j > 0 {
				i = j
				continue
			}
		}
		if c == '&' {
			if dec, j := entity(s, i); j > 0 {
				for _, r := range dec {
					n.fold(r, i, j)
				}
				i = j
				continue
			}
		}
		if c < utf8.RuneSelf {
			n.fold(rune(c), i, i+1)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		n.fold(r, i, i+size)
		i += size
	}
	return n
}

// fold adds rune r (from s[from:to]) in its matching form, or nothing.
func (n *normalized) fold(r rune, from, to int) {
	switch {
	case r < utf8.RuneSelf:
		if r <= ' ' || r == 0x7f { // white space, line breaks, controls
			return
		}
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		n.add(r, from, to)
		return
	case r >= 0x4e00 && r <= 0x9fff: // CJK unified ideographs: already normal
		n.add(r, from, to)
		return
	case invisible(r):
		return
	}
	var tmp [utf8.UTFMax]byte
	k := utf8.EncodeRune(tmp[:], r)
	folded := norm.NFKC.Bytes(tmp[:k])
	for len(folded) > 0 {
		fr, size := utf8.DecodeRune(folded)
		folded = folded[size:]
		if fr < utf8.RuneSelf || !invisible(fr) {
			if fr < utf8.RuneSelf && fr <= ' ' || fr == 0x7f {
				continue
			}
			n.add(unicode.ToLower(fr), from, to)
		}
	}
}

// invisible reports characters that show nothing or only space: white space
// of every kind, format characters (zero-width space and joiners, soft
// hyphen, BOM, bidi marks, word joiner), variation selectors and other
// non-spacing marks, and control characters.
func invisible(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) ||
		unicode.IsControl(r) || r == 0x3164 || r == 0xffa0 || r == 0x115f || r == 0x1160 // Hangul fillers
}

// tagEnd returns the index just past an HTML tag, comment or declaration
// starting at s[i] == '<', or 0 if none starts there.
func tagEnd(s string, i int) int {
	if i+1 >= len(s) {
		return 0
	}
	c := s[i+1]
	if !(c == '/' || c == '!' || c == '?' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')) {
		return 0
	}
	if strings.HasPrefix(s[i:], "<!--") {
		if j := strings.Index(s[i+4:], "-->"); j >= 0 {
			return i + 4 + j + 3
		}
		return 0
	}
	if j := strings.IndexByte(s[i+1:], '>'); j >= 0 {
		return i + 1 + j + 1
	}
	return 0
}

// entity decodes an HTML character reference at s[i] == '&' and returns it
// with the index just past it, or 0 if none starts there.
func entity(s string, i int) (string, int) {
	end := strings.IndexByte(s[i:min(len(s), i+34)], ';')
	if end < 2 {
		return "", 0
	}
	ref := s[i : i+end+1]
	dec := html.UnescapeString(ref)
	if dec == ref {
		return "", 0
	}
	return dec, i + end + 1
}

var (
	tagRE   = regexp.MustCompile(`<[a-zA-Z/!?][^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// contextOf is s[start:end] with about 20 characters either side, cleaned
// for a one-line report.
func contextOf(s string, start, end int) string {
	from, to := start, end
	for k := 0; k < 40 && from > 0; k++ { // bytes of tags count too: step back generously
		_, size := utf8.DecodeLastRuneInString(s[:from])
		from -= size
	}
	for k := 0; k < 40 && to < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[to:])
		to += size
	}
	clean := func(p string) string {
		p = html.UnescapeString(tagRE.ReplaceAllString(p, ""))
		p = strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return ' '
			}
			if invisible(r) {
				return -1
			}
			return r
		}, p)
		return spaceRE.ReplaceAllString(p, " ")
	}
	before, match, after := []rune(clean(s[from:start])), clean(s[start:end]), []rune(clean(s[end:to]))
	if len(before) > 20 {
		before = before[len(before)-20:]
	}
	if len(after) > 20 {
		after = after[:20]
	}
	return strings.TrimSpace(string(before) + match + string(after))
}
