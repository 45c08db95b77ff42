package queue_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// queueOptions is the queue tests' world: three review levels, the news
// office and one department, each with a WeChat account.
func queueOptions() testenv.Options {
	return testenv.Office(testenv.Options{}, "初审", "复审", "终审")
}

func setup(t *testing.T) (*queue.Service, *storage.Store) {
	t.Helper()
	e := testenv.New(t, queueOptions())
	return e.Queue, e.Store
}

func cover() [][]byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 20, 10)))
	return [][]byte{b.Bytes()}
}

var office = queue.Actor{Name: "编辑", Department: "xwb"}

func add(t *testing.T, q *queue.Service, body string) int64 {
	t.Helper()
	id, err := q.Add(context.Background(), office, queue.Draft{Kind: content.KindArticle, Title: "县政府常务会议", Body: body, Images: cover(), Targets: "all", When: "now"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestEditAfterSecondLevelVoidsBothApprovals(t *testing.T) {
	q, st := setup(t)
	ctx := context.Background()
	id := add(t, q, "<p>会议研究部署冬季工作。</p>")
	if err := q.Approve(ctx, queue.Actor{Name: "张敏"}, id, false); err != nil {
		t.Fatal(err)
	}
	if err := q.Approve(ctx, queue.Actor{Name: "王强"}, id, false); err != nil {
		t.Fatal(err)
	}
	title := "县政府常务会议（修改）"
	if err := q.Edit(ctx, office, id, queue.Changes{Title: &title}); err != nil {
		t.Fatal(err)
	}
	aps, _ := st.Approvals(ctx, id)
	if len(aps) != 2 || !aps[0].Voided || !aps[1].Voided {
		t.Fatalf("approvals after edit: %+v", aps)
	}
	it, _ := st.Item(ctx, id)
	level, valid, _ := q.NextLevel(ctx, &it)
	if it.State != content.ItemInReview || level != 1 || len(valid) != 0 {
		t.Fatalf("after edit: %s, level %d, %d valid", it.State, level, len(valid))
	}
	// The final reviewer cannot sign now: 初审 is due again.
	if err := q.Approve(ctx, queue.Actor{Name: "刘建国"}, id, true); err == nil || !strings.Contains(err.Error(), "无权签署初审") {
		t.Fatalf("final reviewer on a voided item: %v", err)
	}
}

func TestReviewerRules(t *testing.T) {
	q, _ := setup(t)
	ctx := context.Background()
	id := add(t, q, "<p>内容</p>")
	err := q.Approve(ctx, queue.Actor{Name: "王强"}, id, false)
	if !queue.IsRefusal(err) || !strings.Contains(err.Error(), "王强 无权签署初审（可签署：张敏）") {
		t.Fatalf("wrong reviewer: %v", err)
	}
	if err := q.Reject(ctx, queue.Actor{Name: "张敏"}, id, ""); err == nil {
		t.Fatal("reject without a comment")
	}
	if err := q.Reject(ctx, queue.Actor{Name: "张敏"}, id, "数据需核实"); err != nil {
		t.Fatal(err)
	}
	if err := q.Approve(ctx, queue.Actor{Name: "张敏"}, id, false); err == nil {
		t.Fatal("a rejected item was approved")
	}
}

func TestBlockingTermRefusedWithPosition(t *testing.T) {
	q, st := setup(t)
	ctx := context.Background()
	_, err := q.Add(ctx, office, queue.Draft{Kind: content.KindArticle, Title: "学习会", Body: "<p>全县干部不忘出心，砥砺前行。</p>", Images: cover(), Targets: "all", When: "now"})
	var r *queue.Refusal
	if !errors.As(err, &r) || !strings.Contains(err.Error(), "正文第5字「不忘出心」，应为「不忘初心」") {
		t.Fatalf("blocking term: %v", err)
	}
	if items, _ := st.ListItems(ctx, storage.ItemFilter{}); len(items) != 0 {
		t.Fatal("a refused item was stored")
	}
	sum := sha256.Sum256(cover()[0])
	if _, err := st.Image(ctx, hex.EncodeToString(sum[:])); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a refused item's image was stored: %v", err)
	}
	// A warning is allowed and recorded in the audit log.
	id := add(t, q, "<p>史上最暖冬季送温暖活动。</p>")
	log, _ := st.AuditLog(ctx, id, 0)
	found := false
	for _, e := range log {
		found = found || (e.Action == "wording" && strings.Contains(e.Detail, "史上最"))
	}
	if !found {
		t.Fatalf("warning not in the audit log: %+v", log)
	}
	// Editing a blocked term in is refused too.
	body := "<p>牢记使名</p>"
	if err := q.Edit(ctx, office, id, queue.Changes{Body: &body}); err == nil || !strings.Contains(err.Error(), "牢记使命") {
		t.Fatalf("edit with a blocking term: %v", err)
	}
}

func TestDepartmentScope(t *testing.T) {
	q, _ := setup(t)
	ctx := context.Background()
	scj := queue.Actor{Name: "赵磊", Department: "scj"}
	_, err := q.Add(ctx, scj, queue.Draft{Kind: content.KindArticle, Title: "检查", Body: "<p>x</p>", Images: cover(), Targets: "fabu", When: "now"})
	if err == nil || !strings.Contains(err.Error(), "只能向本部门账号发布") {
		t.Fatalf("department targeting the office's account: %v", err)
	}
	// "all" from a department means its own accounts.
	id, err := q.Add(ctx, scj, queue.Draft{Kind: content.KindArticle, Title: "检查", Body: "<p>x</p>", Images: cover(), Targets: "all", When: "now"})
	if err != nil {
		t.Fatal(err)
	}
	it, _ := q.Item(ctx, scj, id)
	if it.Targets != "scj-wx" {
		t.Fatalf("targets %q", it.Targets)
	}
	// The office's items are not the department's to touch.
	officeItem := add(t, q, "<p>y</p>")
	if _, err := q.Cancel(ctx, scj, officeItem); err == nil {
		t.Fatal("a department cancelled the office's item")
	}
}
