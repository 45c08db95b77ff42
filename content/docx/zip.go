package docx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/richardlehane/mscfb"
)

// sniff refuses what is not a zip package before it is opened: a legacy
// binary .doc/.wps (an OLE compound file), a password-protected .docx (an
// OLE compound file holding EncryptedPackage), an RTF saved as .doc.
func sniff(r io.ReaderAt, size int64) error {
	head := make([]byte, 8)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		if encrypted(r) {
			return refuse("encrypted", "Word 文档设有打开密码，无法读取：请在 Word 中取消密码（文件→信息→保护文档）后另存为 .docx 再导入")
		}
		return refuse("legacy", "这是旧版 Word/WPS 文件（.doc 或 .wps）：请在 Word 或 WPS 中“另存为” .docx 格式后再导入")
	case bytes.HasPrefix(head, []byte(`{\rtf`)):
		return refuse("legacy", "这是 RTF 文件，不是 .docx：请在 Word 或 WPS 中“另存为” .docx 格式后再导入")
	case dlpHeader(r):
		return refuse("dlp", "这个 Word 文档被单位的文档加密（防泄密）系统加密了，无法读取：请先用加密系统的“解密”功能或向管理员申请解密，再导入解密后的文件（在加密的电脑上“另存为”仍会被加密）")
	case !bytes.HasPrefix(head, []byte("PK")):
		return refuse("damaged", "文件不是 Word 文档（.docx）或已损坏：请在 Word 中打开确认无误，另存为 .docx 后再导入")
	}
	return nil
}

// dlpHeader reports whether a file was wrapped by a document-security
// (DLP) system: such files begin with a text header like %TSD-Header-###%.
func dlpHeader(r io.ReaderAt) bool {
	head := make([]byte, 64)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	return bytes.HasPrefix(head, []byte("%TSD-")) || (bytes.HasPrefix(head, []byte("%")) && bytes.Contains(bytes.ToLower(head), []byte("header")))
}

// encrypted reports whether an OLE compound file is an encrypted OOXML
// package (streams EncryptionInfo and EncryptedPackage).
func encrypted(r io.ReaderAt) bool {
	doc, err := mscfb.New(r)
	if err != nil {
		return false
	}
	for i := 0; i < 1000; i++ {
		f, err := doc.Next()
		if err != nil {
			return false
		}
		if f.Name == "EncryptedPackage" || f.Name == "EncryptionInfo" {
			return true
		}
	}
	return false
}

// pkg is an opened .docx package with a budget of inflated bytes.
type pkg struct {
	lim    Limits
	files  map[string]*zip.File
	left   int64   // inflated bytes still allowed
	budget *budget // elements, depth, text and work
}

// damaged refuses a file that cannot be read; what says in Chinese which
// part is broken, and err (kept for the log, never shown) why.
func damaged(what string, err error) *Error {
	e := refuse("damaged", "Word 文档已损坏（%s），无法读取：请在 Word 中打开，另存为新的 .docx 后再导入", what)
	e.cause = err
	return e
}

func openPackage(r io.ReaderAt, size int64, b *budget) (*pkg, error) {
	lim := b.lim
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, damaged("文件不完整，可能只下载或复制了一部分", err)
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, refuse("too_large", "Word 文档内含 %d 个部件，超过 %d 个的上限：请另存为新的 .docx 或拆分后再导入", len(zr.File), lim.MaxEntries)
	}
	p := &pkg{lim: lim, files: make(map[string]*zip.File, len(zr.File)), left: lim.MaxTotalBytes, budget: b}
	for _, f := range zr.File {
		p.files[strings.TrimPrefix(f.Name, "/")] = f
	}
	return p, nil
}

// has reports whether the package has a part.
func (p *pkg) has(name string) bool { _, ok := p.files[name]; return ok }

var errTooBig = errors.New("part over its limit")

// read inflates one part, at most max bytes and within the document's
// budget. A part over either limit is refused before more is read.
func (p *pkg) read(name string, max int64) ([]byte, error) {
	f, ok := p.files[name]
	if !ok {
		return nil, fmt.Errorf("no part %s: %w", name, errMissing)
	}
	if max > p.left {
		max = p.left
	}
	if f.UncompressedSize64 > uint64(max) {
		return nil, fmt.Errorf("%s: %w", name, errTooBig)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, damaged("其中的 "+name+" 无法解压", err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	buf.Grow(int(min(f.UncompressedSize64, uint64(max)) + 1))
	n, err := io.Copy(&buf, io.LimitReader(rc, max+1))
	p.left -= n
	if err != nil {
		return nil, damaged("其中的 "+name+" 无法解压", err)
	}
	if n > max {
		return nil, fmt.Errorf("%s: %w", name, errTooBig)
	}
	return buf.Bytes(), nil
}

// open returns a reader of one part's inflated bytes, limited like read;
// reading past the limit fails with errTooBig.
func (p *pkg) open(name string) (io.ReadCloser, error) {
	f, ok := p.files[name]
	if !ok {
		return nil, fmt.Errorf("no part %s: %w", name, errMissing)
	}
	max := min(p.lim.MaxPartBytes, p.left)
	if f.UncompressedSize64 > uint64(max) {
		return nil, fmt.Errorf("%s: %w", name, errTooBig)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, damaged("其中的 "+name+" 无法解压", err)
	}
	return &limited{p: p, rc: rc, left: max}, nil
}

type limited struct {
	p    *pkg
	rc   io.ReadCloser
	left int64
}

func (l *limited) Read(b []byte) (int, error) {
	if l.left <= 0 {
		return 0, errTooBig
	}
	if int64(len(b)) > l.left {
		b = b[:l.left]
	}
	n, err := l.rc.Read(b)
	l.left -= int64(n)
	l.p.left -= int64(n)
	return n, err
}

func (l *limited) Close() error { return l.rc.Close() }

var errMissing = errors.New("missing part")

// resolve turns a relationship target into a part name, relative to the
// folder of the part that holds the relationship.
func resolve(base, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean(path.Join(path.Dir(base), target)), "/")
}

// relsName is the relationships part of a part: word/document.xml ->
// word/_rels/document.xml.rels.
func relsName(part string) string {
	return path.Join(path.Dir(part), "_rels", path.Base(part)+".rels")
}
