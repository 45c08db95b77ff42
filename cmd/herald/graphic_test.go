package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A clerk with only a policy file in hand can render it: no config is
// needed (the default style is used and said so), and a policy without a
// title is one line saying what is wrong, exit 1, no usage text.
func TestGraphicRenderWithoutConfig(t *testing.T) {
	example, err := os.ReadFile("../../configs/policy.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // no ./herald.yaml here
	t.Setenv("HERALD_CONFIG", "")
	os.WriteFile("policy.yaml", example, 0o600)
	var out, errb bytes.Buffer
	if code := run([]string{"graphic", "render", "--in", "policy.yaml", "--out", "pages"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "默认样式") || !strings.Contains(out.String(), "page-01.png") {
		t.Fatalf("stdout %q stderr %q", out.String(), errb.String())
	}
	if _, err := os.Stat(filepath.Join("pages", "page-01.png")); err != nil {
		t.Fatal(err)
	}

	untitled := strings.Replace(string(example), "title: 青山县2026年农村危房改造补助政策\n", "", 1)
	os.WriteFile("untitled.yaml", []byte(untitled), 0o600)
	out.Reset()
	errb.Reset()
	code := run([]string{"graphic", "render", "--in", "untitled.yaml", "--out", "pages2"}, &out, &errb)
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	last := lines[len(lines)-1]
	if code != 1 || strings.Contains(errb.String(), "用法：") || !strings.Contains(last, "标题") {
		t.Fatalf("exit %d, stderr:\n%s", code, errb.String())
	}
}
