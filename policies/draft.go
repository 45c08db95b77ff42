package policies

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/herald-gov/herald/graphic"
	"github.com/herald-gov/herald/storage"
)

// Limits of a policy graphic (graphic.Policy.Validate).
const (
	draftTitle   = 40
	draftSummary = 300
	draftHeading = 24
	draftText    = 200
	draftOther   = 200
	draftContact = 60
	draftPoints  = 12
)

var (
	topHeading = regexp.MustCompile(`^([一二三四五六七八九十]{1,3})[、.．]\s*(.+)$`)
	subHeading = regexp.MustCompile(`^[（(]([一二三四五六七八九十]{1,3})[）)]\s*(.+)$`)
	// an amount: 每户补助3万元, 最高奖励5000元
	amountRe = regexp.MustCompile(`(\d+(?:\.\d+)?)\s*(亿元|万元|千元|元)`)
	// a rate: 补贴比例30%
	rateRe = regexp.MustCompile(`(\d+(?:\.\d+)?)\s*[%％]`)
	// a deadline: 2026年12月31日前完成申报
	deadlineRe = regexp.MustCompile(`(?:(?:19|20)\d{2}年)?(\d{1,2})月(\d{1,2})日(?:前|之前|以前)([^，。；,;]{0,8})`)
	// words before a figure that are not part of its label
	labelCut = regexp.MustCompile(`.*(提高至|提高到|调整为|调整至|给予|按照|按|对|由|可|将|并|为|的|是|达到|达|，|。|；|、|：)`)
	sentence = regexp.MustCompile(`[^。！？；]*[。！？；]`)
)

// Draft makes a policy-graphic description from a stored policy, by rule:
// title, issuer, 文号, date and URL from the document; the summary is its
// opening purpose sentence; the points are its 一、/（一） headings with the
// first sentences under each and the first amount, rate or deadline in them
// as a figure; 适用对象, 办理方式 and 咨询电话 where the text has them. The
// clerk edits the result before rendering it.
func Draft(p *storage.Policy, loc *time.Location) *graphic.Policy {
	lines := strings.Split(p.Body, "\n")
	g := &graphic.Policy{
		Title:     draftTitleOf(p.Title),
		Issuer:    clip(p.Issuer, 40),
		DocNumber: p.DocNumber,
		Date:      chineseDate(Date(p, loc)),
		URL:       p.URL,
	}
	g.Summary = summaryOf(lines, p.Title)
	g.Points = pointsOf(lines)
	g.AppliesTo = sectionText(lines, []string{"适用对象", "补助对象", "补贴对象", "支持对象", "扶持对象", "申报对象", "申请对象", "保障对象", "实施对象", "适用范围", "申报条件", "申请条件"})
	g.HowToApply = sectionText(lines, []string{"办理方式", "申报方式", "申请方式", "办理流程", "申报流程", "申请流程", "办理程序", "申报程序", "申请程序", "申报办法", "申请办法"})
	g.Contact = contactOf(lines)
	if c := sectionText(lines, contactLabels); g.Contact == "" && c != "" && phoneRe.MatchString(c) {
		g.Contact = clip(strings.TrimRight(c, "。；;"), draftContact)
	}
	return g
}

// draftTitleOf is the graphic's title: for a 关于印发《…》的通知 the name of
// the document it issues, else the title cut to the limit.
func draftTitleOf(t string) string {
	if i := strings.Index(t, "《"); i >= 0 && (utf8.RuneCountInString(t) > draftTitle || strings.Contains(t[:i], "印发") || strings.Contains(t[:i], "转发")) {
		if j := strings.Index(t[i:], "》"); j > 0 {
			inner := t[i+len("《") : i+j]
			if n := utf8.RuneCountInString(inner); n > 0 && n <= draftTitle {
				return inner
			}
		}
	}
	return clip(t, draftTitle)
}

// summaryOf is the opening purpose sentence (为…, 根据…), else the first
// sentence of the first paragraph that is not the salutation.
func summaryOf(lines []string, title string) string {
	var first string
	for _, l := range lines {
		if l == title || strings.HasSuffix(l, "：") || strings.HasSuffix(l, ":") || docNumber(l) != "" && utf8.RuneCountInString(l) < 30 {
			continue
		}
		if topHeading.MatchString(l) || subHeading.MatchString(l) {
			break
		}
		if utf8.RuneCountInString(l) < 20 {
			continue
		}
		for _, s := range sentence.FindAllString(l, -1) {
			s = strings.TrimSpace(s)
			if strings.HasPrefix(s, "为") || strings.HasPrefix(s, "根据") || strings.HasPrefix(s, "按照") {
				return fitSentences([]string{s}, draftSummary)
			}
		}
		if first == "" {
			first = l
		}
	}
	if first == "" {
		return ""
	}
	return fitSentences(sentence.FindAllString(first, -1), draftSummary)
}

