package docx

import (
	"errors"
	"fmt"
	"html"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/herald-gov/herald/content"
)

// drawing writes the picture a drawing (DrawingML or VML) or an embedded
// object shows, notes what is left out (a chart, a SmartArt graphic, an
// object whose preview is a Windows metafile), and queues the content of
// every text box it holds, a group's too, for after the paragraph.
func (c *converter) drawing(w *runWriter, d *node) {
	if w.hidden() {
		return
	}
	id := d.find(c.b, "blip").attr("embed")
	if id == "" {
		id = d.find(c.b, "imagedata").attr("id")
	}
	kind := ""
	switch {
	case d.find(c.b, "chart") != nil:
		kind = "图表"
	case d.find(c.b, "relIds") != nil:
		kind = "SmartArt 图形"
	case d.name == "object" || d.find(c.b, "OLEObject") != nil:
		kind = "嵌入对象"
	}
	if c.dry {
		if id != "" || kind != "" {
			w.pictures++
		}
		return
	}
	if kind == "图表" || kind == "SmartArt 图形" {
		c.leaveOut(kind) // what they show is drawn by Word, not stored as a picture
		id = ""
	} else if id != "" {
		if r, ok := c.doc.rels[id]; ok && !r.external {
			src, err := c.picture(r.target)
			switch {
			case err != nil:
				w.err = err
				return
			case src == "":
				if kind == "" {
					kind = "Windows 图元文件（EMF/WMF）图片"
				}
				c.leaveOut(kind)
			default:
				w.raw(`<img src="` + html.EscapeString(src) + `">`)
				w.pictures++
			}
		}
	} else if kind != "" {
		c.leaveOut(kind)
	}
	c.textBoxes(d)
}

// textBoxes queues the content of each text box under n (not those inside
// another text box: they come with it).
func (c *converter) textBoxes(n *node) {
	for _, k := range n.kids {
		c.b.step(1)
		if k.name == "txbxContent" {
			c.after = append(c.after, k.kids...)
			continue
		}
		c.textBoxes(k)
	}
}

// leaveOut notes one thing of a kind the article leaves out, on the page
// it is on when the document says.
func (c *converter) leaveOut(kind string) {
	c.omitted = append(c.omitted, omission{kind: kind, page: c.page})
}

// picture reads a picture part once and checks WeChat will take it in a
// body: JPG or PNG, under 1 MB, known by its bytes. A Windows metafile
// (EMF/WMF, a preview of an embedded object or clip art) gives "" and no
// error: it is left out.
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
	if metafile(data) {
		c.srcOf[part] = ""
		return "", nil
	}
	info, err := content.SniffImage(data)
	if err != nil || (info.MIME != "image/jpeg" && info.MIME != "image/png") {
		kind := "无法识别的"
		if err == nil {
			kind = strings.ToUpper(strings.TrimPrefix(info.Ext(), ".")) + " "
		}
		return "", refuse("picture", "Word 文档中的第%d张图片是%s格式，微信正文只接受 JPG 和 PNG：请把它另存为 JPG 或 PNG 图片，在 Word 中替换后再导入", n, kind)
	}
	if len(data) >= content.WeChatBodyImgMax {
		return "", refuse("picture", "Word 文档中的第%d张图片 %.1fMB，超过微信正文图片 1MB 上限：请在 Word 中压缩图片（选中图片→图片格式→压缩图片，选“电子邮件”分辨率）后另存再导入", n, float64(len(data))/(1<<20))
	}
	name := path.Base(part)
	if ext := info.Ext(); !strings.EqualFold(path.Ext(name), ext) && !(ext == ".jpg" && strings.EqualFold(path.Ext(name), ".jpeg")) {
		name = strings.TrimSuffix(name, path.Ext(name)) + ext // a JPEG stored as image1.bin
	}
	src := "media/" + name
	for i := 2; c.art.Pictures[src] != nil; i++ {
		src = fmt.Sprintf("media/%d-%s", i, name)
	}
	c.srcOf[part] = src
	c.art.Pictures[src] = data
	c.art.Order = append(c.art.Order, src)
	return src, nil
}

// metafile reports whether data is a Windows metafile: EMF (a header
// record of type 1 with " EMF" at byte 40) or WMF (placeable, or a plain
// header of type 1 or 2 and version 0x300).
func metafile(data []byte) bool {
	if len(data) >= 44 && data[0] == 1 && data[1] == 0 && data[2] == 0 && data[3] == 0 && string(data[40:44]) == " EMF" {
		return true
	}
	if len(data) >= 4 && data[0] == 0xD7 && data[1] == 0xCD && data[2] == 0xC6 && data[3] == 0x9A {
		return true
	}
	return len(data) >= 6 && (data[0] == 1 || data[0] == 2) && data[1] == 0 && data[2] == 9 && data[3] == 0 && data[4] == 0 && data[5] == 3
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

// omission is one thing left out of the article, and its page (0: not known).
type omission struct {
	kind string
	page int
}

// omittedWarning is the line telling the clerk what was left out, e.g.
// 「Word 文档中第3页的图表、2个嵌入对象未导入，请另行截图插入」; "" when
// nothing was. Pages are named only when Word recorded where its pages
// break (w:lastRenderedPageBreak).
func omittedWarning(om []omission, pagesKnown bool) string {
	if len(om) == 0 {
		return ""
	}
	var kinds []string
	count := map[string]int{}
	pages := map[string][]int{}
	for _, o := range om {
		if count[o.kind] == 0 {
			kinds = append(kinds, o.kind)
		}
		count[o.kind]++
		if pagesKnown && !slices.Contains(pages[o.kind], o.page) {
			pages[o.kind] = append(pages[o.kind], o.page)
		}
	}
	samePages := true // all on the same pages: name them once
	for _, k := range kinds {
		samePages = samePages && slices.Equal(pages[k], pages[kinds[0]])
	}
	var parts []string
	for i, k := range kinds {
		s := ""
		if ps := pages[k]; len(ps) > 0 && (i == 0 || !samePages) {
			nums := make([]string, len(ps))
			for i, p := range ps {
				nums[i] = strconv.Itoa(p)
			}
			s = "第" + strings.Join(nums, "、") + "页的"
		}
		if count[k] > 1 {
			s += strconv.Itoa(count[k]) + "个"
		}
		parts = append(parts, s+k)
	}
	return "Word 文档中" + strings.Join(parts, "、") + "未导入，请另行截图插入"
}
