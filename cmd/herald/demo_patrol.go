package main

import (
	"context"
	"fmt"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
)

// seedDemoPatrol shows the inspection patrol in the demo: a clerk publishes
// two pieces by hand in the platforms' back offices (one names the county
// party secretary wrongly, one hides a misspelt set phrase behind a
// zero-width space), the higher level sets a repost task, and the patrol
// reads every account and finds both (console 巡检 page, herald patrol).
func seedDemoPatrol(ctx context.Context, a *app, d *daemon, sb *sandbox.Server, cfg *configs.Config) error {
	wx, ok1 := cfg.Account("qs-chengguan")
	wb, ok2 := cfg.Account("qs-wjw-weibo")
	if !ok1 || !ok2 {
		return nil
	}
	if _, err := sb.PlaceArticle(wx.AppID, sandbox.HandArticle{Title: "城关镇传达学习县委全会精神",
		Content: "<p>11月24日，城关镇召开党委（扩大）会议，传达学习县委书记王建华在县委全会上的讲话精神。</p>",
		At:      time.Now().Add(-26 * time.Hour)}); err != nil {
		return err
	}
	if _, err := sb.PlaceWeiboPost(wb.UID, "【健康青山】我县持续优化营商\u200b坏境，推进“放管服”改革。", time.Now().Add(-3*time.Hour)); err != nil {
		return err
	}
	if _, err := d.patrol.AddTask(ctx, "国务院关于进一步优化政务服务提升行政效能的指导意见", "https://www.gov.cn/zhengce/content/2026-11/20/content_7000001.htm",
		time.Now().Add(48*time.Hour), "group:county"); err != nil {
		return err
	}
	y, m, dd := time.Now().In(cfg.Location).Date()
	today := time.Date(y, m, dd, 0, 0, 0, 0, cfg.Location)
	res, err := d.patrol.Run(ctx, today.AddDate(0, 0, -(cfg.Patrol.Days-1)), today.AddDate(0, 0, 1), nil)
	if err != nil {
		return fmt.Errorf("demo: patrol: %w", err)
	}
	fmt.Fprintf(a.stdout, "patrol: %d publications of %d accounts read from the platforms, %d findings (console 巡检 page)\n",
		res.Publications, res.Accounts, len(res.Findings))
	return nil
}
