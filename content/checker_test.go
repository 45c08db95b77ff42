package content

import (
	"os"
	"strings"
	"testing"
)

func starterChecker(t testing.TB) *Checker {
	t.Helper()
	f, err := os.Open("../configs/wording.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	terms, err := ParseWordingList(f, "configs/wording.txt")
	if err != nil {
		t.Fatal(err)
	}
	more := []Term{{Text: "5G基站建没", Severity: SeverityBlock, Suggestion: "5G基站建设"}, {Text: "Qingshan County Goverment", Severity: SeverityWarn, Suggestion: "Qingshan County Government"}}
	return NewChecker(append(terms, more...))
}

// Every disguise the issue names (and a few more) is found, and the finding
// points at exactly what the author wrote.
func TestCheckerSeesThroughDisguises(t *testing.T) {
	c := starterChecker(t)
	for _, tc := range []struct{ name, text, want, span string }{
		{"plain", "全县干部不忘出心，砥砺前行", "不忘出心", "不忘出心"},
		{"zero-width space", "全县干部不忘\u200b出心，砥砺前行", "不忘出心", "不忘\u200b出心"},
		{"zero-width joiner and BOM", "不\u200d忘\ufeff出心", "不忘出心", "不\u200d忘\ufeff出心"},
		{"soft hyphen entity", "<p>全县干部不忘&shy;出心</p>", "不忘出心", "不忘&shy;出心"},
		{"soft hyphen character", "不忘\u00ad出心", "不忘出心", "不忘\u00ad出心"},
		{"numeric entity", "不忘&#8203;出心", "不忘出心", "不忘&#8203;出心"},
		{"entity for the character itself", "不忘&#20986;心", "不忘出心", "不忘&#20986;心"},
		{"tag inside", "<p>全县干部不忘<b>出心</b>，砥砺前行</p>", "不忘出心", "不忘<b>出心"},
		{"span with style inside", `不<span style="color:red">忘出</span>心`, "不忘出心", `不<span style="color:red">忘出</span>心`},
		{"line break", "全县干部不忘\n出心", "不忘出心", "不忘\n出心"},
		{"br tag", "全县干部不忘<br/>\r\n出心", "不忘出心", "不忘<br/>\r\n出心"},
		{"space", "不忘 出心", "不忘出心", "不忘 出心"},
		{"ideographic space", "不忘\u3000出心", "不忘出心", "不忘\u3000出心"},
		{"nbsp entity", "不忘&nbsp;出心", "不忘出心", "不忘&nbsp;出心"},
		{"full-width letters and digits", "推进５Ｇ基站建没", "5G基站建没", "５Ｇ基站建没"},
		{"case and spacing of Latin", "QINGSHAN  county\tgoverment", "Qingshan County Goverment", "QINGSHAN  county\tgoverment"},
		{"comment inside", "不忘<!-- x -->出心", "不忘出心", "不忘<!-- x -->出心"},
		{"CJK compatibility ideograph", "\uf967忘出心", "不忘出心", "\uf967忘出心"}, // U+F967 looks like 不 and is 不 under NFKC
		{"a look-alike that is another character", "乡村振\uf9b1", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := c.Check(tc.text)
			if tc.want == "" {
				if len(fs) != 0 {
					t.Fatalf("findings in %q: %+v", tc.text, fs)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("%q: %d findings %+v", tc.text, len(fs), fs)
			}
			f := fs[0]
			if f.Term != tc.want || tc.text[f.Start:f.End] != tc.span {
				t.Fatalf("%q: found %q at %q, want %q at %q", tc.text, f.Term, tc.text[f.Start:f.End], tc.want, tc.span)
			}
			if f.Char != len([]rune(tc.text[:f.Start]))+1 || !strings.Contains(f.Context, "出") && tc.want == "不忘出心" {
				t.Fatalf("position %d, context %q", f.Char, f.Context)
			}
		})
	}
}

func TestCheckerReportsPositionsContextAndLevel(t *testing.T) {
	c := starterChecker(t)
	text := "<p>为持续优化营商坏境，</p><p>我县深化放管服改格。</p>"
	fs := c.Check(text)
	if len(fs) != 2 {
		t.Fatalf("%+v", fs)
	}
	if fs[0].Term != "营商坏境" || fs[0].Suggestion != "营商环境" || fs[0].Level != SeverityBlock || fs[0].Start >= fs[1].Start {
		t.Fatalf("%+v", fs[0])
	}
	if fs[0].Context != "为持续优化营商坏境，我县深化放管服改格。" {
		t.Fatalf("context %q", fs[0].Context)
	}
	if text[fs[1].Start:fs[1].End] != "放管服改格" {
		t.Fatalf("second at %q", text[fs[1].Start:fs[1].End])
	}
}

// Real government prose that uses every starter term correctly raises no
// false alarm (a notice in HTML and a work report in plain text).
func TestCheckerNoFalseAlarmsOnGovernmentProse(t *testing.T) {
	c := starterChecker(t)
	total := 0
	for _, name := range []string{"testdata/notice.html", "testdata/report.txt"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		total += len([]rune(string(b)))
		if fs := c.Check(string(b)); len(fs) != 0 {
			t.Errorf("%s: false alarms %+v", name, fs)
		}
		if fs := c.Check(PlainText(string(b))); len(fs) != 0 {
			t.Errorf("%s as plain text: false alarms %+v", name, fs)
		}
	}
	t.Logf("%d characters of prose checked against %d terms", total, c.Len())
	// The same prose with one term misspelt is caught.
	b, _ := os.ReadFile("testdata/notice.html")
	bad := strings.Replace(string(b), "持续优化营商环境", "持续优化营商<strong>坏</strong>境", 1)
	if fs := c.Check(bad); len(fs) != 1 || fs[0].Term != "营商坏境" {
		t.Fatalf("the misspelt notice: %+v", fs)
	}
}

// Patrol must check more than 1 MB/s.
func BenchmarkCheckerProse(b *testing.B) {
	c := starterChecker(b)
	n, _ := os.ReadFile("testdata/notice.html")
	r, _ := os.ReadFile("testdata/report.txt")
	var sb strings.Builder
	for sb.Len() < 1<<20 {
		sb.Write(n)
		sb.Write(r)
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if fs := c.Check(text); len(fs) != 0 {
			b.Fatal(fs)
		}
	}
}
