package content

import (
	"strings"
	"testing"
)

// Body CSS that could paint over the page a reviewer signs on (a fake title
// or state) is removed; the formatting WeChat articles need stays.
func TestSanitizeKeepsOnlyTextStyles(t *testing.T) {
	in := `<section style="margin-top:-400px;position:absolute;top:0;display:inline-block;width:100%;background-color:#fff;z-index:9">` +
		`<p style="font-size:40px;line-height:0;padding:20px;border:1px solid red;float:left;transform:translateY(-300px)">状态：已通过终审</p></section>` +
		`<p style="text-align:center;color:#c00;font-weight:bold;text-indent:2em">县政府常务会议</p>` +
		`<p style="text-indent:-9999px;color:url(javascript:alert(1));text-align:expression(alert(1))">藏起来</p>` +
		`<p style="font-style:italic;text-decoration:underline;color:rgb(51, 51, 51)">正文</p>`
	out := SanitizeHTML(in)
	for _, bad := range []string{"margin", "position", "absolute", "inline-block", "width", "background", "z-index", "font-size",
		"line-height", "padding", "border", "float", "transform", "-9999", "url(", "expression"} {
		if strings.Contains(out, bad) {
			t.Errorf("kept %q: %s", bad, out)
		}
	}
	for _, good := range []string{"text-align: center", "color: #c00", "font-weight: bold", "text-indent: 2em", "font-style: italic",
		"text-decoration: underline", "rgb(51, 51, 51)", "状态：已通过终审", "藏起来"} {
		if !strings.Contains(out, good) {
			t.Errorf("lost %q: %s", good, out)
		}
	}
}
