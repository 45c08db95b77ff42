package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
)

// readBody reads an HTML body file and every local image its <img> tags
// name, relative to the file's folder. Paths stay inside that folder: one
// that leaves it (../, an absolute path, a symlink pointing out) is read as
// missing, so the answer never tells whether a file outside exists.
func readBody(path string) (string, map[string][]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", nil, usagef("无法读取 --body-file 指定的正文文件：%s", fileProblem(err))
	}
	body := string(b)
	srcs, err := content.ImageSources(content.SanitizeHTML(body))
	if err != nil {
		return "", nil, usagef("%v", err)
	}
	root, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		return "", nil, usagef("无法读取正文文件所在的文件夹：%s", fileProblem(err))
	}
	defer root.Close()
	imgs := map[string][]byte{}
	for _, src := range srcs {
		if content.IsRemoteURL(src) || strings.HasPrefix(src, "data:") {
			continue // refused with a clear message by the queue
		}
		data, err := root.ReadFile(filepath.FromSlash(src))
		if err != nil {
			continue // reported by the queue as not found, like a missing file
		}
		imgs[src] = data
	}
	return body, imgs, nil
}

// maxDocxFile is the largest Word file herald reads (a zip; what it holds
// is limited again inside).
const maxDocxFile = 64 << 20

// readDocx reads a Word document named by --docx.
func readDocx(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, usagef("无法读取 --docx 指定的 Word 文档：%s", fileProblem(err))
	}
	if fi.Size() > maxDocxFile {
		return nil, &queue.Refusal{Code: queue.RefusedContent, Msg: fmt.Sprintf("Word 文档 %.0fMB，超过 %dMB 上限：请在 Word 中压缩图片或拆分后再导入", float64(fi.Size())/(1<<20), maxDocxFile>>20)}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("无法读取 --docx 指定的 Word 文档：%s", fileProblem(err))
	}
	return b, nil
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func readImages(paths []string) ([][]byte, error) {
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, usagef("无法读取 --image 指定的图片：%s", fileProblem(err))
		}
		out = append(out, b)
	}
	return out, nil
}

// fileProblem says in Chinese why a file named on the command line could
// not be read, naming the file (the os error's words are English).
func fileProblem(err error) string {
	path := ""
	var pe *fs.PathError
	if errors.As(err, &pe) {
		path = pe.Path
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "文件不存在：" + path
	case errors.Is(err, fs.ErrPermission):
		return "没有读取权限：" + path
	case errors.Is(err, syscall.EISDIR):
		return path + " 是文件夹，请写出文件名"
	}
	return err.Error()
}
