package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Images a --body-file names stay inside its folder: a path that leaves it
// (../, absolute, a symlink pointing out) is answered exactly like a
// missing file, and nothing outside is read into the item.
func TestBodyFileImagesStayInItsFolder(t *testing.T) {
	e := newEnv(t, cliOptions())
	cover, err := os.ReadFile(filepath.Join(e.dir, "cover.png"))
	if err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(e.dir, "private.png") // a real image, outside the body's folder
	if err := os.WriteFile(outside, cover, 0o600); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(e.dir, "article")
	os.MkdirAll(filepath.Join(folder, "photos"), 0o700)
	if err := os.Symlink(outside, filepath.Join(folder, "photos", "link.png")); err != nil {
		t.Fatal(err)
	}
	message := func(src string) string {
		t.Helper()
		body := filepath.Join(folder, "body.html")
		os.WriteFile(body, []byte(`<p>正文</p><img src="`+src+`">`), 0o600)
		code, out, errs := e.herald("post", "add", "--kind", "article", "--title", "会议", "--body-file", body,
			"--image", filepath.Join(e.dir, "cover.png"), "--to", "fabu")
		if code == 0 {
			t.Fatalf("%s was read into an item: %s", src, out)
		}
		return strings.ReplaceAll(strings.TrimSpace(errs), src, "SRC")
	}
	missing := message("photos/none.png")
	for _, src := range []string{"../private.png", "photos/../../private.png", "photos/link.png", outside} {
		if got := message(src); got != missing {
			t.Errorf("%s: %q, a missing file: %q", src, got, missing)
		}
	}
}
