package content

import (
	"strings"
	"testing"
)

func testChecker() *TextChecker {
	terms, err := ParseWordingList(strings.NewReader("不忘出心|block|不忘初心\n营商坏境|block|营商环境\n震惊|warn|避免标题党用语\nＡＢＣ错词|block|ABC对词\n"), "test")
	if err != nil {
		panic(err)
	}
	return NewTextChecker(terms, []Leader{{Name: "王建国", Title: "县委书记"}, {Name: "李明", Title: "县长"}, {Name: "赵晓燕", Title: "副县长"}, {Name: "孙立", Title: "副县长"}})
}

func TestTextCheckerFindsHiddenTerms(t *testing.T) {
	c := testChecker()
	for _, tc := range []struct {
		name, text, term, suggestion string
		offset                       int
	}{
		{"tag inside", "<p>我们要不忘<span style=\"color:red\">出</span>心。</p>", "不忘出心", "不忘初心", 7},
		{"zero-width space", "优化营商\u200b坏境，服务企业。", "营商坏境", "营商环境", 3},
		{"line break and ideographic space", "优化营商\n\u3000坏境", "营商坏境", "营商环境", 3},
		{"entity", "不忘&#20986;心", "不忘出心", "不忘初心", 1},
		{"full-width", "一段abc错词", "abc错词", "ABC对词", 3},
		{"leader misspelt", "会上，县委书记王建华作重要讲话。", "王建华", "王建国", 8},
		{"leader with a tag", "县委书记<b>王建</b>华", "王建华", "王建国", 8},
		{"another leader's name under the title", "县长王建国主持会议", "王建国", "李明", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := c.CheckText(tc.text)
			if len(got) != 1 {
				t.Fatalf("want 1 finding, got %+v", got)
			}
			f := got[0]
			if f.Term != tc.term || f.Suggestion != tc.suggestion || f.Offset != tc.offset {
				t.Fatalf("got term %q suggestion %q offset %d, want %q %q %d (%+v)", f.Term, f.Suggestion, f.Offset, tc.term, tc.suggestion, tc.offset, f)
			}
			if !strings.Contains(f.Context, "【") {
				t.Fatalf("context without the match marked: %q", f.Context)
			}
		})
	}
}

func TestLeadersRightNamesAreNoFinding(t *testing.T) {
	c := testChecker()
	for _, text := range []string{
		"县委书记王建国主持召开县委常委会会议。",
		"县委书记、县长分别作表态发言。",
		"县委书记主持会议并讲话。",
		"副县长赵晓燕、副县长孙立参加调研。",
		"县委副书记、县长李明出席。",
		"原县委书记王建军同志追悼会。", // a former holder
		"县长李明指出，要持续优化营商环境。",
	} {
		if got := c.CheckText(text); len(got) != 0 {
			t.Errorf("%q: unexpected findings %+v", text, got)
		}
	}
}
