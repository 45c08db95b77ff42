// Package docx turns a Word document (.docx, WordprocessingML) into an
// article: its title, its body as the inline-styled HTML WeChat shows well,
// and its pictures, ready for the queue to import like any body file.
//
// It is a small reader on archive/zip and encoding/xml. The maintained Go
// readers were tried first against the fixtures in testdata (made by
// python3-docx and LibreOffice): github.com/fumiama/go-docx reads only
// document.xml and the media, so list numbering (held in styles.xml and
// numbering.xml), heading styles and footnotes are lost; and
// github.com/gomutex/godocx has no footnotes and no way to resolve a
// style's numbering. Both read every zip entry with io.ReadAll: the 200 MB
// picture of testdata/bomb.docx cost them 516 MB and 606 MB of allocations.
// github.com/ubavic/godocx and baliance.com/gooxml are not on the module
// proxy. This reader caps every entry, the total inflated bytes and the
// number of entries (Limits), streams the XML, and refuses legacy and
// encrypted files with a line a clerk can act on.
package docx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/herald-gov/herald/content"
)

// Limits bound what reading one document may cost.
type Limits struct {
	// MaxEntries is the most zip entries a document may have.
	MaxEntries int
	// MaxPartBytes caps one XML part, inflated.
	MaxPartBytes int64
	// MaxPictureBytes caps one picture, inflated. A larger one is refused
	// without being read further.
	MaxPictureBytes int64
	// MaxTotalBytes caps everything inflated from one document.
	MaxTotalBytes int64
	// MaxChars is the most characters the article's HTML may have
	// (WeChat's content limit, exclusive).
	MaxChars int
	// MaxDepth is the deepest nesting of elements a part may have.
	MaxDepth int
	// MaxNodes is the most elements all parts together may have.
	MaxNodes int
	// MaxTreeBytes caps the memory the parsed parts keep (estimated from
	// their elements, attributes and text).
	MaxTreeBytes int64
	// MaxWork caps the steps of one conversion (elements read and
	// visited, characters written), bounding its CPU time.
	MaxWork int64
}

// DefaultLimits are the limits herald imports with: WeChat's 20,000
// characters and 1 MB body pictures, and room for a long report.
func DefaultLimits() Limits {
	return Limits{MaxEntries: 5000, MaxPartBytes: 32 << 20, MaxPictureBytes: 16 << 20,
		MaxTotalBytes: 160 << 20, MaxChars: content.WeChatContentMax,
		MaxDepth: 128, MaxNodes: 400_000, MaxTreeBytes: 48 << 20, MaxWork: 4_000_000}
}

// Article is what a document becomes.
type Article struct {
	// Title is the document's title paragraph ("" when it has none); it is
	// not part of HTML.
	Title string
	// HTML is the body: paragraphs, headings, lists, tables, pictures and
	// notes, with inline styles only. Pictures are <img src="media/...">.
	HTML string
	// Pictures holds each picture's bytes by its src in HTML.
	Pictures map[string][]byte
	// Order is the pictures' srcs in the order they first appear.
	Order []string
	// Warnings are lines for the clerk about what the article leaves out
	// (charts, SmartArt, embedded objects, Windows metafiles).
	Warnings []string

	text int // characters of text in HTML (the rest is markup)
}

// tooLong refuses a body of n characters, text of them text.
func tooLong(text, n, limit int) *Error {
	return refuse("too_long", "Word 文档转换后正文共 %d 字（文字 %d 字，排版标记 %d 字），超过微信上限（少于 %d 字）：请拆分为几篇分别导入", n, text, n-text, limit)
}

// Error is a document refused for a reason the clerk can act on; Msg is
// one line in Chinese saying what to do.
type Error struct {
	// Code is one of legacy, encrypted, dlp, damaged, too_large, too_long,
	// too_complex, picture, cancelled, and internal (this reader failed on
	// the file: a fault to fix, logged with its stack).
	Code string
	Msg  string

	cause error // what failed underneath, for the log; never in Msg
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns what failed underneath (nil for most refusals).
func (e *Error) Unwrap() error { return e.cause }

func refuse(code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// IsRefusal reports whether err is a document refused with an Error.
func IsRefusal(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

// Read converts the document in data (the bytes of a .docx file). It
// stops, refusing the document, when ctx is done.
func Read(ctx context.Context, data []byte, lim Limits) (*Article, error) {
	return ReadAt(ctx, bytes.NewReader(data), int64(len(data)), lim)
}

// ReadAt converts the document read from r, size bytes long. Whatever the
// file holds, the conversion costs at most what lim allows and returns: a
// file past a limit, or one this reader fails on, is refused with an
// *Error, and a done ctx stops it.
func ReadAt(ctx context.Context, r io.ReaderAt, size int64, lim Limits) (a *Article, err error) {
	defer guard(&err, &a)
	if err := sniff(r, size); err != nil {
		return nil, err
	}
	b := newBudget(ctx, lim)
	b.checkContext()
	pkg, err := openPackage(r, size, b)
	if err != nil {
		return nil, err
	}
	doc, err := pkg.load()
	if err != nil {
		return nil, err
	}
	a, err = convert(doc, pkg)
	if err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(a.HTML); lim.MaxChars > 0 && n >= lim.MaxChars {
		return nil, tooLong(a.text, n, lim.MaxChars)
	}
	return a, nil
}
