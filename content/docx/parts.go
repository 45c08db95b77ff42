package docx

import (
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// node is one element of a parsed XML part. Names are local names: the
// reader accepts both the transitional and the strict namespaces.
type node struct {
	name  string
	attrs []attr
	kids  []*node
	text  string // character data of w:t, w:delText, w:instrText
}

// attr is one attribute, by its local name.
type attr struct{ local, value string }

// Estimated bytes the tree keeps per element and per attribute, beyond
// their strings (the node, its place in its parent's kids, slice headers).
const (
	nodeCost = 112
	attrCost = 32
)

// attr returns the attribute with this local name ("" when absent).
func (n *node) attr(local string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if a.local == local {
			return a.value
		}
	}
	return ""
}

// child returns the first child element with this local name.
func (n *node) child(local string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.name == local {
			return k
		}
	}
	return nil
}

// children returns n's child elements (none for a missing n), so that a
// missing optional element (an empty content control's w:sdtContent, an
// mc:AlternateContent without Fallback) reads as empty.
func (n *node) children() []*node {
	if n == nil {
		return nil
	}
	return n.kids
}

// find returns the first descendant with this local name (depth first).
// Parsing bounds the depth, so the recursion is bounded too.
func (n *node) find(b *budget, local string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		b.step(1)
		if k.name == local {
			return k
		}
		if f := k.find(b, local); f != nil {
			return f
		}
	}
	return nil
}

// textElements keep their character data.
var textElements = map[string]bool{"t": true, "delText": true, "instrText": true}

// names interns element and attribute names, so that a million elements
// keep one copy of "r" and not a million.
type names map[string]string

func (ns names) intern(s string) string {
	if v, ok := ns[s]; ok {
		return v
	}
	if len(ns) < 4096 {
		ns[s] = s
	}
	return s
}

// open is an element being read: its node, and the text it gathers.
type open struct {
	n    *node
	text []byte
}

// parseXML reads a part into a tree, spending b for every element kept,
// its attributes and its text, so that nesting, size and text are refused
// as they pass their limits and never held whole.
func parseXML(r io.Reader, b *budget) (*node, error) {
	d := xml.NewDecoder(&tagGuard{r: r, b: b})
	ns := names{}
	root := &node{name: "#root"}
	stack := []open{{n: root}}
	fallback := 0 // open mc:Fallback elements: their text repeats a Choice's
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		b.step(1)
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: ns.intern(t.Name.Local)}
			cost := int64(nodeCost + len(n.name))
			if len(t.Attr) > 0 {
				for _, a := range t.Attr {
					// long values (VML's o:gfxdata, a picture's preview in base64) are never read
					if a.Name.Space != "xmlns" && a.Name.Local != "xmlns" && !strings.HasPrefix(a.Name.Local, "rsid") && len(a.Value) <= 4096 {
						n.attrs = append(n.attrs, attr{ns.intern(a.Name.Local), a.Value})
						cost += int64(attrCost + len(a.Value))
					}
				}
			}
			b.element(len(stack), cost)
			parent := stack[len(stack)-1].n
			parent.kids = append(parent.kids, n)
			stack = append(stack, open{n: n})
			if n.name == "Fallback" {
				fallback++
			}
		case xml.EndElement:
			if len(stack) > 1 {
				top := stack[len(stack)-1]
				if top.text != nil {
					top.n.text = string(top.text)
				}
				if top.n.name == "Fallback" {
					fallback--
				}
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if top := &stack[len(stack)-1]; textElements[top.n.name] {
				top.text = append(top.text, t...)
				b.treeCost += int64(len(t))
				if top.n.name == "t" && fallback == 0 {
					b.readText(utf8.RuneCount(t))
				}
			}
		}
	}
	if len(stack) > 1 {
		return nil, errors.New("XML part ends inside an element")
	}
	if len(root.kids) == 0 {
		return nil, errors.New("empty XML part")
	}
	return root.kids[0], nil
}

// maxAttrs is the most attributes one tag may have (Word's root element
// declares some forty namespaces).
const maxAttrs = 1000

// tagGuard passes a part's bytes to the XML decoder, refusing a tag of
// more than maxAttrs attributes before the decoder gathers them: the
// decoder holds every attribute of a tag at once, so 5 million of them in
// one tag would cost a gigabyte.
type tagGuard struct {
	r     io.Reader
	b     *budget
	state byte // 0 text, '<' in a tag, '!' in a comment or declaration, '"' or '\'' in a value
	first bool // just after '<'
	attrs int
}

