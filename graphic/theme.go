package graphic

import (
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // logos may be JPEG
	_ "image/png"  // or PNG
	"os"

	"github.com/herald-gov/herald/configs"
)

// ThemeFor is the office's theme from the config: graphic.primary_color,
// graphic.accent_color, graphic.footer and graphic.logo_file.
func ThemeFor(cfg *configs.Config) (Theme, error) {
	t := DefaultTheme(cfg.GraphicFooter())
	if rgb, err := configs.ParseColor(cfg.Graphic.PrimaryColor); err == nil {
		t.Primary = color.RGBA{rgb[0], rgb[1], rgb[2], 0xFF}
		t.Dark = color.RGBA{rgb[0] * 7 / 10, rgb[1] * 7 / 10, rgb[2] * 7 / 10, 0xFF}
	}
	if rgb, err := configs.ParseColor(cfg.Graphic.AccentColor); err == nil {
		t.Accent = color.RGBA{rgb[0], rgb[1], rgb[2], 0xFF}
	}
	if cfg.Graphic.LogoFile != "" {
		f, err := os.Open(cfg.Graphic.LogoFile)
		if err != nil {
			return t, fmt.Errorf("graphic.logo_file: %w", err)
		}
		defer f.Close()
		if t.Logo, _, err = image.Decode(f); err != nil {
			return t, fmt.Errorf("graphic.logo_file: 不是 PNG 或 JPEG 图片：%w", err)
		}
	}
	return t, nil
}
