package content

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"strings"
	"testing"
)

// bombPNG is a valid small PNG whose header claims w x h pixels.
func bombPNG(t *testing.T, w, h uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// IHDR data starts after the 8-byte signature, 4-byte length and "IHDR".
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// A small file that claims a huge picture is refused from its header,
// before anything decodes it.
func TestDecompressionBombRefused(t *testing.T) {
	for _, size := range [][2]uint32{{100000, 100000}, {40000, 10}, {10000, 10000}} {
		_, err := SniffImage(bombPNG(t, size[0], size[1]))
		if err == nil || !strings.Contains(err.Error(), "过大") {
			t.Errorf("%dx%d: %v", size[0], size[1], err)
		}
	}
	for _, size := range [][2]uint32{{1080, 20000}, {8000, 6000}} {
		if info, err := SniffImage(bombPNG(t, size[0], size[1])); err != nil || info.Width != int(size[0]) {
			t.Errorf("%dx%d refused: %v", size[0], size[1], err)
		}
	}
}
