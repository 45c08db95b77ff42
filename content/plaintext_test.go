package content

import "testing"

// Inline markup adds no space inside Chinese text; blocks are separated.
func TestPlainTextKeepsInlineMarkupUnbroken(t *testing.T) {
	got := PlainText(`<p>县委<strong>全面部署</strong>今冬<span style="color: #C00000">安全</span>工作。<sup>[1]</sup></p><h2>一、总体要求</h2><ul><li>甲</li><li>乙</li></ul>`)
	want := "县委全面部署今冬安全工作。[1] 一、总体要求 甲 乙"
	if got != want {
		t.Errorf("PlainText = %q, want %q", got, want)
	}
}
