package patrol

import "github.com/herald-gov/herald/notify"

// robotText is a heading and one line per entry, cut to the robots' limit.
func robotText(heading string, lines []string) string {
	return notify.List(heading, lines, " herald patrol、herald task list 或控制台“巡检”页")
}
