package queue_test

import (
	"context"
	"strings"
	"testing"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/queue"
)

// A signature names the revision the reviewer saw: after the editor saved
// revision 2, a signature or a rejection of revision 1 is refused (state,
// one line) and nothing is signed; revision 2 can be signed.
func TestStaleRevisionIsNotSigned(t *testing.T) {
	q, st := setup(t)
	ctx := context.Background()
	id := add(t, q, "<p>会议研究部署冬季工作。</p>")
	title := "县政府常务会议（修改）"
	if err := q.Edit(ctx, office, id, queue.Changes{Title: &title}); err != nil {
		t.Fatal(err)
	}
	zhang := queue.Actor{Name: "张敏"}
	for _, err := range []error{q.ApproveRevision(ctx, zhang, id, 1, false), q.RejectRevision(ctx, zhang, id, 1, "第二段请核实")} {
		rf, ok := queue.AsRefusal(err)
		if !ok || rf.Code != queue.RefusedState || !strings.Contains(err.Error(), "已修改") || strings.Contains(err.Error(), "\n") {
			t.Fatalf("stale signature: %v", err)
		}
	}
	it, _ := st.Item(ctx, id)
	if aps, _ := st.Approvals(ctx, id); len(aps) != 0 || it.State != content.ItemInReview {
		t.Fatalf("a stale signature left %d approvals, state %s", len(aps), it.State)
	}
	if err := q.ApproveRevision(ctx, zhang, id, 2, false); err != nil {
		t.Fatalf("current revision: %v", err)
	}
}

// The author of a revision does not sign it — not at any level, and not
// when the revision is a later edit by a reviewer — unless
// review.allow_self_review.
func TestAuthorDoesNotSignOwnRevision(t *testing.T) {
	q, _ := setup(t)
	ctx := context.Background()
	zhang := queue.Actor{Name: "张敏", Department: "xwb"}
	id, err := q.Add(ctx, zhang, queue.Draft{Kind: content.KindArticle, Title: "县政府常务会议", Body: "<p>正文。</p>", Images: cover(), Targets: "all", When: "now"})
	if err != nil {
		t.Fatal(err)
	}
	rf, ok := queue.AsRefusal(q.Approve(ctx, zhang, id, false))
	if !ok || rf.Code != queue.RefusedDenied || !strings.Contains(rf.Error(), "作者") {
		t.Fatalf("author signs own revision: %v", rf)
	}
	// 王强 (复审) edits the item after 张敏 signs another's revision: 王强
	// cannot then sign his own revision 2.
	id2 := add(t, q, "<p>正文。</p>")
	if err := q.Approve(ctx, zhang, id2, false); err != nil {
		t.Fatal(err)
	}
	wang := queue.Actor{Name: "王强", Department: "xwb"}
	title := "县政府常务会议（改）"
	if err := q.Edit(ctx, wang, id2, queue.Changes{Title: &title}); err != nil {
		t.Fatal(err)
	}
	if err := q.Approve(ctx, zhang, id2, false); err != nil {
		t.Fatal(err)
	}
	if _, ok := queue.AsRefusal(q.Approve(ctx, wang, id2, false)); !ok {
		t.Fatal("a reviewer signed the revision he wrote")
	}

	o := queueOptions()
	o.YAML = strings.Replace(o.YAML, "review:\n", "review:\n  allow_self_review: true\n", 1)
	e := testenv.New(t, o)
	id3, err := e.Queue.Add(ctx, zhang, queue.Draft{Kind: content.KindArticle, Title: "县政府常务会议", Body: "<p>正文。</p>", Images: cover(), Targets: "all", When: "now"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Queue.Approve(ctx, zhang, id3, false); err != nil {
		t.Fatalf("allow_self_review: %v", err)
	}
}
