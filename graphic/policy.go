package graphic

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Policy is the structured description a policy graphic is drawn from.
type Policy struct {
	Title      string  `yaml:"title"`
	Issuer     string  `yaml:"issuer"`       // 发文机关
	DocNumber  string  `yaml:"doc_number"`   // 文号
	Date       string  `yaml:"date"`         // 发布日期
	Summary    string  `yaml:"summary"`      // 一段话概述
	Points     []Point `yaml:"points"`       // 要点
	AppliesTo  string  `yaml:"applies_to"`   // 适用对象
	HowToApply string  `yaml:"how_to_apply"` // 办理方式
	Contact    string  `yaml:"contact"`      // 咨询电话
	URL        string  `yaml:"url"`          // 政策原文链接
}

// Point is one key point of the policy, optionally with a figure set large.
type Point struct {
	Heading string  `yaml:"heading"`
	Text    string  `yaml:"text"`
	Figure  *Figure `yaml:"figure,omitempty"`
}

// Figure is a number to show large, e.g. 补贴 3000 元.
type Figure struct {
	Label  string `yaml:"label"`
	Number string `yaml:"number"`
	Unit   string `yaml:"unit"`
}

// Length budgets, in characters, so that every card stays readable.
const (
	maxTitle    = 40
	maxSummary  = 300
	maxHeading  = 24
	maxText     = 200
	maxPoints   = 30
	maxFigure   = 12
	maxOtherTxt = 200
)

// ParsePolicy parses and validates a policy description.
func ParsePolicy(b []byte) (*Policy, error) {
	if rest, ok := bytes.CutPrefix(bytes.TrimLeft(b, "\ufeff \n"), []byte("---\n")); ok {
		if front, _, found := bytes.Cut(rest, []byte("\n---")); found {
			b = front
		}
	}
	var p Policy
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("政策文件格式错误：%s", strings.Join(strings.Fields(err.Error()), " "))
	}
	p.normalize()
	return &p, p.Validate()
}

// normalize trims the fields and drops the spaces YAML's line folding puts
// between two Chinese characters (一段话 written over several lines).
func (p *Policy) normalize() {
	for _, s := range []*string{&p.Title, &p.Issuer, &p.DocNumber, &p.Date, &p.Summary, &p.AppliesTo, &p.HowToApply, &p.Contact, &p.URL} {
		*s = joinCJK(*s)
	}
	for i := range p.Points {
		p.Points[i].Heading = joinCJK(p.Points[i].Heading)
		p.Points[i].Text = joinCJK(p.Points[i].Text)
	}
}

func joinCJK(s string) string {
	rs := []rune(strings.TrimSpace(s))
	var b strings.Builder
	for i, r := range rs {
		if (r == ' ' || r == '\t') && i > 0 && i < len(rs)-1 && rs[i-1] >= 0x2E80 && rs[i+1] >= 0x2E80 {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Validate checks the description with messages a clerk can act on.
func (p *Policy) Validate() error {
	var errs []error
	check := func(field, value string, max int, required bool) {
		n := utf8.RuneCountInString(strings.TrimSpace(value))
		switch {
		case required && n == 0:
			errs = append(errs, fmt.Errorf("缺少%s", field))
		case n > max:
			errs = append(errs, fmt.Errorf("%s超过%d字：当前%d字", field, max, n))
		}
	}
	check("标题（title）", p.Title, maxTitle, true)
	check("发文机关（issuer）", p.Issuer, 40, true)
	check("文号（doc_number）", p.DocNumber, 40, false)
	check("概述（summary）", p.Summary, maxSummary, true)
	check("适用对象（applies_to）", p.AppliesTo, maxOtherTxt, false)
	check("办理方式（how_to_apply）", p.HowToApply, maxOtherTxt, false)
	check("咨询电话（contact）", p.Contact, 60, false)
	if len(p.Points) == 0 {
		errs = append(errs, errors.New("至少需要一个要点（points）"))
	}
	if len(p.Points) > maxPoints {
		errs = append(errs, fmt.Errorf("要点最多%d个：当前%d个", maxPoints, len(p.Points)))
	}
	for i, pt := range p.Points {
		check(fmt.Sprintf("第%d个要点的标题", i+1), pt.Heading, maxHeading, true)
		check(fmt.Sprintf("第%d个要点的说明", i+1), pt.Text, maxText, true)
		if pt.Figure != nil {
			check(fmt.Sprintf("第%d个要点的数字", i+1), pt.Figure.Number, maxFigure, true)
			check(fmt.Sprintf("第%d个要点的数字说明", i+1), pt.Figure.Label+pt.Figure.Unit, 20, false)
		}
	}
	if u, err := url.Parse(p.URL); p.URL == "" {
		errs = append(errs, errors.New("缺少政策原文链接（url）"))
	} else if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("政策原文链接不是 http(s) 网址：%s", p.URL))
	}
	return errors.Join(errs...)
}
