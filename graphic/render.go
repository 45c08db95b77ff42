package graphic

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// Page geometry, in pixels.
const (
	Width       = 1080 // WeChat's recommended image width
	margin      = 48
	padding     = 40
	TextWidth   = Width - 2*margin - 2*padding // a card's text box
	gap         = 28
	MaxPageH    = 2400 // a page never grows taller
	footerH     = 110
	contTitleH  = 110
	MaxPages    = 20      // WeChat newspic takes at most 20 images
	MaxPNGBytes = 5 << 20 // under Weibo's 5 MB picture limit (WeChat's is 10 MB)
	qrSize      = 280
)

// Theme is an office's look.
type Theme struct {
	Primary    color.RGBA // banner, numbers, labels
	Dark       color.RGBA // banner shade
	Accent     color.RGBA // figures
	Background color.RGBA
	Card       color.RGBA
	Text       color.RGBA
	Muted      color.RGBA
	Footer     string      // e.g. the account's name: 青山发布
	Logo       image.Image // optional, drawn on the banner
}

// DefaultTheme is the red-and-white government style.
func DefaultTheme(footer string) Theme {
	return Theme{
		Primary: color.RGBA{0xC6, 0x28, 0x28, 0xFF}, Dark: color.RGBA{0x8E, 0x00, 0x00, 0xFF}, Accent: color.RGBA{0xD8, 0x43, 0x15, 0xFF},
		Background: color.RGBA{0xFB, 0xF1, 0xEE, 0xFF}, Card: color.RGBA{0xFF, 0xFF, 0xFF, 0xFF},
		Text: color.RGBA{0x21, 0x21, 0x21, 0xFF}, Muted: color.RGBA{0x61, 0x61, 0x61, 0xFF}, Footer: footer,
	}
}

// Line is one laid-out line of text inside a box.
type Line struct {
	Text     string
	Face     string // which face: title, heading, body, ...
	Width    int    // measured, trailing spaces excluded
	BoxWidth int
}

// Block is one card (or the banner) on a page.
type Block struct {
	Kind   string // banner, summary, point, figure, guide, qr
	Source string // the text the block's lines were laid out from, for checks
	Lines  []Line
	Height int
	draw   func(img *image.RGBA, top int)
}

// Page is one output image before drawing.
type Page struct {
	Blocks []*Block
	Height int
}

// Document is a laid-out policy graphic.
type Document struct {
	Policy *Policy
	Theme  Theme
	Pages  []*Page
	faces  map[string]font.Face
}

var faceSizes = map[string]float64{"title": 60, "meta": 28, "label": 30, "heading": 40, "body": 32, "figure": 96, "small": 26}

// Layout sets the policy in cards and splits them into pages at card
// boundaries.
func Layout(p *Policy, theme Theme) (*Document, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	d := &Document{Policy: p, Theme: theme, faces: map[string]font.Face{}}
	for name, size := range faceSizes {
		f, err := Face(size)
		if err != nil {
			return nil, err
		}
		d.faces[name] = f
	}
	blocks := []*Block{d.banner(), d.textCard("summary", "政策概述", p.Summary)}
	for i, pt := range p.Points {
		blocks = append(blocks, d.pointCard(i+1, pt))
	}
	var guide []string
	for _, x := range [][2]string{{"适用对象", p.AppliesTo}, {"办理方式", p.HowToApply}, {"咨询电话", p.Contact}} {
		if strings.TrimSpace(x[1]) != "" {
			guide = append(guide, x[0]+"："+strings.TrimSpace(x[1]))
		}
	}
	if len(guide) > 0 {
		blocks = append(blocks, d.textCard("guide", "办事指南", strings.Join(guide, "\n")))
	}
	qrBlock, err := d.qrCard()
	if err != nil {
		return nil, err
	}
	blocks = append(blocks, qrBlock)

	page := &Page{}
	for i, b := range blocks {
		room := MaxPageH - footerH - page.Height - gap
		if len(d.Pages) > 0 && len(page.Blocks) == 0 {
			room -= contTitleH
		}
		if b.Height > MaxPageH-footerH-contTitleH-2*gap {
			return nil, fmt.Errorf("第%d张卡片内容过长，放不进一页：请缩短该要点", i)
		}
		if b.Height > room && len(page.Blocks) > 0 {
			d.Pages = append(d.Pages, page)
			page = &Page{}
		}
		page.Blocks = append(page.Blocks, b)
		page.Height += b.Height + gap
	}
	d.Pages = append(d.Pages, page)
	if len(d.Pages) > MaxPages {
		return nil, fmt.Errorf("政策图解排版后有%d页，超过微信的%d张上限：请减少或缩短要点", len(d.Pages), MaxPages)
	}
	return d, nil
}