func (g *tagGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	for _, c := range p[:n] {
		switch g.state {
		case 0:
			if c == '<' {
				g.state, g.first, g.attrs = '<', true, 0
			}
		case '<':
			switch {
			case g.first && (c == '!' || c == '?'):
				g.state = '!'
			case c == '"' || c == '\'':
				g.state = c
			case c == '=':
				if g.attrs++; g.attrs > maxAttrs {
					g.b.abort(refuse("too_complex", "Word 文档中有一个元素带有超过 %d 个属性（文件可能已损坏或被构造）：请在 Word 中另存为新的 .docx 后再导入", maxAttrs))
				}
			case c == '>':
				g.state = 0
			}
			g.first = false
		case '!':
			if c == '>' {
				g.state = 0
			}
		default: // in a quoted value
			if c == g.state {
				g.state = '<'
			}
		}
	}
	return n, err
}

// rel is one relationship of a part.
type rel struct {
	typ, target string
	external    bool
}

// document is a loaded package: the main part and what it refers to.
type document struct {
	main      string
	body      *node
	rels      map[string]rel
	styles    *styles
	numbering *numbering
	footnotes map[string]*node
	endnotes  map[string]*node
}

// parsePart opens and parses one part, turning limits and XML errors into
// refusals.
func (p *pkg) parsePart(name string) (*node, error) {
	rc, err := p.open(name)
	if err != nil {
		return nil, p.partErr(name, err)
	}
	defer rc.Close()
	n, err := parseXML(rc, p.budget)
	if err != nil {
		return nil, p.partErr(name, err)
	}
	return n, nil
}

func (p *pkg) partErr(name string, err error) error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, errTooBig):
		return refuse("too_large", "Word 文档的 %s 部分解压后超过上限（文件可能已损坏）：请在 Word 中另存为新的 .docx，或拆分后再导入", name)
	default:
		return damaged("其中的 "+name+" 内容不完整", err)
	}
}

// readRels reads the relationships of a part (none when it has no rels part).
func (p *pkg) readRels(part string) (map[string]rel, error) {
	out := map[string]rel{}
	name := relsName(part)
	if part == "" {
		name = "_rels/.rels"
	}
	if !p.has(name) {
		return out, nil
	}
	root, err := p.parsePart(name)
	if err != nil {
		return nil, err
	}
	for _, k := range root.kids {
		if k.name != "Relationship" {
			continue
		}
		r := rel{typ: k.attr("Type"), external: strings.EqualFold(k.attr("TargetMode"), "External")}
		if r.external {
			r.target = k.attr("Target")
		} else {
			r.target = resolve(part, k.attr("Target"))
		}
		out[k.attr("Id")] = r
	}
	return out, nil
}

// relOfType returns the target of the first relationship whose type ends
// with suffix (e.g. "/styles").
func relOfType(rels map[string]rel, suffix string) string {
	for _, r := range rels {
		if !r.external && strings.HasSuffix(r.typ, suffix) {
			return r.target
		}
	}
	return ""
}

func (p *pkg) load() (*document, error) {
	top, err := p.readRels("")
	if err != nil {
		return nil, err
	}
	main := relOfType(top, "/officeDocument")
	if main == "" {
		main = "word/document.xml"
	}
	if !p.has(main) {
		return nil, damaged("找不到正文部分 "+main, nil)
	}
	doc := &document{main: main}
	if doc.rels, err = p.readRels(main); err != nil {
		return nil, err
	}
	doc.styles = &styles{byID: map[string]*style{}}
	if name := relOfType(doc.rels, "/styles"); name != "" && p.has(name) {
		root, err := p.parsePart(name)
		if err != nil {
			return nil, err
		}
		doc.styles = parseStyles(root)
	}
	doc.numbering = &numbering{nums: map[string]map[int]level{}}
	if name := relOfType(doc.rels, "/numbering"); name != "" && p.has(name) {
		root, err := p.parsePart(name)
		if err != nil {
			return nil, err
		}
		doc.numbering = parseNumbering(root)
	}
	for suffix, dst := range map[string]*map[string]*node{"/footnotes": &doc.footnotes, "/endnotes": &doc.endnotes} {
		*dst = map[string]*node{}
		if name := relOfType(doc.rels, suffix); name != "" && p.has(name) {
			root, err := p.parsePart(name)
			if err != nil {
				return nil, err
			}
			for _, k := range root.kids {
				if k.name == "footnote" || k.name == "endnote" {
					(*dst)[k.attr("id")] = k
				}
			}
		}
	}
	root, err := p.parsePart(main)
	if err != nil {
		return nil, err
	}
	if doc.body = root.child("body"); doc.body == nil {
		return nil, damaged("正文部分没有内容", nil)
	}
	return doc, nil
}

