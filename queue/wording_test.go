package queue_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/queue"
)

// A misspelt set expression disguised with invisible characters, entities,
// tags, line breaks or spaces is still refused at submit.
func TestDisguisedTermsAreRefusedAtSubmit(t *testing.T) {
	q, _ := setup(t)
	ctx := context.Background()
	for name, body := range map[string]string{
		"zero-width space":  "<p>全县干部不忘\u200b出心，砥砺前行。</p>",
		"soft hyphen":       "<p>全县干部不忘&shy;出心，砥砺前行。</p>",
		"tag inside":        "<p>全县干部不忘<b>出心</b>，砥砺前行。</p>",
		"line break":        "<p>全县干部不忘<br>出心，砥砺前行。</p>",
		"space":             "<p>全县干部不忘 出心，砥砺前行。</p>",
		"full-width space":  "<p>全县干部不忘\u3000出心，砥砺前行。</p>",
		"newline in source": "<p>全县干部不忘\n出心，砥砺前行。</p>",
	} {
		_, err := q.Add(ctx, office, queue.Draft{Kind: content.KindArticle, Title: "学习会", Body: body, Images: cover(), Targets: "all", When: "now"})
		var r *queue.Refusal
		if !errors.As(err, &r) || !strings.Contains(err.Error(), "不忘出心") || !strings.Contains(err.Error(), "不忘初心") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// In the title too.
	_, err := q.Add(ctx, office, queue.Draft{Kind: content.KindArticle, Title: "乡村振\u200b新工作会", Body: "<p>会议召开。</p>", Images: cover(), Targets: "all", When: "now"})
	if err == nil || !strings.Contains(err.Error(), "标题") {
		t.Errorf("title: %v", err)
	}
}

// An item may carry at most content.MaxImagesPerItem pictures.
func TestTooManyImagesRefused(t *testing.T) {
	q, _ := setup(t)
	imgs := make([][]byte, 0, content.MaxImagesPerItem+1)
	for i := 0; i <= content.MaxImagesPerItem; i++ {
		imgs = append(imgs, cover()[0])
	}
	_, err := q.Add(context.Background(), office, queue.Draft{Kind: content.KindArticle, Title: "图片新闻", Body: "<p>正文</p>", Images: imgs, Targets: "all", When: "now"})
	if !queue.IsRefusal(err) || !strings.Contains(err.Error(), "图片太多") {
		t.Fatalf("%d images: %v", len(imgs), err)
	}
}
