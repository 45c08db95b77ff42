// Package configs loads, validates and describes herald's configuration.
//
// Configuration comes from one YAML file (--config, HERALD_CONFIG, or
// ./herald.yaml) overlaid with HERALD_<SECTION>_<KEY> environment variables.
// Load returns a validated *Config that callers pass down explicitly; there is
// no package-level configuration state.
package configs

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/herald-gov/herald/content"
)

// ContentLeaders returns review.leaders for the text checker.
func (c *Config) ContentLeaders() []content.Leader {
	out := make([]content.Leader, 0, len(c.Review.Leaders))
	for _, l := range c.Review.Leaders {
		out = append(out, content.Leader{Name: l.Name, Title: l.Title})
	}
	return out
}

func (a *Account) weiboField(k string) string {
	switch k {
	case "uid":
		return a.UID
	case "access_token":
		return a.AccessToken
	case "token_expires":
		return a.TokenExpires
	case "link_url":
		return a.LinkURL
	}
	return ""
}

// TokenExpiry returns the Weibo token's expiry (midnight ending the named
// day, in loc) and whether one is configured.
func (a *Account) TokenExpiry(loc *time.Location) (time.Time, bool) {
	if a.TokenExpires == "" {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("2006-01-02", a.TokenExpires, loc)
	if err != nil {
		return time.Time{}, false
	}
	return t.AddDate(0, 0, 1), true
}

// ParseColor parses #RRGGBB.
func ParseColor(s string) ([3]uint8, error) {
	var rgb [3]uint8
	if len(s) != 7 || s[0] != '#' {
		return rgb, fmt.Errorf("%q is not a colour like #C62828", s)
	}
	for i := 0; i < 3; i++ {
		var v uint8
		if _, err := fmt.Sscanf(s[1+2*i:3+2*i], "%02x", &v); err != nil {
			return rgb, fmt.Errorf("%q is not a colour like #C62828", s)
		}
		rgb[i] = v
	}
	return rgb, nil
}

// GraphicFooter is the footer for policy graphics: graphic.footer, else the
// news office's first account's name.
func (c *Config) GraphicFooter() string {
	if c.Graphic.Footer != "" {
		return c.Graphic.Footer
	}
	office := c.OfficeDepartment()
	for _, a := range c.Accounts {
		if office == "" || a.Department == office {
			return a.Name
		}
	}
	return ""
}

// ReportUnit is the 制表单位 of reports: reports.unit, else the news office
// department's name.
func (c *Config) ReportUnit() string {
	if c.Reports.Unit != "" {
		return c.Reports.Unit
	}
	if d, ok := c.Department(c.OfficeDepartment()); ok {
		return d.Name
	}
	return ""
}

// ReportRegion is the place named in report titles: reports.region, else
// the news office department's name up to and including its first 县, 市,
// 区 or 旗 (青山县委宣传部 → 青山县), else "".
func (c *Config) ReportRegion() string {
	if c.Reports.Region != "" {
		return c.Reports.Region
	}
	d, ok := c.Department(c.OfficeDepartment())
	if !ok {
		return ""
	}
	if i := strings.IndexAny(d.Name, "县市区旗"); i > 0 {
		_, size := utf8.DecodeRuneInString(d.Name[i:])
		return d.Name[:i+size]
	}
	return ""
}

// ParseClock parses "HH:MM" into minutes after midnight.
func ParseClock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day like 09:00", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Account returns the account with the given id.
func (c *Config) Account(id string) (*Account, bool) {
	for i := range c.Accounts {
		if c.Accounts[i].ID == id {
			return &c.Accounts[i], true
		}
	}
	return nil, false
}

// Department returns the department with the given id.
func (c *Config) Department(id string) (*Department, bool) {
	for i := range c.Departments {
		if c.Departments[i].ID == id {
			return &c.Departments[i], true
		}
	}
	return nil, false
}

// OfficeDepartment returns the id of the news office department, or "" if none is marked office.
func (c *Config) OfficeDepartment() string {
	for _, d := range c.Departments {
		if d.Office {
			return d.ID
		}
	}
	return ""
}

// ReviewersFor returns who may sign level (nil: anyone).
func (c *Config) ReviewersFor(level string) []string {
	for l, names := range c.Review.Reviewers {
		if strings.EqualFold(l, level) {
			return names
		}
	}
	return nil
}

// MayReview reports whether name may sign level.
func (c *Config) MayReview(level, name string) bool {
	names := c.ReviewersFor(level)
	return names == nil || slices.Contains(names, name)
}
