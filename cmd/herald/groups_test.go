package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/herald-gov/herald/configs"
)

// An item sent to a group goes to the accounts in the group when it is
// published, not to those it had when it was added: an account that left
// gets nothing (its delivery is cancelled, with the reason), one that joined
// gets it.
func TestGroupResolvedWhenPublishingStarts(t *testing.T) {
	c := newCancelEnv(t, "")
	writeGroups := func(county []int) {
		t.Helper()
		b, err := os.ReadFile(c.env.cfg)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		for i, l := range lines {
			for n := 1; n <= 5; n++ {
				if strings.Contains(l, fmt.Sprintf("{id: gz%d,", n)) {
					g := "other"
					for _, m := range county {
						if m == n {
							g = "county"
						}
					}
					lines[i] = fmt.Sprintf("  - {id: gz%d, name: 公众号%d, platform: wechat, groups: [%s], app_id: wxc%d, app_secret: s%d}", n, n, g, n, n)
				}
			}
		}
		if err := os.WriteFile(c.env.cfg, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
			t.Fatal(err)
		}
		if c.cfg, err = configs.Load(c.env.cfg); err != nil {
			t.Fatal(err)
		}
	}
	writeGroups([]int{1, 2})
	// Added (and scheduled) while gz1 and gz2 form the group; no daemon yet.
	if code, _, errs := c.herald("accounts", "list"); code != 0 {
		t.Fatal(errs)
	}
	id := c.addArticle("--to", "group:county", "--at", "now")
	if got := accountsOf(c.show(id)); got != "gz1 gz2" {
		t.Fatalf("deliveries at add time: %s", got)
	}
	// gz2 leaves the group, gz3 joins; the daemon starts with that config.
	writeGroups([]int{1, 3})
	c.serve()
	var s shown
	waitFor(t, "the item to settle", func() bool {
		s = c.show(id)
		return s.State != "scheduled" && s.State != "publishing"
	})
	snap := c.sb.Snapshot()
	for app, want := range map[string]int{"wxc1": 1, "wxc2": 0, "wxc3": 1} {
		if n := len(snap.WeChat[app].Published); n != want {
			t.Errorf("%s: %d published, want %d", app, n, want)
		}
	}
	for _, d := range s.Deliveries {
		if d.Account == "gz2" && (d.State != "cancelled" || !strings.Contains(d.Error, "group:county")) {
			t.Errorf("gz2 left the group: delivery %s %q", d.State, d.Error)
		}
	}
	code, out, _ := c.herald("audit", "--item", fmt.Sprint(id))
	if code != 0 || !strings.Contains(out, "新增 gz3") || !strings.Contains(out, "移出 gz2") {
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