func (d *Document) lines(face, text string, width int) []Line {
	f := d.faces[face]
	var out []Line
	for _, l := range BreakLines(f, text, width) {
		out = append(out, Line{Text: l, Face: face, Width: lineWidth(f, l).Ceil(), BoxWidth: width})
	}
	return out
}

func (d *Document) lineHeight(face string) int { return int(faceSizes[face] * 1.5) }

// drawText draws lines from (x, top), each face's line height apart, and
// returns the y below them.
func (d *Document) drawText(img *image.RGBA, lines []Line, x, top int, c color.RGBA, center bool) int {
	y := top
	for _, l := range lines {
		f := d.faces[l.Face]
		lh := d.lineHeight(l.Face)
		ascent := f.Metrics().Ascent.Ceil()
		lx := x
		if center {
			lx = x + (l.BoxWidth-l.Width)/2
		}
		dr := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: f,
			Dot: fixed.P(lx, y+(lh-f.Metrics().Height.Ceil())/2+ascent)}
		dr.DrawString(strings.TrimRight(l.Text, " "))
		y += lh
	}
	return y
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

func (d *Document) banner() *Block {
	p, t := d.Policy, d.Theme
	inner := Width - 2*margin
	title := d.lines("title", p.Title, inner)
	// The issuer on its own line, then 文号 and date: a date is never split.
	meta := strings.TrimSpace(p.Issuer)
	if second := strings.TrimSpace(strings.TrimSpace(p.DocNumber) + "　" + strings.TrimSpace(p.Date)); second != "" {
		meta += "\n" + strings.Trim(second, "　")
	}
	metaLines := d.lines("meta", meta, inner)
	tag := d.lines("label", "政策图解", inner)
	h := 70 + len(tag)*d.lineHeight("label") + 20 + len(title)*d.lineHeight("title") + 24 + len(metaLines)*d.lineHeight("meta") + 60
	all := append(append(append([]Line{}, tag...), title...), metaLines...)
	return &Block{Kind: "banner", Source: p.Title, Lines: all, Height: h, draw: func(img *image.RGBA, top int) {
		fill(img, image.Rect(0, top, Width, top+h), t.Primary)
		fill(img, image.Rect(0, top+h-16, Width, top+h), t.Dark)
		if t.Logo != nil {
			lb := t.Logo.Bounds()
			draw.Draw(img, image.Rect(Width-margin-lb.Dx(), top+40, Width-margin, top+40+lb.Dy()), t.Logo, lb.Min, draw.Over)
		}
		y := d.drawText(img, tag, margin, top+70, color.RGBA{0xFF, 0xE0, 0xB2, 0xFF}, false)
		y = d.drawText(img, title, margin, y+20, color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}, true)
		d.drawText(img, metaLines, margin, y+24, color.RGBA{0xFF, 0xEB, 0xEE, 0xFF}, true)
	}}
}

// card draws a white card with a red left rule and returns its block.
func (d *Document) card(kind, source string, lines []Line, height int, body func(img *image.RGBA, x, top int)) *Block {
	t := d.Theme
	return &Block{Kind: kind, Source: source, Lines: lines, Height: height, draw: func(img *image.RGBA, top int) {
		fill(img, image.Rect(margin, top, Width-margin, top+height), t.Card)
		fill(img, image.Rect(margin, top, margin+10, top+height), t.Primary)
		body(img, margin+padding, top+padding)
	}}
}

func (d *Document) textCard(kind, label, text string) *Block {
	lbl := d.lines("label", label, TextWidth)
	body := d.lines("body", text, TextWidth)
	h := 2*padding + len(lbl)*d.lineHeight("label") + 12 + len(body)*d.lineHeight("body")
	return d.card(kind, text, append(append([]Line{}, lbl...), body...), h, func(img *image.RGBA, x, top int) {
		y := d.drawText(img, lbl, x, top, d.Theme.Primary, false)
		d.drawText(img, body, x, y+12, d.Theme.Text, false)
	})
}

