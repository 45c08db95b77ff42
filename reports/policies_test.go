package reports

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/storage"
)

type fakeRobot struct{ sent []string }

func (r *fakeRobot) Send(ctx context.Context, text string) error {
	r.sent = append(r.sent, text)
	return nil
}

func TestPolicySheetAndReminders(t *testing.T) {
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	e := testenv.New(t, testenv.Options{Start: time.Date(2026, 10, 15, 10, 0, 0, 0, loc), YAML: "reports: {graphics_target: 60}",
		Accounts: "- {id: fabu, name: 青山发布, platform: wechat, app_id: wx0, app_secret: s}"})
	cfg, st := e.Config, e.Store
	policy := func(title, date string) int64 {
		id, _, err := st.SavePolicy(ctx, storage.Policy{URL: "https://www.qingshan.gov.cn/zcwj/" + date + ".html", Source: "s", Title: title,
			Issuer: "青山县人民政府", DocNumber: "青政发〔2026〕" + date[8:] + "号", PublishedDate: date, Body: "为…，制定本办法。", ContentHash: date})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	covered := policy("农房改造补贴办法", "2026-10-12")
	overdue := policy("医保缴费通知", "2026-10-20")
	older := policy("九月的养老政策", "2026-09-01")
	oldCovered := policy("九月已解读的政策", "2026-09-02")
	policy("十一月的政策", "2026-11-05")
	publish := func(kind content.Kind, title string, policyID int64) int64 {
		return e.Published(t, testenv.Item{Kind: kind, Title: title, Accounts: []string{"fabu"}, PolicyID: policyID})
	}
	g := publish(content.KindGraphic, "一图读懂农房改造补贴", covered)
	a := publish(content.KindArticle, "农房改造补贴解读", covered)
	publish(content.KindGraphic, "九月图解", oldCovered)
	publish(content.KindGraphic, "与政策无关的图解", 0)

	// Reminders: once for each uncovered policy, nothing repeated.
	rb := &fakeRobot{}
	now := time.Date(2026, 11, 10, 9, 0, 0, 0, loc)
	if sent, err := NotifyPolicies(ctx, cfg, st, rb, now); err != nil || !sent {
		t.Fatalf("first reminder: %v %v", sent, err)
	}
	msg := rb.sent[0]
	for _, want := range []string{"已逾期：《医保缴费通知》", "已逾期：《九月的养老政策》", "待解读：《十一月的政策》（青山县人民政府，青政发〔2026〕05号，2026-11-05），请于 2026-11-10 前"} {
		if !strings.Contains(msg, want) {
			t.Errorf("reminder lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "农房改造") {
		t.Errorf("a covered policy was in the reminder:\n%s", msg)
	}
	if sent, _ := NotifyPolicies(ctx, cfg, st, rb, now); sent {
		t.Fatal("the same reminder was sent twice")
	}
	if sent, _ := NotifyPolicies(ctx, cfg, st, rb, now.AddDate(0, 0, 1)); !sent || !strings.Contains(rb.sent[1], "已逾期：《十一月的政策》") || strings.Contains(rb.sent[1], "医保") {
		t.Fatalf("overdue reminder: %q", rb.sent)
	}

	p, _ := ParseMonth("2026-10", loc)
	m, err := BuildMonthly(ctx, cfg, st, p, now)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.WriteWorkbook(&buf, cfg); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows := rawRows(t, f, "政策解读")
	label := func(prefix string) string {
		t.Helper()
		for _, r := range rows {
			if len(r) > 0 && strings.HasPrefix(r[0], prefix) {
				return r[len(r)-1]
			}
		}
		t.Fatalf("no row %q in %q", prefix, rows)
		return ""
	}
	if label("本期政策文件") != "3" || label("其中已解读") != "1" || label("其中待解读") != "0" || label("其中逾期") != "2" {
		t.Errorf("counts: %q", rows)
	}
	// Graphics linked to policies count towards the target; the unlinked one does not.
	if label("2026年已发布的政策图解") != "2" || label("2026年度图解目标") != "60" {
		t.Errorf("target rows: %q", rows)
	}
	header := -1
	for i, r := range rows {
		if len(r) > 2 && r[0] == "政策ID" {
			header = i
		}
	}
	if header < 0 || strings.Join(rows[header][:3], ",") != "政策ID,文件标题,发文机关" {
		t.Fatalf("no header in %q", rows)
	}
	rows = rows[header:]
	rows[0] = nil
	got := map[string][]string{}
	for _, r := range rows[1:] {
		if len(r) > 0 {
			got[r[0]] = r
		}
	}
	if len(got) != 3 {
		t.Fatalf("%d policy rows, want 3 (October's two and September's uncovered one): %q", len(got), rows)
	}
	c := got[fmt.Sprint(covered)]
	if c[5] != fmt.Sprint(a) || c[6] != fmt.Sprint(g) || c[9] != "已解读" || c[4] != "2026-10-12" || c[8] != "2026-10-15" {
		t.Errorf("covered row %q", c)
	}
	if r := got[fmt.Sprint(overdue)]; r[9] != "已逾期" || r[8] != "2026-10-23" {
		t.Errorf("overdue row %q", r)
	}
	if r := got[fmt.Sprint(older)]; r[9] != "已逾期" {
		t.Errorf("older row %q", r)
	}
}
