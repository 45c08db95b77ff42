package reports

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// The 政府网站工作年度报表 (国办函〔2018〕12号: every government website
// publishes it by 31 January) has two parts herald holds the figures for:
// 移动新媒体 (per 微博 and 微信 account: 名称, 信息发布量, 关注量/订阅数 at
// the year's end) and 互动交流's 留言办理 (收到留言数量, 办结留言数量,
// 平均办理时间（天）, 公开答复数量). The row names are those of the national
// template as the issue and design.md give them.

// Annual is what `herald report annual` writes.
type Annual struct {
	Year int
	Made time.Time
	// Accounts are the 移动新媒体 rows, 微博 first as in the template.
	Accounts []AnnualAccount
	// Received, Done, Public and AvgDays are 留言办理's rows.
	Received, Done, Public int
	AvgDays                *float64
}

// AnnualAccount is one account's 移动新媒体 row.
type AnnualAccount struct {
	Platform, Name string
	// Posts is 信息发布量: its publications in the year, from the
	// platforms' own lists (by hand included); nil when not collected.
	Posts *int64
	// Followers is 关注量 (微博) or 订阅数 (微信) on the last collected day of the year.
	Followers *int64
}

// BuildAnnual computes the annual report's figures from what is stored.
func BuildAnnual(ctx context.Context, cfg *configs.Config, st *storage.Store, year int, now time.Time) (*Annual, error) {
	p := yearPeriod(year, cfg.Location)
	m, err := BuildMonthly(ctx, cfg, st, p, now)
	if err != nil {
		return nil, err
	}
	a := &Annual{Year: year, Made: now.In(cfg.Location)}
	for _, platform := range []string{configs.PlatformWeibo, configs.PlatformWeChat} {
		for _, r := range m.Summary {
			if r.Platform != platform {
				continue
			}
			row := AnnualAccount{Platform: platform, Name: r.Name, Followers: r.Followers}
			if r.given&givenPosts != 0 {
				n := r.Posts
				row.Posts = &n
			}
			a.Accounts = append(a.Accounts, row)
		}
	}
	var days float64
	for _, r := range m.Interaction {
		a.Received += r.Received
		a.Done += r.Answered + r.Closed
		a.Public += r.Public
		days += r.doneDays
	}
	if a.Done > 0 {
		v := round2(days / float64(a.Done))
		a.AvgDays = &v
	}
	return a, nil
}

// WriteAnnual writes the two parts as a workbook laid out like the
// template's rows, ready to copy into the national reporting system.
func (a *Annual) WriteAnnual(w io.Writer, cfg *configs.Config) error {
	title := fmt.Sprintf("%s政府网站工作年度报表（%d年度）", cfg.ReportRegion(), a.Year)
	wb, err := newWorkbook(title, cfg.ReportUnit(), a.Made)
	if err != nil {
		return err
	}
	defer wb.f.Close()
	s, err := wb.newSheet("移动新媒体", title+"——移动新媒体", []column{{"类别", colText}, {"名称", colText}, {"信息发布量", colCount}, {"关注量/订阅数", colCount}})
	if err != nil {
		return err
	}
	s.headerRow()
	var weibo, wechat int
	for _, r := range a.Accounts {
		kind := "微信"
		if r.Platform == configs.PlatformWeibo {
			kind = "微博"
			weibo++
		} else {
			wechat++
		}
		s.add(kind, r.Name, orNil64(r.Posts), orNil64(r.Followers))
	}
	s.noteRow(fmt.Sprintf("注：是否有移动新媒体：%s。微博 %d 个（关注量），微信 %d 个（订阅数）。信息发布量为 %d 年内各账号在平台上的全部发布（含在平台后台手工发布的），"+
		"关注量/订阅数为 %d-12-31 或其前最后一次采集的数据；空白表示 herald 未采集到该项。", yesNo(len(a.Accounts) > 0), weibo, wechat, a.Year, a.Year))
	if err := s.finish(); err != nil {
		return err
	}
	s, err = wb.newSheet("互动交流", title+"——互动交流", []column{{"项目", colText}, {"指标", colText}, {"数值", colCount}})
	if err != nil {
		return err
	}
	s.sectionRow("留言办理")
	s.labelValue("收到留言数量", a.Received, colCount)
	s.labelValue("办结留言数量", a.Done, colCount)
	s.labelValue("平均办理时间（天）", orNil(a.AvgDays), colIndex)
	s.labelValue("公开答复数量", a.Public, colCount)
	s.noteRow(fmt.Sprintf("注：统计 %d 年内政务新媒体收到的公众号消息、文章留言、微博评论和@提及（herald 互动）。办结＝已回复或经确认无需回复；"+
		"平均办理时间为收到至办结的平均天数；公开答复为文章留言和微博上的公开回复（公众号消息的回复仅对方可见，不计入）。", a.Year))
	if err := s.finish(); err != nil {
		return err
	}
	return wb.write(w)
}

func orNil64(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}
