package queue

import (
	"context"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // logos may be JPEG
	_ "image/png"
	"os"
	"strings"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/content/docx"
	"github.com/herald-gov/herald/graphic"
)

// GraphicTheme builds the office's look (graphic.primary_color,
// accent_color, footer, logo_file) for policy graphics and cover cards.
func GraphicTheme(cfg *configs.Config) (graphic.Theme, error) {
	t := graphic.DefaultTheme(cfg.GraphicFooter())
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

// Imported is what a Word document gives an article.
type Imported struct {
	Title      string
	Body       string
	BodyImages map[string][]byte
	// Cover is the document's first picture, or a card drawn from the
	// title when it has none.
	Cover []byte
	// Warnings are lines for the clerk about what was left out.
	Warnings []string
}

// tell passes each warning to warn (when set).
func (im *Imported) tell(warn func(string)) {
	for _, w := range im.Warnings {
		if warn != nil {
			warn(w)
		}
	}
}

// ImportDocx converts a Word document for an article. title, when not
// empty, is the title the clerk gave; the document's title paragraph is
// used otherwise (and left out of the body either way).
func (s *Service) ImportDocx(ctx context.Context, data []byte, title string) (*Imported, error) {
	a, err := docx.Read(ctx, data, docx.DefaultLimits())
	if err != nil {
		if docx.IsRefusal(err) {
			return nil, refuse(RefusedContent, "docx", "%v", err)
		}
		return nil, fmt.Errorf("read .docx: %w", err)
	}
	im := &Imported{Title: strings.TrimSpace(title), Body: a.HTML, BodyImages: a.Pictures, Warnings: a.Warnings}
	if im.Title == "" {
		im.Title = a.Title
	}
	if im.Title == "" {
		return nil, refuse(RefusedInput, "title", "Word 文档没有标题段落（标题样式或居中加粗的第一段）：请另行指定标题")
	}
	var first []byte
	if len(a.Order) > 0 {
		first = a.Pictures[a.Order[0]]
	}
	if im.Cover, err = s.CoverFor(im.Title, first); err != nil {
		return nil, err
	}
	return im, nil
}

// CoverFor is an article's cover when the clerk gave none: its first
// picture, else a card drawn from the title in the office's colours.
func (s *Service) CoverFor(title string, firstPicture []byte) ([]byte, error) {
	if len(firstPicture) > 0 {
		return firstPicture, nil
	}
	if strings.TrimSpace(title) == "" {
		return nil, refuse(RefusedInput, "title", "缺少标题")
	}
	theme, err := GraphicTheme(s.cfg)
	if err != nil {
		return nil, err
	}
	card, err := graphic.Cover(title, theme)
	if err != nil {
		return nil, fmt.Errorf("cover card: %w", err)
	}
	return card, nil
}

// applyDocx fills a draft from its Word document.
func (s *Service) applyDocx(ctx context.Context, d *Draft) error {
	if d.Docx == nil {
		return nil
	}
	if d.Kind != content.KindArticle {
		return refuse(RefusedInput, "kind", "Word 文档只能导入为图文稿件")
	}
	if strings.TrimSpace(d.Body) != "" {
		return refuse(RefusedInput, "docx", "Word 文档与正文文件只能选一个")
	}
	im, err := s.ImportDocx(ctx, d.Docx, d.Title)
	if err != nil {
		return err
	}
	im.tell(d.DocxWarning)
	d.Title, d.Body, d.BodyImages = im.Title, im.Body, im.BodyImages
	if len(d.Images) == 0 {
		d.Images = [][]byte{im.Cover}
	}
	d.Docx = nil
	return nil
}
