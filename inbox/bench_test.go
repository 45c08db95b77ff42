package inbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/inbox"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/storage"
)

// BenchmarkInboxRead1000 reads the comments of 1,000 WeChat accounts with
// 30 days of articles each (one a day, every one with a msg_data_id; a
// comment under every tenth) from the sandbox in this process, as `herald
// inbox sync` does: one comment/list call per article, paced per account at
// patrol.calls_per_second = 50 (the default 5 paces one account's 30 calls
// over 6 s; the figure printed says what the default would take).
//
//	go test -run '^$' -bench InboxRead1000 -benchtime 1x ./inbox/
func BenchmarkInboxRead1000(b *testing.B) {
	const accounts, days = 1000, 30
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, shanghai)
	e := testenv.New(b, testenv.Options{WeChat: accounts, Start: start, YAML: "patrol: {calls_per_second: 50}"})
	ctx := context.Background()
	b.StopTimer()
	var wg sync.WaitGroup
	work := make(chan int)
	errs := make(chan error, 1)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				if err := publishDay(ctx, e, d, accounts); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for d := 0; d < days; d++ {
		work <- d
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	e.Clock.Set(start)
	for i := 0; i < b.N; i++ {
		ib := inbox.New(e.Config, e.Store, e.Queue, map[string]channels.InboxReader{configs.PlatformWeChat: e.WeChat}, e.Log, e.Clock.Now)
		b.StartTimer()
		t0 := time.Now()
		res := ib.Sync(ctx, nil)
		took := time.Since(t0)
		b.StopTimer()
		if len(res.Failed) > 0 {
			b.Fatalf("failed: %v", res.Failed)
		}
		calls := ib.Calls()
		perAccount := float64(calls) / accounts
		b.ReportMetric(float64(calls), "platform-calls")
		b.ReportMetric(took.Seconds(), "s")
		fmt.Printf("inbox read: %d accounts × %d days of articles: %d comment/list calls, %d new comments, %.1f s (%.0f calls/s); "+
			"at the default 5 calls/s per account and 16 accounts at once: about %.0f s\n",
			accounts, days, calls, len(res.Added), took.Seconds(), float64(calls)/took.Seconds(), perAccount/5*accounts/16)
		// The next read asks each article once more and stores nothing new.
		again := ib.Sync(ctx, nil)
		if len(again.Added) != 0 {
			b.Fatalf("a second read stored %d entries again", len(again.Added))
		}
	}
}

// publishDay publishes day d's article on every account: the platform has
// it (with its msg_data_id), and so does herald's store.
func publishDay(ctx context.Context, e *testenv.Env, d, accounts int) error {
	at := time.Date(2026, 11, 7, 9, 0, 0, 0, shanghai).AddDate(0, 0, d)
	targets := make([]storage.Target, accounts)
	for i := range targets {
		targets[i] = storage.Target{Account: fmt.Sprintf("wx%03d", i), Platform: "wechat"}
	}
	r := content.Revision{Title: fmt.Sprintf("第%d天的通知", d+1), Body: "<p>正文</p>"}
	r.Hash = r.ContentHash(content.KindArticle)
	id, err := e.Store.CreateItem(ctx, storage.NewItem{Item: content.Item{Kind: content.KindArticle, State: content.ItemPublishing, Priority: content.PriorityNormal},
		Revision: r, Targets: targets, Actor: "bench"})
	if err != nil {
		return err
	}
	ds, err := e.Store.Deliveries(ctx, id)
	if err != nil {
		return err
	}
	for i, dl := range ds {
		acct, _ := e.Config.Account(dl.Account)
		art, err := e.Sandbox.PlaceArticle(acct.AppID, sandbox.HandArticle{Title: r.Title, Content: r.Body, At: at})
		if err != nil {
			return err
		}
		if i%10 == d%10 {
			if _, err := e.Sandbox.LeaveComment(acct.AppID, art.MsgDataID, 0, "o-bench", "请问详情？", at.Add(time.Hour)); err != nil {
				return err
			}
		}
		att := fmt.Sprint("bench-", id, "-", i)
		if err := e.Store.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: dl.ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: att}); err != nil {
			return err
		}
		if err := e.Store.UpdateDelivery(ctx, storage.DeliveryUpdate{ID: dl.ID, From: content.DeliverySending, To: content.DeliveryPublished, AttemptID: att, URL: art.URL}); err != nil {
			return err
		}
		if err := e.Store.SaveMsgDataID(ctx, dl.ID, art.MsgDataID); err != nil {
			return err
		}
	}
	return nil
}
