package queue

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// review.leaders guards the queue like the wording lists: a leader's name
// misspelt after their title refuses the item, with the right name.
func TestMisspeltLeaderRefused(t *testing.T) {
	cfg, err := configs.Parse([]byte(strings.Replace(cfgYAML, "review:\n", "review:\n  leaders: [{name: 王建国, title: 县委书记}]\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var accts []storage.Account
	for _, a := range cfg.Accounts {
		accts = append(accts, storage.Account{ID: a.ID, Name: a.Name, Platform: a.Platform, Groups: a.Groups, Department: a.Department})
	}
	if err := st.SyncAccounts(context.Background(), accts); err != nil {
		t.Fatal(err)
	}
	q := New(cfg, st, nil)
	ctx := context.Background()
	_, err = q.Add(ctx, office, Draft{Kind: content.KindArticle, Title: "常委会召开", Body: "<p>县委书记王<span>建华</span>主持会议。</p>", Images: cover(), Targets: "all", When: "now"})
	var r *Refusal
	if !errors.As(err, &r) || !strings.Contains(err.Error(), "「王建华」，应为「王建国」") {
		t.Fatalf("misspelt leader: %v", err)
	}
	if _, err := q.Add(ctx, office, Draft{Kind: content.KindArticle, Title: "常委会召开", Body: "<p>县委书记王建国主持会议。</p>", Images: cover(), Targets: "all", When: "now"}); err != nil {
		t.Fatalf("the right name refused: %v", err)
	}
}