// style is one w:style of styles.xml.
type style struct {
	id, name, typ, basedOn string
	ppr, rpr, tblPr        *node
}

type styles struct {
	byID               map[string]*style
	defaultPara        string
	defaultPPr, defRPr *node
}

func parseStyles(root *node) *styles {
	s := &styles{byID: map[string]*style{}}
	if dd := root.child("docDefaults"); dd != nil {
		s.defaultPPr = dd.child("pPrDefault").child("pPr")
		s.defRPr = dd.child("rPrDefault").child("rPr")
	}
	for _, k := range root.kids {
		if k.name != "style" {
			continue
		}
		st := &style{id: k.attr("styleId"), typ: k.attr("type"), name: strings.ToLower(k.child("name").attr("val")),
			basedOn: k.child("basedOn").attr("val"), ppr: k.child("pPr"), rpr: k.child("rPr"), tblPr: k.child("tblPr")}
		s.byID[st.id] = st
		if st.typ == "paragraph" && (k.attr("default") == "1" || k.attr("default") == "true") {
			s.defaultPara = st.id
		}
	}
	return s
}

// chain returns a style and the styles it is based on, nearest first.
func (s *styles) chain(id string) []*style {
	var out []*style
	for i := 0; id != "" && i < 20; i++ {
		st, ok := s.byID[id]
		if !ok {
			break
		}
		out = append(out, st)
		id = st.basedOn
	}
	return out
}

// pProp finds a paragraph property: in the paragraph's own pPr, then its
// style chain, then the document defaults.
func (s *styles) pProp(ppr *node, styleID, local string) *node {
	if c := ppr.child(local); c != nil {
		return c
	}
	for _, st := range s.chain(styleID) {
		if c := st.ppr.child(local); c != nil {
			return c
		}
	}
	return s.defaultPPr.child(local)
}

// rProp finds a run property: the run's rPr, its character style, the
// paragraph style's rPr, then the document defaults.
func (s *styles) rProp(rpr *node, paraStyle, local string) *node {
	if c := rpr.child(local); c != nil {
		return c
	}
	for _, st := range s.chain(rpr.child("rStyle").attr("val")) {
		if c := st.rpr.child(local); c != nil {
			return c
		}
	}
	for _, st := range s.chain(paraStyle) {
		if c := st.rpr.child(local); c != nil {
			return c
		}
	}
	return s.defRPr.child(local)
}

// on reads an on/off property (w:b, w:i): present without val, or val
// true/1/on.
func on(n *node) bool {
	if n == nil {
		return false
	}
	switch strings.ToLower(n.attr("val")) {
	case "", "1", "true", "on":
		return true
	}
	return false
}

// level is one level of a list's numbering.
type level struct {
	format, text string
	start        int
}

type numbering struct {
	nums map[string]map[int]level // numId -> ilvl -> level
}

func parseNumbering(root *node) *numbering {
	abstract := map[string]map[int]level{}
	for _, k := range root.kids {
		if k.name != "abstractNum" {
			continue
		}
		lv := map[int]level{}
		for _, l := range k.kids {
			if l.name == "lvl" {
				lv[atoi(l.attr("ilvl"))] = parseLevel(l, level{start: 1})
			}
		}
		abstract[k.attr("abstractNumId")] = lv
	}
	n := &numbering{nums: map[string]map[int]level{}}
	for _, k := range root.kids {
		if k.name != "num" {
			continue
		}
		src := abstract[k.child("abstractNumId").attr("val")]
		lv := make(map[int]level, len(src))
		for i, l := range src {
			lv[i] = l
		}
		for _, o := range k.kids {
			if o.name != "lvlOverride" {
				continue
			}
			i := atoi(o.attr("ilvl"))
			l := lv[i]
			if so := o.child("startOverride"); so != nil {
				l.start = atoi(so.attr("val"))
			}
			if def := o.child("lvl"); def != nil {
				l = parseLevel(def, l)
			}
			lv[i] = l
		}
		n.nums[k.attr("numId")] = lv
	}
	return n
}

func parseLevel(l *node, base level) level {
	if c := l.child("numFmt"); c != nil {
		base.format = c.attr("val")
	}
	if c := l.child("lvlText"); c != nil {
		base.text = c.attr("val")
	}
	if c := l.child("start"); c != nil {
		base.start = atoi(c.attr("val"))
	}
	return base
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}
