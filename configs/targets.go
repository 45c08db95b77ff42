package configs

import (
	"fmt"

	"github.com/herald-gov/herald/content"
)

// TargetAccounts returns the ids of the accounts a TARGETS spec names
// (all, group:NAME, or account ids joined by commas), in config order.
func (c *Config) TargetAccounts(spec string) ([]string, error) {
	t, err := content.ParseTargets(spec)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range c.Accounts {
		if t.All || (t.Group != "" && a.InGroup(t.Group)) {
			out = append(out, a.ID)
		}
	}
	for _, id := range t.IDs {
		if _, ok := c.Account(id); !ok {
			return nil, fmt.Errorf("账号 %q 不存在（herald accounts list 可查看全部账号）", id)
		}
		out = append(out, id)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%q 没有对应的账号", spec)
	}
	return out, nil
}

// InGroup reports whether the account is in group g.
func (a *Account) InGroup(g string) bool {
	for _, x := range a.Groups {
		if x == g {
			return true
		}
	}
	return false
}