// section is a heading and the lines under it.
type section struct {
	heading string // the heading's own text
	rest    string // text on the heading's line after it (（一）补助标准。每户…)
	lines   []string
	subs    []section
}

func splitHeading(text string) (heading, rest string) {
	for _, sep := range []string{"。", "：", ":"} {
		if i := strings.Index(text, sep); i > 0 && utf8.RuneCountInString(text[:i]) <= draftHeading {
			return text[:i], strings.TrimSpace(text[i+len(sep):])
		}
	}
	if utf8.RuneCountInString(text) <= draftHeading {
		return strings.TrimRight(text, "。；;"), ""
	}
	// a long line: the heading is its first clause
	if i := strings.IndexAny(text, "，,"); i > 0 && utf8.RuneCountInString(text[:i]) <= draftHeading {
		return text[:i], text
	}
	return clip(text, draftHeading), text
}

// sections splits the text at its 一、 headings, and each at its （一）
// headings; with no 一、 headings the （一） headings are the sections.
func sections(lines []string) []section {
	var out []section
	var cur *section
	var sub *section
	tops := 0
	for _, l := range lines {
		if topHeading.MatchString(l) {
			tops++
		}
	}
	for _, l := range lines {
		if m := topHeading.FindStringSubmatch(l); m != nil && tops >= 1 {
			h, rest := splitHeading(m[2])
			out = append(out, section{heading: h, rest: rest})
			cur, sub = &out[len(out)-1], nil
			continue
		}
		if m := subHeading.FindStringSubmatch(l); m != nil {
			h, rest := splitHeading(m[2])
			if cur == nil || tops == 0 {
				out = append(out, section{heading: h, rest: rest})
				cur, sub = &out[len(out)-1], nil
				continue
			}
			cur.subs = append(cur.subs, section{heading: h, rest: rest})
			sub = &cur.subs[len(cur.subs)-1]
			continue
		}
		switch {
		case sub != nil:
			sub.lines = append(sub.lines, l)
		case cur != nil:
			cur.lines = append(cur.lines, l)
		}
	}
	return out
}

func (s *section) text() string {
	parts := []string{}
	if s.rest != "" {
		parts = append(parts, s.rest)
	}
	parts = append(parts, s.lines...)
	for _, sub := range s.subs {
		parts = append(parts, sub.heading+"："+sub.text())
	}
	return strings.Join(parts, "")
}

// pointsOf makes the points: one per （一） item of a section that has them,
// else one per section.
func pointsOf(lines []string) []graphic.Point {
	var out []graphic.Point
	add := func(s *section) {
		if len(out) >= draftPoints || isSignature(s.heading) {
			return
		}
		for _, l := range contactLabels {
			if strings.Contains(s.heading, l) {
				return // goes into contact
			}
		}
		body := s.text()
		text := fitSentences(sentence.FindAllString(body, -1), draftText)
		if text == "" {
			text = clip(body, draftText)
		}
		if text == "" {
			text = "详见政策原文。"
		}
		out = append(out, graphic.Point{Heading: s.heading, Text: text, Figure: figureOf(body)})
	}
	for _, s := range sections(lines) {
		if len(s.subs) > 0 {
			for i := range s.subs {
				add(&s.subs[i])
			}
			continue
		}
		add(&s)
	}
	return out
}

func isSignature(h string) bool { return normalizeDate(h) != "" && utf8.RuneCountInString(h) <= 16 }

// figureOf is the first amount, else rate, else deadline in text.
func figureOf(text string) *graphic.Figure {
	if m := amountRe.FindStringSubmatchIndex(text); m != nil {
		return &graphic.Figure{Label: labelBefore(text[:m[0]]), Number: text[m[2]:m[3]], Unit: text[m[4]:m[5]]}
	}
	if m := rateRe.FindStringSubmatchIndex(text); m != nil {
		return &graphic.Figure{Label: labelBefore(text[:m[0]]), Number: text[m[2]:m[3]], Unit: "%"}
	}
	if m := deadlineRe.FindStringSubmatch(text); m != nil {
		label := strings.TrimSpace(m[3])
		if label == "" {
			label = "截止"
		}
		return &graphic.Figure{Label: clip(label, 8), Number: m[1] + "月" + m[2] + "日", Unit: "前"}
	}
	return nil
}

