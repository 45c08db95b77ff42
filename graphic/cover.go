package graphic

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// Cover card geometry: WeChat shows an article's cover at 2.35:1.
const (
	CoverWidth  = 1080
	CoverHeight = 460
)

// Cover draws a cover card for an article that has no picture: the title
// in white on the office's colour, at most three lines, with the footer
// (the account's name) below. It returns a PNG.
func Cover(title string, t Theme) ([]byte, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		return nil, fmt.Errorf("graphic: a cover needs a title")
	}
	img := image.NewRGBA(image.Rect(0, 0, CoverWidth, CoverHeight))
	fill(img, img.Bounds(), t.Primary)
	fill(img, image.Rect(0, CoverHeight-70, CoverWidth, CoverHeight), t.Dark)
	inner := CoverWidth - 2*80
	var face font.Face
	var lines []string
	for _, size := range []float64{72, 60, 50, 42} {
		f, err := Face(size)
		if err != nil {
			return nil, err
		}
		face, lines = f, BreakLines(f, title, inner)
		if len(lines) <= 3 {
			break
		}
	}
	if len(lines) > 3 {
		lines = lines[:3]
		lines[2] = strings.TrimRight(lines[2], " ") + "…"
	}
	lh := face.Metrics().Height.Ceil() * 13 / 10
	top := (CoverHeight-70-lh*len(lines))/2 + face.Metrics().Ascent.Ceil()
	// a short accent rule above the title
	fill(img, image.Rect(CoverWidth/2-40, top-face.Metrics().Ascent.Ceil()-36, CoverWidth/2+40, top-face.Metrics().Ascent.Ceil()-28), t.Accent)
	white := image.NewUniform(color.RGBA{0xFF, 0xFF, 0xFF, 0xFF})
	for i, l := range lines {
		w := font.MeasureString(face, l).Ceil()
		d := font.Drawer{Dst: img, Src: white, Face: face, Dot: fixed.P((CoverWidth-w)/2, top+i*lh)}
		d.DrawString(l)
	}
	if t.Footer != "" {
		small, err := Face(28)
		if err != nil {
			return nil, err
		}
		w := font.MeasureString(small, t.Footer).Ceil()
		d := font.Drawer{Dst: img, Src: image.NewUniform(color.RGBA{0xFF, 0xEB, 0xEE, 0xFF}), Face: small,
			Dot: fixed.P((CoverWidth-w)/2, CoverHeight-70+(70-small.Metrics().Height.Ceil())/2+small.Metrics().Ascent.Ceil())}
		d.DrawString(t.Footer)
	}
	if t.Logo != nil {
		lb := t.Logo.Bounds()
		draw.Draw(img, image.Rect(40, 30, 40+lb.Dx(), 30+lb.Dy()), t.Logo, lb.Min, draw.Over)
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("graphic: encode cover: %w", err)
	}
	return buf.Bytes(), nil
}
