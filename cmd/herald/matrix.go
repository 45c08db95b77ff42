package main

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
)

// matrix is the demo's account matrix: a county release account on WeChat
// and Weibo, department accounts and township accounts.
type matrix struct {
	accounts []matrixAccount
}

type matrixAccount struct {
	id, name, platform, group, dept, wxType string
}

func demoMatrix() matrix {
	return matrix{accounts: []matrixAccount{
		{"qs-fabu", "青山发布", "wechat", "county", "xwb", "service"},
		{"qs-fabu-weibo", "青山发布", "weibo", "county", "xwb", ""},
		{"qs-scjgj", "青山市场监管", "wechat", "departments", "scjgj", "subscription"},
		{"qs-scjgj-weibo", "青山市场监管", "weibo", "departments", "scjgj", ""},
		{"qs-jyj", "青山教育", "wechat", "departments", "jyj", "subscription"},
		{"qs-wjw", "健康青山", "wechat", "departments", "wjw", "subscription"},
		{"qs-wjw-weibo", "健康青山", "weibo", "departments", "wjw", ""},
		{"qs-chengguan", "城关镇发布", "wechat", "townships", "chengguan", "subscription"},
		{"qs-dongxi", "东溪镇发布", "wechat", "townships", "dongxi", "subscription"},
		{"qs-nanshan", "南山乡发布", "wechat", "townships", "nanshan", "subscription"},
		{"qs-xiaohe", "小河镇发布", "wechat", "townships", "xiaohe", "subscription"},
		{"qs-baiyun", "白云乡发布", "wechat", "townships", "baiyun", "subscription"},
	}}
}

var demoDepartments = [][2]string{
	{"xwb", "青山县委宣传部（新闻办）"}, {"scjgj", "青山县市场监督管理局"}, {"jyj", "青山县教育局"},
	{"wjw", "青山县卫生健康委员会"}, {"chengguan", "城关镇人民政府"}, {"dongxi", "东溪镇人民政府"},
	{"nanshan", "南山乡人民政府"}, {"xiaohe", "小河镇人民政府"}, {"baiyun", "白云乡人民政府"},
}

// yaml renders the matrix as a herald config against the given API bases.
func (m matrix) yaml(dataDir, listen, wechatBase, weiboBase string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "data_dir: %q\nlisten: %q\ntimezone: Asia/Shanghai\n", dataDir, listen)
	fmt.Fprintf(&b, "wechat:\n  api_base: %q\n  timeout: 5s\nweibo:\n  api_base: %q\n  timeout: 5s\n", wechatBase, weiboBase)
	b.WriteString("review:\n  levels: [初审, 复审, 终审]\n  reviewers:\n    初审: [张敏, 李娜]\n    复审: [王强]\n    终审: [刘建国]\n")
	b.WriteString("  leaders: [{name: 王建国, title: 县委书记}, {name: 李明, title: 县长}]\n")
	b.WriteString("groups:\n  - {name: county, title: 县级发布}\n  - {name: departments, title: 部门}\n  - {name: townships, title: 乡镇}\n")
	b.WriteString("departments:\n")
	for i, d := range demoDepartments {
		fmt.Fprintf(&b, "  - {id: %s, name: %s, office: %v}\n", d[0], d[1], i == 0)
	}
	b.WriteString("accounts:\n")
	for i, a := range m.accounts {
		fmt.Fprintf(&b, "  - id: %s\n    name: %s\n    platform: %s\n    groups: [%s]\n    department: %s\n", a.id, a.name, a.platform, a.group, a.dept)
		if a.platform == "wechat" {
			fmt.Fprintf(&b, "    type: %s\n    app_id: wxdemo%04d\n    app_secret: demo-secret-%04d\n", a.wxType, i, i)
		} else {
			fmt.Fprintf(&b, "    uid: \"73100%05d\"\n    access_token: demo-token-%04d\n    token_expires: %s\n    link_url: https://www.qingshan.gov.cn/\n",
				i, i, time.Now().AddDate(0, 0, 60+i*10).Format("2006-01-02"))
		}
	}
	return b.String()
}

// config parses the matrix's YAML through the same loader users get.
func (m matrix) config(dataDir, wechatBase, weiboBase string) *configs.Config {
	if dataDir == "" {
		dataDir = "/tmp/herald-demo-unused"
	}
	cfg, err := configs.Parse([]byte(m.yaml(dataDir, "127.0.0.1:0", wechatBase, weiboBase)))
	if err != nil {
		panic("demo matrix config is invalid: " + err.Error())
	}
	return cfg
}

// followersFor sizes an account by its groups, for the sandbox's statistics.
func followersFor(groups []string) int {
	for _, g := range groups {
		switch g {
		case "county":
			return 15000
		case "departments":
			return 3000
		}
	}
	return 400
}

// registerAccounts registers a config's accounts with a sandbox, with the
// config's own credentials.
func registerAccounts(sb *sandbox.Server, cfg *configs.Config) {
	for _, a := range cfg.Accounts {
		switch a.Platform {
		case configs.PlatformWeChat:
			sb.AddWeChatApp(sandbox.WeChatApp{AppID: a.AppID, Secret: a.AppSecret, Name: a.Name, Type: a.Type, Followers: followersFor(a.Groups)})
		case configs.PlatformWeibo:
			var exp time.Time
			if t, ok := a.TokenExpiry(cfg.Location); ok {
				exp = t
			}
			host := ""
			if u, err := url.Parse(a.LinkURL); err == nil {
				host = u.Hostname()
			}
			sb.AddWeiboUser(sandbox.WeiboUser{UID: a.UID, Token: a.AccessToken, Name: a.Name, Expires: exp, SafeDomain: host, Followers: followersFor(a.Groups)})
		}
	}
}
