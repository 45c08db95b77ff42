package content

import (
	"fmt"
	"slices"
	"strings"
)

// Targets is a parsed TARGETS argument: all, group:NAME, or account ids.
type Targets struct {
	All   bool
	Group string
	IDs   []string
}

// ParseTargets parses "all", "group:NAME" or "id1,id2,...".
func ParseTargets(spec string) (Targets, error) {
	spec = strings.TrimSpace(spec)
	switch {
	case spec == "":
		return Targets{}, fmt.Errorf("未指定发布账号：可写 all、group:分组名 或以逗号分隔的账号ID")
	case spec == "all":
		return Targets{All: true}, nil
	case strings.HasPrefix(spec, "group:"):
		g := strings.TrimSpace(strings.TrimPrefix(spec, "group:"))
		if g == "" {
			return Targets{}, fmt.Errorf("group: 后缺少分组名")
		}
		return Targets{Group: g}, nil
	}
	seen := map[string]bool{}
	var ids []string
	for _, id := range strings.Split(spec, ",") {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return Targets{}, fmt.Errorf("%q 中没有账号ID", spec)
	}
	return Targets{IDs: ids}, nil
}

// String renders the targets back to their TARGETS form.
func (t Targets) String() string {
	switch {
	case t.All:
		return "all"
	case t.Group != "":
		return "group:" + t.Group
	}
	return strings.Join(t.IDs, ",")
}

// Includes reports whether the targets name an account with this id and
// these groups: every account for all, its groups for group:NAME, its id
// in a list.
func (t Targets) Includes(id string, groups []string) bool {
	switch {
	case t.All:
		return true
	case t.Group != "":
		return slices.Contains(groups, t.Group)
	}
	return slices.Contains(t.IDs, id)
}
