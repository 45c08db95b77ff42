package patrol

import (
	"fmt"
	"strings"
)

// robotLimit keeps a message under the group robots' limits (WeCom: 2048
// bytes of text): longer lists are cut with a count of what was left out.
const robotLimit = 1800

// robotText is a heading and one line per entry, cut to the robots' limit.
func robotText(heading string, lines []string) string {
	var b strings.Builder
	b.WriteString(heading + "\n")
	for i, l := range lines {
		if b.Len()+len(l) > robotLimit {
			fmt.Fprintf(&b, "……另有 %d 条，详见 herald patrol、herald task list 或控制台“巡检”页\n", len(lines)-i)
			break
		}
		b.WriteString("· " + l + "\n")
	}
	return b.String()
}
