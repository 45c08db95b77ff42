package content

import (
	"html"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/image/colornames"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// What reviewers see is what goes out. Text a reader cannot see on the
// page (a colour that is transparent, white or nearly so on the white
// article page) is refused, and so is a control character that reorders
// text (a bidi embedding, override or isolate): each would let a text the
// reviewer did not read reach the public (a Weibo post is the plain text).

// minContrast is the least contrast (WCAG ratio) against the white page a
// text colour must have: #ddd (1.36) is refused, #ccc (1.61) passes.
const minContrast = 1.5

// invisibleText returns the first text of an article body that is drawn in
// a colour a reader cannot see, or "".
func invisibleText(body string) string {
	if !strings.Contains(body, "color") {
		return ""
	}
	root := &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := xhtml.ParseFragment(strings.NewReader(body), root)
	if err != nil {
		return ""
	}
	var found string
	var visit func(n *xhtml.Node, hidden bool)
	visit = func(n *xhtml.Node, hidden bool) {
		if found != "" {
			return
		}
		if n.Type == xhtml.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "style" {
					if c, ok := styleColor(a.Val); ok {
						hidden = !visibleColor(c)
					}
				}
			}
		}
		if n.Type == xhtml.TextNode && hidden && strings.TrimSpace(n.Data) != "" {
			found = strings.TrimSpace(n.Data)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, hidden)
		}
	}
	for _, n := range nodes {
		visit(n, false)
	}
	found = strings.Join(strings.Fields(found), " ")
	if r := []rune(found); len(r) > 12 {
		found = string(r[:12]) + "…"
	}
	return found
}

// styleColor returns the value of the last color declaration in a style
// attribute.
func styleColor(style string) (string, bool) {
	var val string
	var ok bool
	for _, decl := range strings.Split(style, ";") {
		k, v, has := strings.Cut(decl, ":")
		if has && strings.EqualFold(strings.TrimSpace(k), "color") {
			val, ok = strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "!important"))), true
		}
	}
	return val, ok
}

var rgbFunc = regexp.MustCompile(`^(rgba?|hsla?)\((.*)\)$`)

// visibleColor reports whether text in CSS colour c shows on white. A
// colour herald cannot read is taken as visible (browsers ignore it and
// draw the default black).
func visibleColor(c string) bool {
	r, g, b, alpha, ok := parseColor(c)
	if !ok {
		return true
	}
	// Blend onto the white page, then compare luminance with white's.
	blend := func(v float64) float64 { return alpha*v + (1-alpha)*255 }
	lum := 0.2126*linear(blend(r)) + 0.7152*linear(blend(g)) + 0.0722*linear(blend(b))
	return 1.05/(lum+0.05) >= minContrast
}

func linear(v float64) float64 {
	v /= 255
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

func parseColor(c string) (r, g, b, alpha float64, ok bool) {
	c = strings.TrimSpace(c)
	switch {
	case c == "transparent":
		return 0, 0, 0, 0, true
	case strings.HasPrefix(c, "#"):
		h := c[1:]
		if len(h) == 3 || len(h) == 4 {
			h = strings.Repeat(h[0:1], 2) + strings.Repeat(h[1:2], 2) + strings.Repeat(h[2:3], 2) + func() string {
				if len(h) == 4 {
					return strings.Repeat(h[3:4], 2)
				}
				return ""
			}()
		}
		if len(h) != 6 && len(h) != 8 {
			return 0, 0, 0, 0, false
		}
		v, err := strconv.ParseUint(h, 16, 64)
		if err != nil {
			return 0, 0, 0, 0, false
		}
		alpha = 1
		if len(h) == 8 {
			alpha = float64(v&0xff) / 255
			v >>= 8
		}
		return float64(v >> 16 & 0xff), float64(v >> 8 & 0xff), float64(v & 0xff), alpha, true
	}
	if m := rgbFunc.FindStringSubmatch(c); m != nil {
		args := strings.FieldsFunc(m[2], func(r rune) bool { return r == ',' || r == ' ' || r == '/' })
		if len(args) < 3 {
			return 0, 0, 0, 0, false
		}
		alpha = 1
		if len(args) > 3 {
			if alpha, ok = number(args[3], 1); !ok {
				return 0, 0, 0, 0, false
			}
		}
		if strings.HasPrefix(m[1], "hsl") {
			h, ok1 := strconv.ParseFloat(strings.TrimSuffix(args[0], "deg"), 64)
			s, ok2 := number(args[1], 1)
			l, ok3 := number(args[2], 1)
			if ok1 != nil || !ok2 || !ok3 {
				return 0, 0, 0, 0, false
			}
			r, g, b = hsl(h, s, l)
			return r, g, b, alpha, true
		}
		var v [3]float64
		for i := range v {
			if v[i], ok = number(args[i], 255); !ok {
				return 0, 0, 0, 0, false
			}
		}
		return v[0], v[1], v[2], alpha, true
	}
	if named, found := colornames.Map[c]; found {
		return float64(named.R), float64(named.G), float64(named.B), float64(named.A) / 255, true
	}
	return 0, 0, 0, 0, false
}

// number parses a CSS number or percentage (of full), clamped to [0, full].
func number(s string, full float64) (float64, bool) {
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil {
		return 0, false
	}
	if pct {
		v = v / 100 * full
	}
	return math.Max(0, math.Min(full, v)), true
}

func hsl(h, s, l float64) (r, g, b float64) {
	c := (1 - math.Abs(2*l-1)) * s
	hp := math.Mod(math.Mod(h, 360)+360, 360) / 60
	x := c * (1 - math.Abs(math.Mod(hp, 2)-1))
	var r1, g1, b1 float64
	switch {
	case hp < 1:
		r1, g1 = c, x
	case hp < 2:
		r1, g1 = x, c
	case hp < 3:
		g1, b1 = c, x
	case hp < 4:
		g1, b1 = x, c
	case hp < 5:
		r1, b1 = x, c
	default:
		r1, b1 = c, x
	}
	m := l - c/2
	return (r1 + m) * 255, (g1 + m) * 255, (b1 + m) * 255
}

// visibility returns the problems of a revision's text a reader would not
// see as the reviewer did: invisible colours in an article body, and
// characters that reorder text in any field.
func visibility(kind Kind, r *Revision) Problems {
	var ps Problems
	fields := []struct{ field, label, text string }{{"title", "标题", r.Title}, {"body", "正文", r.Body},
		{"digest", "摘要", r.Digest}, {"author", "作者", r.Author}}
	if b := r.Broadcast; b != nil {
		fields = append(fields, struct{ field, label, text string }{"broadcast", "检查播报", b.Unit + b.Address + b.Result + b.Findings + b.Date})
	}
	for _, f := range fields {
		if reorders(html.UnescapeString(f.text)) {
			ps = append(ps, Problem{f.field, f.label + "含有改变文字显示顺序的控制字符（如 U+202E）：审核人看到的与发出的可能不同，请删除后再提交"})
		}
	}
	if kind != KindShort {
		if t := invisibleText(r.Body); t != "" {
			ps = append(ps, Problem{"body", "正文中有读者看不见的文字（颜色透明、白色或接近白色）：「" + t + "」，请改为看得见的颜色"})
		}
	}
	return ps
}

// reorders reports whether s holds a character that changes the order in
// which text is shown: bidi embeddings, overrides and isolates (U+202A–
// U+202E, U+2066–U+2069). The checker drops them as invisible, so text
// holding them could show a term the checker never saw.
func reorders(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			return true
		}
		i += size
	}
	return false
}
