package docx

import (
	"errors"
	"fmt"
	"html"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/herald-gov/herald/content"
)

// drawing writes the picture a drawing (DrawingML or VML) shows, and
// queues the paragraphs of a text box it holds.
func (c *converter) drawing(w *runWriter, d *node) {
	if w.hidden() {
		return
	}
	id := d.find(c.b, "blip").attr("embed")
	if id == "" {
		id = d.find(c.b, "imagedata").attr("id")
	}
	if id != "" && c.dry {
		w.pictures++
		return
	}
	if id != "" {
		if r, ok := c.doc.rels[id]; ok && !r.external {
			src, err := c.picture(r.target)
			if err != nil {
				w.err = err
				return
			}
			w.raw(`<img src="` + html.EscapeString(src) + `">`)
			w.pictures++
		}
	}
	if tb := d.find(c.b, "txbxContent"); tb != nil {
		for _, k := range tb.kids {
			if k.name == "p" {
				c.after = append(c.after, k)
			}
		}
	}
}

// picture reads a picture part once and checks WeChat will take it in a
// body: JPG or PNG, under 1 MB.
func (c *converter) picture(part string) (string, error) {
	if src, ok := c.srcOf[part]; ok {
		return src, nil
	}
	n := len(c.art.Order) + 1
	data, err := c.pkg.read(part, c.pkg.lim.MaxPictureBytes)
	if errors.Is(err, errTooBig) {
		return "", refuse("picture", "Word 文档中的第%d张图片过大（超过%dMB）：请在 Word 中压缩图片（选中图片→图片格式→压缩图片）后另存再导入", n, c.pkg.lim.MaxPictureBytes>>20)
	}
	if errors.Is(err, errMissing) {
		return "", damaged(fmt.Sprintf("第%d张图片不在文件中", n), nil)
	}
	if err != nil {
		return "", err
	}
	info, err := content.SniffImage(data)
	if err != nil || (info.MIME != "image/jpeg" && info.MIME != "image/png") {
		kind := strings.ToUpper(strings.TrimPrefix(path.Ext(part), "."))
		if err == nil {
			kind = strings.ToUpper(strings.TrimPrefix(info.Ext(), "."))
		}
		return "", refuse("picture", "Word 文档中的第%d张图片是 %s 格式，微信正文只接受 JPG 和 PNG：请把它另存为 JPG 或 PNG 图片，在 Word 中替换后再导入", n, kind)
	}
	if len(data) >= content.WeChatBodyImgMax {
		return "", refuse("picture", "Word 文档中的第%d张图片 %.1fMB，超过微信正文图片 1MB 上限：请在 Word 中压缩图片（选中图片→图片格式→压缩图片，选“电子邮件”分辨率）后另存再导入", n, float64(len(data))/(1<<20))
	}
	src := "media/" + path.Base(part)
	for i := 2; c.art.Pictures[src] != nil; i++ {
		src = fmt.Sprintf("media/%d-%s", i, path.Base(part))
	}
	c.srcOf[part] = src
	c.art.Pictures[src] = data
	c.art.Order = append(c.art.Order, src)
	return src, nil
}

// noteRef writes a footnote or endnote marker [n] and keeps the note's text
// for the end of the article.
func (c *converter) noteRef(w *runWriter, k *node) {
	notes := c.doc.footnotes
	if k.name == "endnoteReference" {
		notes = c.doc.endnotes
	}
	note, ok := notes[k.attr("id")]
	if !ok || c.dry || c.inNote {
		return
	}
	c.inNote = true
	defer func() { c.inNote = false }()
	var parts []string
	for _, p := range note.kids {
		if p.name != "p" {
			continue
		}
		nw := c.inline(p, c.paraStyle(p.child("pPr")))
		if nw.err != nil {
			w.err = nw.err
			return
		}
		if s := strings.TrimSpace(nw.html()); s != "" {
			parts = append(parts, s)
			c.wrote(utf8.RuneCountInString(strings.TrimSpace(nw.plain.String())))
		}
	}
	c.notes = append(c.notes, strings.Join(parts, "<br>"))
	w.raw(fmt.Sprintf("<sup>[%d]</sup>", len(c.notes)))
}
