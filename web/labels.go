package web

import (
	"context"
	"strings"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// The one place that names in Chinese what the console shows: states,
// kinds, roles, platforms, audit actions and transitions, departments,
// groups and accounts. A page never shows a raw key where a clerk reads it
// (TestConsoleWords scans every page for them).

var weekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// weekday is 周一…周日.
func weekday(d time.Weekday) string { return weekdays[d] }

func platformLabel(p string) string {
	switch p {
	case configs.PlatformWeChat:
		return "微信公众号"
	case configs.PlatformWeibo:
		return "微博"
	}
	return "其他平台"
}

// roles are the user roles in the order the console offers them.
var roles = []string{"editor", "reviewer", "viewer", "admin"}

func roleLabel(r string) string {
	switch r {
	case "admin":
		return "管理员"
	case "editor":
		return "编辑"
	case "reviewer":
		return "审核"
	case "viewer":
		return "查看"
	}
	return "未知角色"
}

// healthLabel names the result of the account's last credentials check.
func healthLabel(h string) string {
	switch h {
	case storage.HealthOK:
		return "正常"
	case storage.HealthUnhealthy:
		return "异常"
	}
	return "未检查"
}

// dormantLabel names a two-week-rule level.
func dormantLabel(level string) string {
	switch level {
	case "ok":
		return "正常"
	case "warn":
		return "预警（≥10天）"
	case "critical":
		return "严重（≥14天或从未发布）"
	}
	return "未知"
}

// groupTitle is a group's display name (groups[].title), or its name when
// it has no title.
func groupTitle(cfg *configs.Config, g string) string {
	for _, cg := range cfg.Groups {
		if cg.Name == g && cg.Title != "" {
			return cg.Title
		}
	}
	return g
}

// groupTitles returns the groups' display names.
func groupTitles(cfg *configs.Config, groups []string) string {
	titles := make([]string, 0, len(groups))
	for _, g := range groups {
		titles = append(titles, groupTitle(cfg, g))
	}
	return strings.Join(titles, "、")
}

// departmentName is a department's name from departments[].
func departmentName(cfg *configs.Config, id string) string {
	for _, d := range cfg.Departments {
		if d.ID == id && d.Name != "" {
			return d.Name
		}
	}
	if id == "" {
		return "未指定部门"
	}
	return id
}

func deliveryLabel(s content.DeliveryState) string { return s.Label() }

// whenLabel says when an item goes out.
func whenLabel(it *content.Item, loc *time.Location) string {
	switch {
	case it.Cron != "":
		return "按周期发布（" + it.Cron + "）"
	case it.PublishNow:
		return "审核通过后立即发布"
	case it.PublishAt != nil:
		return it.PublishAt.In(loc).Format("2006-01-02 15:04")
	}
	return "未定"
}

// auditActionNames names every audit action herald writes.
var auditActionNames = map[string]string{
	"create":               "创建稿件",
	"submit":               "提交审核",
	"approve":              "签署",
	"reject":               "退回修改",
	"edit":                 "修改稿件",
	"cancel":               "撤销",
	"retract":              "从平台删除",
	"expire":               "过期",
	"publish":              "开始发布",
	"settle":               "发布结束",
	"delivery":             "投递",
	"wording":              "用语提示",
	"cron-run":             "定时生成",
	"preview":              "手机预览",
	"link-policy":          "关联政策",
	"unlink-policy":        "取消关联政策",
	"login":                "登录",
	"login_failed":         "登录失败",
	"login_locked":         "登录锁定",
	"login_refused_locked": "锁定期间尝试登录",
	"user_added":           "添加用户",
	"user_disabled":        "停用用户",
	"user_enabled":         "启用用户",
	"user_unlocked":        "解除锁定",
	"user_changed":         "修改用户",
	"password_changed":     "修改密码",
	"token_revoked":        "吊销令牌",
}

// auditActionLabel names an audit action.
func auditActionLabel(a string) string {
	if l, ok := auditActionNames[a]; ok {
		return l
	}
	return "其他操作"
}

// stateLabel names an item state, or a delivery state for a delivery's
// audit entry.
func stateLabel(action, s string) string {
	if action == "delivery" {
		return content.DeliveryState(s).Label()
	}
	return content.ItemState(s).Label()
}

// auditDetail is what the console shows of an audit entry beside its action:
// the state change by name and its note, or the entry's own Chinese text
// when it changed no state.
func auditDetail(e storage.AuditEntry) string {
	var b strings.Builder
	if e.To != "" {
		if e.From != "" {
			b.WriteString(stateLabel(e.Action, e.From))
			b.WriteString(" → ")
		}
		b.WriteString(stateLabel(e.Action, e.To))
		if e.Note != "" {
			b.WriteString("：")
		}
	}
	switch {
	case e.Note != "":
		b.WriteString(e.Note)
	case e.To == "" && e.Action != "delivery" && e.Action != "publish" && e.Action != "settle":
		b.WriteString(e.Detail)
	}
	return b.String()
}

// names resolves account ids to their names for one page.
type names map[string]string

// accountNames maps every account id herald knows (disabled ones too) to
// its name.
func (s *Server) accountNames(ctx context.Context) names {
	out := names{}
	for _, a := range s.cfg.Accounts {
		out[a.ID] = a.Name
	}
	if accts, err := s.store.Accounts(ctx, true); err == nil {
		for _, a := range accts {
			if a.Name != "" {
				out[a.ID] = a.Name
			}
		}
	}
	return out
}

// of is an account's name ("" stays "").
func (n names) of(id string) string {
	if v, ok := n[id]; ok && v != "" {
		return v
	}
	return id
}

// targets names a TARGETS spec: 全部账号, a group's title, or the accounts'
// names.
func (s *Server) targetsLabel(n names, spec string) string {
	tg, err := content.ParseTargets(spec)
	switch {
	case err != nil:
		return ""
	case tg.All:
		return "全部账号"
	case tg.Group != "":
		return groupTitle(s.cfg, tg.Group)
	}
	out := make([]string, len(tg.IDs))
	for i, id := range tg.IDs {
		out[i] = n.of(id)
	}
	return strings.Join(out, "、")
}
