package queue_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/queue"
)

// review.leaders guards the queue like the wording lists: a leader's name
// misspelt after their title refuses the item, with the right name.
func TestMisspeltLeaderRefused(t *testing.T) {
	o := queueOptions()
	o.YAML = strings.Replace(o.YAML, "review:\n", "review:\n  leaders: [{name: 王建国, title: 县委书记}]\n", 1)
	q := testenv.New(t, o).Queue
	ctx := context.Background()
	_, err := q.Add(ctx, office, queue.Draft{Kind: content.KindArticle, Title: "常委会召开", Body: "<p>县委书记王<span>建华</span>主持会议。</p>", Images: cover(), Targets: "all", When: "now"})
	var r *queue.Refusal
	if !errors.As(err, &r) || !strings.Contains(err.Error(), "「王建华」，应为「王建国」") {
		t.Fatalf("misspelt leader: %v", err)
	}
	if _, err := q.Add(ctx, office, queue.Draft{Kind: content.KindArticle, Title: "常委会召开", Body: "<p>县委书记王建国主持会议。</p>", Images: cover(), Targets: "all", When: "now"}); err != nil {
		t.Fatalf("the right name refused: %v", err)
	}
}
