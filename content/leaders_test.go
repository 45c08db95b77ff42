package content

import (
	"strings"
	"testing"
)

func leadersChecker() *Checker {
	terms, err := ParseWordingList(strings.NewReader("不忘出心|block|不忘初心\n营商坏境|block|营商环境\n"), "test")
	if err != nil {
		panic(err)
	}
	return NewChecker(terms).WithLeaders([]Leader{{Name: "王建国", Title: "县委书记"}, {Name: "李明", Title: "县长"}, {Name: "赵晓燕", Title: "副县长"}, {Name: "孙立", Title: "副县长"}})
}

func TestLeadersCheckFindsWrongNames(t *testing.T) {
	c := leadersChecker()
	for _, tc := range []struct {
		name, text, term, suggestion string
		char                         int
	}{
		{"misspelt", "会上，县委书记王建华作重要讲话。", "王建华", "王建国", 8},
		{"split by a tag", "<p>县委书记<b>王建</b>华</p>", "王建华", "王建国", 11},
		{"hidden by a zero-width space", "县委书记王\u200b建华", "王建华", "王建国", 5},
		{"full-width space and line break", "县委\u3000书记\n王建华", "王建华", "王建国", 7},
		{"another leader's name under the title", "县长王建国主持会议", "王建国", "李明", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := c.Check(tc.text)
			if len(got) != 1 {
				t.Fatalf("want 1 finding, got %+v", got)
			}
			f := got[0]
			if f.Term != tc.term || f.Suggestion != tc.suggestion || f.Char != tc.char || f.Source != LeaderSource || f.Level != SeverityBlock {
				t.Fatalf("got %+v, want term %q suggestion %q at %d", f, tc.term, tc.suggestion, tc.char)
			}
			if !strings.Contains(f.Context, "县") {
				t.Fatalf("context %q", f.Context)
			}
		})
	}
}

func TestLeadersRightNamesAreNoFinding(t *testing.T) {
	c := leadersChecker()
	for _, text := range []string{
		"县委书记王建国主持召开县委常委会会议。",
		"县委书记、县长分别作表态发言。",
		"县委书记主持会议并讲话。",
		"副县长赵晓燕、副县长孙立参加调研。",
		"县委副书记、县长李明出席。",
		"原县委书记王建军同志追悼会。", // a former holder
		"县长李明指出，要持续优化营商环境。",
	} {
		if got := c.Check(text); len(got) != 0 {
			t.Errorf("%q: unexpected findings %+v", text, got)
		}
	}
}

// The queue's revision checker runs the leaders check too.
func TestWordingWithLeadersGuardsRevisions(t *testing.T) {
	w := NewWording([]Term{{Text: "不忘出心", Severity: SeverityBlock, Suggestion: "不忘初心"}}).WithLeaders([]Leader{{Name: "王建国", Title: "县委书记"}})
	hits := w.Check(KindArticle, &Revision{Title: "县委常委会召开", Body: "<p>县委书记王建华主持。</p>"})
	if len(hits) != 1 || hits[0].Field != "body" || hits[0].Suggestion != "王建国" || Blocking(hits) == "" {
		t.Fatalf("hits %+v", hits)
	}
}
