package content

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // register decoders for DecodeConfig
	_ "image/jpeg"
	_ "image/png"
	"net/http"

	_ "golang.org/x/image/bmp"
)

// Image limits of the platforms (../shared/platforms.md).
const (
	WeChatMaterialMax = 10 << 20 // permanent image material
	WeChatBodyImgMax  = 1 << 20  // media/uploadimg, exclusive
	WeiboPicMax       = 5 << 20  // statuses/share pic, exclusive

	// MaxImageSide and MaxImagePixels bound an image's declared size, read
	// from its header before anything decodes it: a small file that claims
	// a huge picture (a decompression bomb) is refused. A phone photo is
	// 12-50 megapixels; a long policy graphic page 1080 x 20000 at most.
	MaxImageSide   = 30000
	MaxImagePixels = 60_000_000
	// MaxImagesPerItem caps the pictures of one item (cover, newspic pages
	// and body images together).
	MaxImagesPerItem = 50
)

// ImageInfo is what sniffing an image's bytes tells.
type ImageInfo struct {
	MIME          string
	Width, Height int
}

// Ext returns the usual file extension for the image's type.
func (i ImageInfo) Ext() string {
	switch i.MIME {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/bmp":
		return ".bmp"
	}
	return ""
}

// SniffImage identifies an image from its bytes, never its file name, and
// refuses anything WeChat and Weibo do not both take.
func SniffImage(data []byte) (ImageInfo, error) {
	if len(data) == 0 {
		return ImageInfo{}, fmt.Errorf("图片文件为空")
	}
	mime := http.DetectContentType(data)
	switch mime {
	case "image/jpeg", "image/png", "image/gif", "image/bmp":
	default:
		return ImageInfo{}, fmt.Errorf("图片格式不支持：只接受 JPG、PNG、GIF、BMP（实际内容为 %s）", mime)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return ImageInfo{}, fmt.Errorf("图片已损坏，无法读取（%s）：%v", mime, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide ||
		int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return ImageInfo{}, fmt.Errorf("图片尺寸 %d×%d 像素过大：每边不超过 %d 像素、总像素不超过 %d 万，请缩小后再用",
			cfg.Width, cfg.Height, MaxImageSide, MaxImagePixels/10000)
	}
	return ImageInfo{MIME: mime, Width: cfg.Width, Height: cfg.Height}, nil
}
