package web

import (
	"strings"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// Chinese names for what the console shows: the console never shows a raw
// state, role, platform or group key where a clerk reads it.

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
	return p
}

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
	return r
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
	return level
}

// groupTitles returns the groups' display names from groups[].title.
func groupTitles(cfg *configs.Config, groups []string) string {
	titles := make([]string, 0, len(groups))
	for _, g := range groups {
		t := g
		for _, cg := range cfg.Groups {
			if cg.Name == g && cg.Title != "" {
				t = cg.Title
			}
		}
		titles = append(titles, t)
	}
	return strings.Join(titles, "、")
}

func deliveryLabel(s content.DeliveryState) string { return s.Label() }
