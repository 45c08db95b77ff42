package notify

import (
	"fmt"
	"strings"
)

// ListLimit keeps a message under the group robots' limits (WeCom: 2048
// bytes of text).
const ListLimit = 1800

// List is a robot message of a heading and one line per entry, cut to
// ListLimit: what does not fit is counted in a last line that says where to
// see it all (seeAll, e.g. 控制台“互动”页).
func List(heading string, lines []string, seeAll string) string {
	var b strings.Builder
	b.WriteString(heading + "\n")
	for i, l := range lines {
		if b.Len()+len(l) > ListLimit {
			fmt.Fprintf(&b, "……另有 %d 条，详见%s\n", len(lines)-i, seeAll)
			break
		}
		b.WriteString("· " + l + "\n")
	}
	return b.String()
}
