package notify

import (
	"strconv"
	"strings"
	"testing"
)

func TestListIsCutWithACountOfWhatWasLeftOut(t *testing.T) {
	lines := make([]string, 200)
	for i := range lines {
		lines[i] = strings.Repeat("留", 20) // 60 bytes
	}
	msg := List("【互动】待回复", lines, "控制台“互动”页")
	if len(msg) > 2048 {
		t.Fatalf("message of %d bytes, over WeCom's 2048", len(msg))
	}
	shown := strings.Count(msg, "· ")
	if !strings.HasSuffix(msg, "……另有 "+strconv.Itoa(200-shown)+" 条，详见控制台“互动”页\n") {
		t.Fatalf("%d lines shown, last line %q", shown, msg[strings.LastIndex(msg[:len(msg)-1], "\n")+1:])
	}
	if short := List("标题", []string{"一", "二"}, "控制台"); short != "标题\n· 一\n· 二\n" {
		t.Errorf("short list %q", short)
	}
}
