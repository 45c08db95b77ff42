package configs

import (
	"fmt"

	"github.com/herald-gov/herald/content"
)

// SeesAll reports whether a department sees, and may publish to, every
// account: the news office (departments[].office: true), or no department
// at all (the command line on the server).
func (c *Config) SeesAll(department string) bool {
	if department == "" {
		return true
	}
	d, ok := c.Department(department)
	return ok && d.Office
}

// MayPublishTo is the one department rule for publishing: a department
// that sees all may publish to every account, any other only to its own
// (accountDepartment is the account's department key). The queue applies
// it when targets are given, the executor again just before publishing.
func (c *Config) MayPublishTo(department, accountDepartment string) bool {
	return c.SeesAll(department) || department == accountDepartment
}

// TargetAccounts returns the ids of the accounts a TARGETS spec names
// (all, group:NAME, or account ids joined by commas), in config order, as
// department may publish to them (MayPublishTo; "" for every account):
// all and group:NAME keep the department's own accounts, a named account
// of another department is refused.
func (c *Config) TargetAccounts(spec, department string) ([]string, error) {
	t, err := content.ParseTargets(spec)
	if err != nil {
		return nil, err
	}
	for _, id := range t.IDs {
		a, ok := c.Account(id)
		if !ok {
			return nil, fmt.Errorf("账号 %q 不存在（herald accounts list 可查看全部账号）", id)
		}
		if !c.MayPublishTo(department, a.Department) {
			return nil, fmt.Errorf("账号 %q 不属于本部门", id)
		}
	}
	var out []string
	for _, a := range c.Accounts {
		if t.Includes(a.ID, a.Groups) && c.MayPublishTo(department, a.Department) {
			out = append(out, a.ID)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%q 没有对应的账号", spec)
	}
	return out, nil
}
