package content

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Leader is a leader whose name must follow their title exactly
// (review.leaders): 「县委书记王建国」.
type Leader struct {
	Name  string `json:"name"`
	Title string `json:"title"`
}

// LeaderHit is a leader's title followed by a name that is not theirs.
type LeaderHit struct {
	// Start and End are byte offsets of the wrong name in the text searched.
	Start, End int
	Title      string
	Found      string // the name as written
	Right      string // the leader's name
}

// LeaderCheck finds a leader's title followed by a wrong name: a misspelling
// of the leader's name (same length, at least one character in the same
// place), or the name of another listed leader. A title followed by the
// right name, by anything that does not look like a name (「县委书记主持会议」),
// or preceded by 副, 原 or 前 (another office, a former holder) is left alone.
type LeaderCheck struct {
	byTitle map[string][]Leader
	titles  []string
	names   map[string]bool
}

// NewLeaderCheck builds the check; leaders should be normalised like the
// text it will search (see Normalize).
func NewLeaderCheck(leaders []Leader) *LeaderCheck {
	l := &LeaderCheck{byTitle: map[string][]Leader{}, names: map[string]bool{}}
	for _, ld := range leaders {
		if ld.Name == "" || ld.Title == "" {
			continue
		}
		if _, ok := l.byTitle[ld.Title]; !ok {
			l.titles = append(l.titles, ld.Title)
		}
		l.byTitle[ld.Title] = append(l.byTitle[ld.Title], ld)
		l.names[ld.Name] = true
	}
	return l
}

// Empty reports whether there is nothing to check.
func (l *LeaderCheck) Empty() bool { return l == nil || len(l.titles) == 0 }

// Find returns every wrongly named leader in text.
func (l *LeaderCheck) Find(text string) []LeaderHit {
	if l.Empty() {
		return nil
	}
	var hits []LeaderHit
	for _, title := range l.titles {
		for from := 0; ; {
			i := strings.Index(text[from:], title)
			if i < 0 {
				break
			}
			at := from + i
			from = at + len(title)
			if before, _ := utf8.DecodeLastRuneInString(text[:at]); before == '副' || before == '原' || before == '前' {
				continue
			}
			if h, ok := l.judge(text, from, title); ok {
				hits = append(hits, h)
			}
		}
	}
	return hits
}

// judge looks at what follows a title at byte offset at.
func (l *LeaderCheck) judge(text string, at int, title string) (LeaderHit, bool) {
	holders := l.byTitle[title]
	for _, ld := range holders {
		if strings.HasPrefix(text[at:], ld.Name) {
			return LeaderHit{}, false // the right name: no finding, whoever else shares the title
		}
	}
	for name := range l.names { // another listed leader's name under this title
		if strings.HasPrefix(text[at:], name) {
			return LeaderHit{Start: at, End: at + len(name), Title: title, Found: name, Right: holders[0].Name}, true
		}
	}
	var best LeaderHit
	found := false
	bestScore := -1
	for _, ld := range holders {
		n := utf8.RuneCountInString(ld.Name)
		cand, end, ok := hanPrefix(text[at:], n)
		if !ok {
			continue
		}
		same := sameChars(cand, ld.Name)
		if same == 0 { // not this leader's name at all, nor a misspelling of it
			continue
		}
		if same > bestScore {
			bestScore, found = same, true
			best = LeaderHit{Start: at, End: at + end, Title: title, Found: cand, Right: ld.Name}
		}
	}
	return best, found
}

// hanPrefix returns the first n runes of s when they are all Han characters.
func hanPrefix(s string, n int) (string, int, bool) {
	end := 0
	for i := 0; i < n; i++ {
		r, size := utf8.DecodeRuneInString(s[end:])
		if size == 0 || !unicode.Is(unicode.Han, r) {
			return "", 0, false
		}
		end += size
	}
	return s[:end], end, true
}

// sameChars counts the positions where a and b (of equal rune length) agree.
func sameChars(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	n := 0
	for i := range min(len(ra), len(rb)) {
		if ra[i] == rb[i] {
			n++
		}
	}
	return n
}

// LeaderSource is the Source of a leaders-check finding.
const LeaderSource = "review.leaders"

// WithLeaders makes the checker also run the leaders check (review.leaders)
// on every text, after the same normalisation as the wording lists. It
// returns c.
func (c *Checker) WithLeaders(leaders []Leader) *Checker {
	var ls []Leader
	for _, l := range leaders {
		ls = append(ls, Leader{Name: NormalizeWording(l.Name), Title: NormalizeWording(l.Title)})
	}
	c.leaders = NewLeaderCheck(ls)
	return c
}

// checkLeaders adds the leaders check's findings in text (normalised as n)
// to out, keeping text order.
func (c *Checker) checkLeaders(text string, n *normalized, out []Finding) []Finding {
	hits := c.leaders.Find(string(n.buf))
	if len(hits) == 0 {
		return out
	}
	for _, h := range hits {
		start, end := int(n.start[h.Start]), int(n.end[h.End-1])
		out = append(out, Finding{Term: h.Found, Suggestion: h.Right, Level: SeverityBlock, Start: start, End: end,
			Char: utf8.RuneCountInString(text[:start]) + 1, Context: contextOf(text, start, end), Source: LeaderSource})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// WithLeaders makes the revision checker run the leaders check too (the
// queue's guard at submit and before publishing). It returns w.
func (w *Wording) WithLeaders(leaders []Leader) *Wording {
	w.c.WithLeaders(leaders)
	return w
}
