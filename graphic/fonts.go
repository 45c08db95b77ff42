package graphic

import (
	_ "embed"
	"fmt"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
)

// The CJK font ships inside the binary so that rendering works on any
// machine: WenQuanYi Micro Hei 文泉驿微米黑 (Apache-2.0 or GPL-3+ with the
// font exception; see fonts/COPYRIGHT-wqy-microhei.txt), the first font of
// Debian's wqy-microhei.ttc repacked with aligned tables (fonts/repack.py).
//
//go:embed fonts/wqy-microhei.ttf
var wqyMicroHei []byte

var (
	fontOnce sync.Once
	fontErr  error
	cjkFont  *sfnt.Font
)

func loadFont() (*sfnt.Font, error) {
	fontOnce.Do(func() {
		cjkFont, fontErr = opentype.Parse(wqyMicroHei)
		if fontErr != nil {
			fontErr = fmt.Errorf("graphic: font: %w", fontErr)
		}
	})
	return cjkFont, fontErr
}

// Face returns the embedded CJK font at a pixel size.
func Face(size float64) (font.Face, error) {
	f, err := loadFont()
	if err != nil {
		return nil, err
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("graphic: face %.0fpx: %w", size, err)
	}
	return face, nil
}
