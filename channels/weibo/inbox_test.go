package weibo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels"
)

// TestCommentsPagedBackThenSinceID: 450 comments arrive between two reads;
// the read pages back with max_id (each page a resumable cursor), then the
// next read asks only for what is newer. Ids beyond 2^53 survive.
func TestCommentsPagedBackThenSinceID(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	post, err := e.sb.PlaceWeiboPost("731", "【青山发布】县城供水管网改造将于下周开工", time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for i := 0; i < 450; i++ {
		c, err := e.sb.CommentOnPost("731", post.ID, fmt.Sprint(9000+i), "网友", fmt.Sprintf("评论%d", i), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		want[fmt.Sprint(c.ID)] = true
	}
	src := e.ch.InboxSources(&e.acct, nil, nil)[0]
	got := map[string]int{}
	read := func() {
		for pages := 0; ; pages++ {
			page, err := e.ch.ReadInbox(ctx, &e.acct, src)
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range page.Entries {
				got[in.Key]++
				if in.Kind != channels.KindWeiboComment || !strings.HasSuffix(in.Target, fmt.Sprintf("/%d", post.ID)) {
					t.Fatalf("entry %+v", in)
				}
			}
			src.Cursor = page.Cursor
			if !page.More {
				return
			}
			if pages > 10 {
				t.Fatal("reading never ends")
			}
		}
	}
	read()
	if len(got) != 450 {
		t.Fatalf("read %d distinct comments, want 450", len(got))
	}
	for k, n := range got {
		if !want[k] || n != 1 {
			t.Fatalf("comment %s read %d times (known: %v)", k, n, want[k])
		}
	}
	c, _ := e.sb.CommentOnPost("731", post.ID, "9999", "网友", "新评论", time.Now())
	got = map[string]int{}
	read()
	if len(got) != 1 || got[fmt.Sprint(c.ID)] != 1 {
		t.Fatalf("the next read gave %v, want only the new comment", got)
	}

	to := channels.ReplyTo{Kind: channels.KindWeiboComment, Target: fmt.Sprintf("%d/%d", c.ID, post.ID)}
	if err := e.ch.CheckReply(to, strings.Repeat("长", CommentMax+1), time.Now()); err == nil {
		t.Fatal("a reply over 140 passed the check")
	}
	if _, err := e.ch.Reply(ctx, &e.acct, to, "谢谢关注，工期约两个月。"); err != nil {
		t.Fatal(err)
	}
	if o, err := e.ch.LookupReply(ctx, &e.acct, to); err != nil || o != channels.Published {
		t.Fatalf("lookup after reply: %v %v", o, err)
	}
	e.sb.DeleteWeiboComment(c.ID)
	_, err = e.ch.Reply(ctx, &e.acct, to, "再次回复")
	var ce *channels.Error
	if !errors.As(err, &ce) || ce.Class != channels.ClassContent || ce.Code != 20101 {
		t.Fatalf("reply to a deleted comment: %v", err)
	}
}
