package sandbox

import (
	"fmt"
	"net/url"
	"testing"
	"time"
)

// Posts made by hand take their place in time; since_id and max_id cut the
// timeline around a post, and every text handed out is counted.
func TestWeiboTimelineByHandSinceAndMax(t *testing.T) {
	f := newFixture(t, Options{Seed: 12})
	token := f.weiboUser("42")
	api := f.share(token, "herald 发的一条 "+safeURL)
	old, err := f.sb.PlaceWeiboPost("42", "三天前手工发的一条", f.clock.now().Add(-72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	f.clock.t = f.clock.t.Add(time.Minute)
	newer, err := f.sb.PlaceWeiboPost("42", "刚刚手工发的一条", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(a weiboAnswer) []string {
		var out []string
		for _, s := range a.body["statuses"].([]any) {
			out = append(out, s.(map[string]any)["idstr"].(string))
		}
		return out
	}
	all := ids(f.get("/2/statuses/user_timeline.json", url.Values{"access_token": {token}}))
	want := []string{fmt.Sprint(newer.ID), api.body["idstr"].(string), fmt.Sprint(old.ID)}
	if fmt.Sprint(all) != fmt.Sprint(want) {
		t.Fatalf("timeline %v, want newest first %v", all, want)
	}
	since := ids(f.get("/2/statuses/user_timeline.json", url.Values{"access_token": {token}, "since_id": {api.body["idstr"].(string)}}))
	if fmt.Sprint(since) != fmt.Sprint(want[:1]) {
		t.Fatalf("since_id: %v", since)
	}
	upTo := ids(f.get("/2/statuses/user_timeline.json", url.Values{"access_token": {token}, "max_id": {api.body["idstr"].(string)}}))
	if fmt.Sprint(upTo) != fmt.Sprint(want[1:]) {
		t.Fatalf("max_id: %v", upTo)
	}
	st := f.sb.Snapshot().Weibo["42"]
	if st.ContentServed[fmt.Sprint(newer.ID)] != 2 || st.ContentServed[fmt.Sprint(old.ID)] != 2 {
		t.Fatalf("texts handed out: %v", st.ContentServed)
	}
	if !st.Posts[0].ByHand || st.Posts[1].ByHand {
		t.Fatalf("by hand marks: %+v", st.Posts)
	}
	if _, err := f.sb.PlaceWeiboPost("nobody", "x", time.Time{}); err == nil {
		t.Fatal("a post on an unknown user")
	}
}
