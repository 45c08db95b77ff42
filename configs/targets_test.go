package configs

import (
	"slices"
	"testing"
)

// TargetAccounts applies the one department rule (MayPublishTo): the office
// and the server's command line reach every account; another department
// keeps its own accounts of all or a group and is refused another's.
func TestTargetAccountsScope(t *testing.T) {
	cfg, err := Parse([]byte(`
data_dir: /tmp/x
departments:
  - {id: xwb, name: 新闻办, office: true}
  - {id: scj, name: 市场监管局}
accounts:
  - {id: fabu, name: 青山发布, platform: wechat, groups: [county], department: xwb, app_id: wx1, app_secret: s1}
  - {id: scj-wx, name: 青山市场监管, platform: wechat, groups: [county], department: scj, app_id: wx2, app_secret: s2}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		spec, dept string
		want       []string
	}{
		{"all", "", []string{"fabu", "scj-wx"}},
		{"all", "xwb", []string{"fabu", "scj-wx"}},
		{"group:county", "scj", []string{"scj-wx"}},
		{"scj-wx", "scj", []string{"scj-wx"}},
		{"fabu,scj-wx", "xwb", []string{"fabu", "scj-wx"}},
	} {
		got, err := cfg.TargetAccounts(c.spec, c.dept)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("TargetAccounts(%q, %q) = %v, %v; want %v", c.spec, c.dept, got, err, c.want)
		}
	}
	if _, err := cfg.TargetAccounts("fabu", "scj"); err == nil {
		t.Error("a department may name another's account")
	}
	if !cfg.MayPublishTo("", "scj") || !cfg.MayPublishTo("xwb", "scj") || cfg.MayPublishTo("scj", "xwb") || cfg.MayPublishTo("nosuch", "xwb") {
		t.Error("MayPublishTo: the office and the command line reach every account, a department only its own")
	}
}