// labelBefore is the phrase right before a figure: 「对D级危房给予每户补助」
// gives 每户补助.
func labelBefore(s string) string {
	if loc := labelCut.FindStringIndex(s); loc != nil {
		s = s[loc[1]:]
	}
	s = strings.TrimSpace(s)
	r := []rune(s)
	if len(r) > 12 {
		r = r[len(r)-12:]
	}
	return string(r)
}

// sectionText is the text of the first section or line named by one of
// labels: a heading (一、补助对象 / （二）申报方式) or a 「适用对象：…」 line.
func sectionText(lines []string, labels []string) string {
	const max = draftOther
	for _, s := range sections(lines) {
		all := append([]section{s}, s.subs...)
		for i := range all {
			for _, l := range labels {
				if strings.Contains(all[i].heading, l) {
					return fitSentences(sentence.FindAllString(all[i].text(), -1), max)
				}
			}
		}
	}
	for _, line := range lines {
		for _, l := range labels {
			for _, sep := range []string{"：", ":"} {
				if i := strings.Index(line, l+sep); i >= 0 && i < 12 {
					rest := strings.TrimSpace(line[i+len(l+sep):])
					if t := fitSentences(sentence.FindAllString(rest, -1), max); t != "" {
						return t
					}
					return clip(rest, max)
				}
			}
		}
	}
	return ""
}

var contactLabels = []string{"咨询电话", "联系电话", "联系方式", "咨询方式", "联系人及电话"}

var phoneRe = regexp.MustCompile(`(?:0\d{2,3}[-－—]?)?\d{7,8}|1[3-9]\d{9}|12345`)

// contactOf is the 咨询电话 line: who to call and the number.
func contactOf(lines []string) string {
	for _, line := range lines {
		for _, l := range contactLabels {
			i := strings.Index(line, l)
			if i < 0 {
				continue
			}
			rest := strings.TrimLeft(strings.TrimSpace(line[i+len(l):]), "：: ")
			rest = strings.TrimRight(rest, "。；;")
			if !phoneRe.MatchString(rest) {
				continue
			}
			if utf8.RuneCountInString(rest) <= draftContact {
				return rest
			}
			return clip(strings.Join(phoneRe.FindAllString(rest, 3), "，"), draftContact)
		}
	}
	return ""
}

// fitSentences joins whole sentences up to max runes; a first sentence
// longer than max is cut at its last comma that fits.
func fitSentences(ss []string, max int) string {
	var b strings.Builder
	n := 0
	for _, s := range ss {
		s = strings.TrimSpace(s)
		k := utf8.RuneCountInString(s)
		if n+k > max {
			if n == 0 {
				r := []rune(s)[:max]
				cut := strings.LastIndexAny(string(r), "，,；")
				if cut > 0 {
					return string(r)[:cut] + "。"
				}
				return clip(s, max)
			}
			break
		}
		b.WriteString(s)
		n += k
	}
	return b.String()
}

func clip(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}

func chineseDate(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return d
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// MarshalDraft writes a drafted policy as the YAML file `graphic render`
// and `post add --from-policy` read, with a header telling the clerk what
// to check. problems are the description's validation messages, written
// as comments so the clerk sees what is still to fill in.
func MarshalDraft(g *graphic.Policy, p *storage.Policy) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# 政策图解草稿：由 herald policy draft 根据政策 %d 自动生成，请核对原文后修改。\n", p.ID)
	fmt.Fprintf(&b, "# 原文：%s\n", p.URL)
	b.WriteString("# 生成图解：herald graphic render --in 本文件 --out 文件夹\n")
	b.WriteString("# 发布图解：herald post add --kind graphic --from-policy 本文件 --policy " + strconv.FormatInt(p.ID, 10) + " --to 账号\n")
	if err := g.Validate(); err != nil {
		b.WriteString("# 还需补充或修改：\n")
		for _, line := range strings.Split(err.Error(), "\n") {
			b.WriteString("#   - " + line + "\n")
		}
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(g); err != nil {
		return nil, fmt.Errorf("policies: draft: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("policies: draft: %w", err)
	}
	return b.Bytes(), nil
}
