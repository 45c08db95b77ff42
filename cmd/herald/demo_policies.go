package main

import (
	"context"
	"fmt"
	"image/color"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/policies"
	"github.com/herald-gov/herald/queue"
)

// seedDemoPolicies reads the sandbox county site's 政策文件 column and
// writes a 解读 for its oldest document, linked to it, so that 政策 shows a
// document covered, documents waiting and one overdue.
func seedDemoPolicies(ctx context.Context, a *app, d *daemon) error {
	res, err := policies.NewSyncer(d.cfg, d.store, a.log, policies.Options{Delay: 1}).Sync(ctx)
	if err != nil {
		return fmt.Errorf("demo: reading the county site's policies: %w", err)
	}
	list, err := d.store.Policies(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "policies: %d documents read from the county site", len(list))
	if len(res.Problems) > 0 {
		fmt.Fprintf(a.stdout, " (%d problems: %s)", len(res.Problems), res.Problems[0])
	}
	fmt.Fprintln(a.stdout)
	if len(list) == 0 {
		return nil
	}
	oldest := list[len(list)-1]
	p, err := d.store.Policy(ctx, oldest.ID)
	if err != nil {
		return err
	}
	id, err := d.queue.Add(ctx, queue.Actor{Name: "陈晓", Department: "xwb"}, queue.Draft{Kind: content.KindArticle,
		Title: "政策解读｜" + truncateRunes(p.Title, 40), Digest: "一图看懂资助对象、标准和申请方式",
		Body:      "<p>近日，" + p.Issuer + "印发《" + truncateRunes(p.Title, 60) + "》。现就有关内容解读如下。</p><p>一、出台背景。为落实上级部署，保障困难家庭学生顺利入学。</p><p>二、主要内容。文件明确了学前教育、义务教育和普通高中的资助对象与标准。</p>",
		SourceURL: p.URL, Targets: "qs-fabu", When: "now", KeepDraft: true, PolicyID: p.ID,
		Images: [][]byte{demoImage(900, 383, color.RGBA{21, 101, 192, 255})}})
	if err != nil {
		return fmt.Errorf("demo: the policy's 解读: %w", err)
	}
	fmt.Fprintf(a.stdout, "policies: item %d is the draft 解读 of policy %d\n", id, p.ID)
	return nil
}