func (d *Document) pointCard(n int, pt Point) *Block {
	t := d.Theme
	const badge = 72
	head := d.lines("heading", pt.Heading, TextWidth-badge-24)
	headH := max(badge, len(head)*d.lineHeight("heading"))
	lines := append([]Line{}, head...)
	// A figure: its label in small type, then the number set large with its unit.
	var figLabel []Line
	var number Line
	figH := 0
	if f := pt.Figure; f != nil {
		figLabel = d.lines("label", strings.TrimSpace(f.Label), TextWidth)
		text := f.Number
		if f.Unit != "" {
			text += " " + f.Unit
		}
		number = Line{Text: text, Face: "figure", Width: font.MeasureString(d.faces["figure"], text).Ceil(), BoxWidth: TextWidth}
		lines = append(append(lines, figLabel...), number)
		figH = 16 + len(figLabel)*d.lineHeight("label") + d.lineHeight("figure")
	}
	body := d.lines("body", pt.Text, TextWidth)
	lines = append(lines, body...)
	h := 2*padding + headH + figH + 16 + len(body)*d.lineHeight("body")
	return d.card("point", pt.Text, lines, h, func(img *image.RGBA, x, top int) {
		fill(img, image.Rect(x, top, x+badge, top+badge), t.Primary)
		num := fmt.Sprintf("%02d", n)
		nf := d.faces["heading"]
		nw := font.MeasureString(nf, num).Ceil()
		dr := font.Drawer{Dst: img, Src: image.NewUniform(color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}), Face: nf,
			Dot: fixed.P(x+(badge-nw)/2, top+(badge+nf.Metrics().Ascent.Ceil()-nf.Metrics().Descent.Ceil())/2)}
		dr.DrawString(num)
		d.drawText(img, head, x+badge+24, top+(headH-len(head)*d.lineHeight("heading"))/2, t.Text, false)
		y := top + headH
		if pt.Figure != nil {
			y = d.drawText(img, figLabel, x, y+16, t.Muted, false)
			y = d.drawText(img, []Line{number}, x, y, t.Accent, false)
		}
		d.drawText(img, body, x, y+16, t.Text, false)
	})
}

func (d *Document) qrCard() (*Block, error) {
	code, err := qr.Encode(d.Policy.URL, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("生成二维码失败：%w", err)
	}
	scaled, err := barcode.Scale(code, qrSize, qrSize)
	if err != nil {
		return nil, fmt.Errorf("生成二维码失败：%w", err)
	}
	textW := TextWidth - qrSize - 32
	lbl := d.lines("label", "扫码阅读政策原文", textW)
	urlLines := d.lines("small", d.Policy.URL, textW)
	h := 2*padding + qrSize
	return d.card("qr", d.Policy.URL, append(append([]Line{}, lbl...), urlLines...), h, func(img *image.RGBA, x, top int) {
		draw.Draw(img, image.Rect(x, top, x+qrSize, top+qrSize), scaled, image.Point{}, draw.Src)
		y := d.drawText(img, lbl, x+qrSize+32, top+20, d.Theme.Primary, false)
		d.drawText(img, urlLines, x+qrSize+32, y+8, d.Theme.Muted, false)
	}), nil
}

// Render draws the pages as PNG images.
func (d *Document) Render() ([][]byte, error) {
	var out [][]byte
	for i, p := range d.Pages {
		h := gap + p.Height + footerH
		if i > 0 {
			h += contTitleH
		}
		img := image.NewRGBA(image.Rect(0, 0, Width, h))
		fill(img, img.Bounds(), d.Theme.Background)
		y := 0
		if i > 0 {
			fill(img, image.Rect(0, 0, Width, contTitleH-20), d.Theme.Primary)
			title := d.lines("label", d.Policy.Title+"（续）", Width-2*margin)
			d.drawText(img, title[:1], margin, (contTitleH-20-d.lineHeight("label"))/2, color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}, false)
			y = contTitleH
		}
		for j, b := range p.Blocks {
			if !(i == 0 && j == 0) {
				y += gap
			}
			b.draw(img, y)
			y += b.Height
		}
		footer := fmt.Sprintf("%s · 第 %d/%d 页", d.Theme.Footer, i+1, len(d.Pages))
		if d.Theme.Footer == "" {
			footer = fmt.Sprintf("第 %d/%d 页", i+1, len(d.Pages))
		}
		fl := d.lines("small", footer, Width-2*margin)
		d.drawText(img, fl, margin, h-footerH+(footerH-d.lineHeight("small"))/2, d.Theme.Muted, true)
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		if err := enc.Encode(&buf, img); err != nil {
			return nil, fmt.Errorf("graphic: encode page %d: %w", i+1, err)
		}
		if buf.Len() > MaxPNGBytes {
			return nil, fmt.Errorf("第%d页图片 %.1fMB，超过平台上限", i+1, float64(buf.Len())/(1<<20))
		}
		out = append(out, buf.Bytes())
	}
	return out, nil
}
