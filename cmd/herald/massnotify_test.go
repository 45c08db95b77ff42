package main

import (
	"testing"

	"github.com/herald-gov/herald/internal/testenv"
)

// `post add --notify`: the article is published by one mass send of its
// draft (followers notified once), never by freepublish as well.
func TestNotifyGoesOutByOneMassSend(t *testing.T) {
	c := newCancelEnv(t, testenv.Options{})
	c.serve()
	id := c.addArticle("--to", "wx000", "--at", "now", "--notify")
	var s shown
	waitFor(t, "the item to settle", func() bool {
		s = c.show(id)
		return s.State != "scheduled" && s.State != "publishing"
	})
	st := c.Sandbox.Snapshot().WeChat["wxapp000"]
	if s.State != "done" || len(s.Deliveries) != 1 || s.Deliveries[0].Error != "" {
		t.Fatalf("item %s: %+v", s.State, s.Deliveries)
	}
	if len(st.MassSends) != 1 || len(st.Published) != 1 || st.Published[0].MsgID != st.MassSends[0].MsgID {
		t.Fatalf("platform: %d mass sends, %d published; want one article published by one mass send", len(st.MassSends), len(st.Published))
	}
	if st.Calls["/cgi-bin/freepublish/submit"] != 0 {
		t.Fatalf("freepublish/submit called for a notifying item: %v", st.Calls)
	}
	if s.Deliveries[0].URL != st.Published[0].URL {
		t.Fatalf("post show URL %q, platform %q", s.Deliveries[0].URL, st.Published[0].URL)
	}
}
