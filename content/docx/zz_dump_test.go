package docx

import (
	"context"
	"os"
	"testing"
)

func TestDump(t *testing.T) {
	data, _ := os.ReadFile(os.Getenv("DOCX"))
	a, err := Read(context.Background(), data, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("TITLE %q WARN %v\n%s", a.Title, a.Warnings, a.HTML)
}
