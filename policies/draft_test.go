package policies

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"testing"

	"github.com/herald-gov/herald/graphic"
)

func TestDraftFromARealisticNoticeRenders(t *testing.T) {
	ctx := context.Background()
	site := newCountySite(t)
	dir := t.TempDir()
	cfg := testConfig(t, dir, site.url("/zwgk/zcwj/"))
	st := openStore(t, dir)
	if _, err := NewSyncer(cfg, st, nil, Options{Delay: 1}).Sync(ctx); err != nil {
		t.Fatal(err)
	}
	p := policyByURL(t, st, site.url("/zwgk/zcwj/202611/t20261110_1001.html"))
	file, err := MarshalDraft(Draft(&p, cfg.Location), &p)
	if err != nil {
		t.Fatal(err)
	}
	// The file as the clerk gets it is what graphic render reads.
	g, err := graphic.ParsePolicy(file)
	if err != nil {
		t.Fatalf("drafted file does not load: %v\n%s", err, file)
	}
	if g.Title != "青山县2026年农村危房改造实施方案" || g.Issuer != "青山县人民政府办公室" || g.DocNumber != "青政办发〔2026〕15号" ||
		g.Date != "2026年11月10日" || g.URL != p.URL {
		t.Errorf("head = %q %q %q %q %q", g.Title, g.Issuer, g.DocNumber, g.Date, g.URL)
	}
	if !strings.HasPrefix(g.Summary, "为保障农村低收入群体等重点对象住房安全") || !strings.HasSuffix(g.Summary, "制定本方案。") {
		t.Errorf("summary = %q, want the opening purpose sentence", g.Summary)
	}
	type fig struct{ label, number, unit string }
	want := []struct {
		heading string
		fig     *fig
	}{
		{"补助对象", nil},
		{"D级危房拆除重建", &fig{"每户补助", "3", "万元"}},
		{"C级危房加固改造", &fig{"每户补助", "1.2", "万元"}},
		{"抗震改造奖补", &fig{"每户另奖", "3000", "元"}},
		{"办理方式", nil},
		{"时间安排", &fig{"完成申报", "12月31日", "前"}},
		{"资金拨付", &fig{"县级配套资金比例不低于", "30", "%"}},
	}
	if len(g.Points) != len(want) {
		for _, pt := range g.Points {
			t.Logf("point %q %q %+v", pt.Heading, pt.Text, pt.Figure)
		}
		t.Fatalf("%d points, want %d", len(g.Points), len(want))
	}
	for i, w := range want {
		pt := g.Points[i]
		if pt.Heading != w.heading || pt.Text == "" {
			t.Errorf("point %d = %q / %q, want heading %q", i+1, pt.Heading, pt.Text, w.heading)
		}
		switch {
		case w.fig == nil && pt.Figure != nil:
			t.Errorf("point %q has figure %+v, want none", pt.Heading, *pt.Figure)
		case w.fig != nil && (pt.Figure == nil || *w.fig != (fig{pt.Figure.Label, pt.Figure.Number, pt.Figure.Unit})):
			t.Errorf("point %q figure = %+v, want %+v", pt.Heading, pt.Figure, *w.fig)
		}
	}
	if g.Points[1].Text != "原址或异地新建的，每户补助3万元。建筑面积原则上1至3人户控制在40至60平方米。" {
		t.Errorf("point 2 text = %q", g.Points[1].Text)
	}
	if !strings.HasPrefix(g.AppliesTo, "农村低保户") || !strings.HasPrefix(g.HowToApply, "农户携带身份证") || g.Contact != "县住建局村镇建设股 0731-1234567" {
		t.Errorf("applies_to %q how_to_apply %q contact %q", g.AppliesTo, g.HowToApply, g.Contact)
	}

	theme := graphic.DefaultTheme("青山发布")
	doc, err := graphic.Layout(g, theme)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := doc.Render()
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) == 0 {
		t.Fatal("no pages rendered")
	}
	for i, b := range pages {
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dx() < 500 {
			t.Fatalf("page %d: %v", i+1, err)
		}
	}
}

func TestDraftOfANoticeWithInlineHeadings(t *testing.T) {
	ctx := context.Background()
	site := newCountySite(t)
	dir := t.TempDir()
	cfg := testConfig(t, dir, site.url("/zwgk/zcwj/"))
	st := openStore(t, dir)
	if _, err := NewSyncer(cfg, st, nil, Options{Delay: 1}).Sync(ctx); err != nil {
		t.Fatal(err)
	}
	p := policyByURL(t, st, site.url("/zwgk/zcwj/202611/t20261105_1002.html"))
	g := Draft(&p, cfg.Location)
	if err := g.Validate(); err != nil {
		t.Fatalf("draft invalid: %v", err)
	}
	if len(g.Points) != 3 || g.Points[0].Heading != "补贴品种" || g.Points[1].Heading != "补贴比例" || g.Points[2].Heading != "工作要求" {
		t.Fatalf("points = %+v", g.Points)
	}
	if f := g.Points[1].Figure; f == nil || f.Number != "75" || f.Unit != "%" {
		t.Errorf("补贴比例 figure = %+v", f)
	}
	if f := g.Points[2].Figure; f == nil || f.Number != "12月20日" || f.Unit != "前" {
		t.Errorf("工作要求 figure = %+v", f)
	}
	if g.Contact != "0731-7654321" {
		t.Errorf("contact = %q", g.Contact)
	}
	if !strings.HasPrefix(g.Summary, "为进一步发挥农业保险保障作用") {
		t.Errorf("summary = %q", g.Summary)
	}
}
