package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/internal/testenv"
)

// An item sent to a group goes to the accounts in the group when it is
// published, not to those it had when it was added: an account that left
// gets nothing (its delivery is cancelled, with the reason), one that joined
// gets it.
func TestGroupResolvedWhenPublishingStarts(t *testing.T) {
	c := newCancelEnv(t, testenv.Options{})
	writeGroups := func(county []int) {
		t.Helper()
		b, err := os.ReadFile(c.ConfigPath)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		group := regexp.MustCompile(`groups: \[\w+\]`)
		for i, l := range lines {
			for n := 0; n < 5; n++ {
				if strings.Contains(l, fmt.Sprintf("{id: wx%03d,", n)) {
					g := "other"
					for _, m := range county {
						if m == n {
							g = "county"
						}
					}
					lines[i] = group.ReplaceAllString(l, "groups: ["+g+"]")
				}
			}
		}
		if err := os.WriteFile(c.ConfigPath, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
			t.Fatal(err)
		}
		if c.Config, err = configs.Load(c.ConfigPath); err != nil {
			t.Fatal(err)
		}
	}
	writeGroups([]int{0, 1})
	// Added (and scheduled) while wx000 and wx001 form the group; no daemon yet.
	if code, _, errs := c.herald("accounts", "list"); code != 0 {
		t.Fatal(errs)
	}
	id := c.addArticle("--to", "group:county", "--at", "now")
	if got := accountsOf(c.show(id)); got != "wx000 wx001" {
		t.Fatalf("deliveries at add time: %s", got)
	}
	// wx001 leaves the group, wx002 joins; the daemon starts with that config.
	writeGroups([]int{0, 2})
	c.serve()
	var s shown
	waitFor(t, "the item to settle", func() bool {
		s = c.show(id)
		return s.State != "scheduled" && s.State != "publishing"
	})
	snap := c.Sandbox.Snapshot()
	for app, want := range map[string]int{"wxapp000": 1, "wxapp001": 0, "wxapp002": 1} {
		if n := len(snap.WeChat[app].Published); n != want {
			t.Errorf("%s: %d published, want %d", app, n, want)
		}
	}
	for _, d := range s.Deliveries {
		if d.Account == "wx001" && (d.State != "cancelled" || !strings.Contains(d.Error, "group:county")) {
			t.Errorf("wx001 left the group: delivery %s %q", d.State, d.Error)
		}
	}
	code, out, _ := c.herald("audit", "--item", fmt.Sprint(id))
	if code != 0 || !strings.Contains(out, "新增 wx002") || !strings.Contains(out, "移出 wx001") {
		t.Errorf("the audit log does not say which accounts changed:\n%s", out)
	}
}

func accountsOf(s shown) string {
	var ids []string
	for _, d := range s.Deliveries {
		ids = append(ids, d.Account)
	}
	return strings.Join(ids, " ")
}
