package queue_test

import (
	"context"
	"testing"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
	"github.com/herald-gov/herald/storage"
)

// The three disguises of the blocked 不忘出心 — a bidi override, a
// <bdo dir="rtl"> and a ruby with an <rp> — are refused, and nothing is
// added.
func TestReorderingDisguisesRefused(t *testing.T) {
	q, st := setup(t)
	ctx := context.Background()
	for _, body := range []string{"<p>不忘\u202e心出\u202c，牢记使命。</p>", `<p>不忘<bdo dir="rtl">心出</bdo>，牢记使命。</p>`,
		"<p>不忘<ruby>出<rp>。</rp></ruby>心，牢记使命。</p>"} {
		_, err := q.Add(ctx, office, queue.Draft{Kind: content.KindArticle, Title: "县政府常务会议", Body: body, Images: cover(), Targets: "all", When: "now"})
		if rf, ok := queue.AsRefusal(err); !ok || rf.Code != queue.RefusedContent {
			t.Errorf("%q: %v", body, err)
		}
	}
	if items, _ := st.ListItems(ctx, storage.ItemFilter{Limit: 10}); len(items) != 0 {
		t.Fatalf("%d items added", len(items))
	}
}
