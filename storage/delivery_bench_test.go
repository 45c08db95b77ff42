package storage

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/herald-gov/herald/content"
)

// BenchmarkDeliveryWrites runs what the engine and the WeChat channel write
// and read for one article delivery (claim, token, two uploads recorded,
// the cancel check, draft and publish_id progress, the answer), for 3,000
// deliveries on 128 concurrent workers, and prints the process CPU per
// delivery (rusage) — the store's share of `herald serve`'s cost.
//
//	go test -run '^$' -bench DeliveryWrites -benchtime 1x ./storage/
func BenchmarkDeliveryWrites(b *testing.B) {
	for _, workers := range []int{1, 32, 128} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				deliveryWrites(b, 3000, workers)
			}
		})
	}
}

func deliveryWrites(b *testing.B, n, workers int) {
	b.StopTimer()
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	accts := make([]Account, n)
	targets := make([]Target, n)
	for i := range accts {
		accts[i] = Account{ID: fmt.Sprintf("wx%04d", i), Name: "公众号", Platform: "wechat"}
		targets[i] = Target{accts[i].ID, "wechat"}
	}
	if err := s.SyncAccounts(ctx, accts); err != nil {
		b.Fatal(err)
	}
	rev := content.Revision{Title: "标题", Body: "<p>正文</p>"}
	rev.Hash = rev.ContentHash(content.KindArticle)
	id, err := s.CreateItem(ctx, NewItem{Item: content.Item{Kind: content.KindArticle, State: content.ItemScheduled, Targets: "all"},
		Revision: rev, Actor: "编辑", Targets: targets})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.StartPublishing(ctx, id, targets, "all", "herald"); err != nil {
		b.Fatal(err)
	}
	ready, err := s.ReadyDeliveries(ctx, time.Now(), n)
	if err != nil || len(ready) != n {
		b.Fatalf("ready %d: %v", len(ready), err)
	}
	work := make(chan ReadyDelivery)
	var wg sync.WaitGroup
	cpu0 := rusageCPU()
	b.StartTimer()
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				if err := oneDelivery(ctx, s, r); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	for _, r := range ready {
		work <- r
	}
	close(work)
	wg.Wait()
	wall := time.Since(start)
	b.StopTimer()
	cpu := rusageCPU() - cpu0
	b.ReportMetric(float64(cpu.Microseconds())/float64(n)/1000, "cpu-ms/delivery")
	b.ReportMetric(float64(wall.Microseconds())/float64(n)/1000, "wall-ms/delivery")
}

func oneDelivery(ctx context.Context, s *Store, r ReadyDelivery) error {
	attempt := fmt.Sprintf("a%d", r.ID)
	if err := s.UpdateDelivery(ctx, DeliveryUpdate{ID: r.ID, From: content.DeliveryPending, To: content.DeliverySending,
		AttemptID: attempt, Detail: "pending → sending: attempt " + attempt}); err != nil {
		return err
	}
	if _, err := s.GetValue(ctx, "wechat_token:"+r.Account); err != nil && err != ErrNotFound {
		_ = err
	}
	if err := s.SetValue(ctx, "wechat_token:"+r.Account, "token-value", 2*time.Hour); err != nil {
		return err
	}
	for _, kind := range []string{"wechat_material", "wechat_uploadimg"} {
		_, _, _ = s.Media(ctx, r.Account, "0123456789abcdef", kind)
		if err := s.SaveMedia(ctx, r.Account, "0123456789abcdef", kind, "media-id", "https://mmbiz.qpic.cn/x"); err != nil {
			return err
		}
	}
	if err := s.SaveProgress(ctx, r.ID, attempt, "v1 draft=MEDIA"); err != nil {
		return err
	}
	if _, err := s.CancelRequested(ctx, r.ItemID); err != nil {
		return err
	}
	if err := s.SaveProgress(ctx, r.ID, attempt, "v1 draft=MEDIA publish=123"); err != nil {
		return err
	}
	return s.UpdateDelivery(ctx, DeliveryUpdate{ID: r.ID, From: content.DeliverySending, To: content.DeliveryPublished,
		AttemptID: attempt, RemoteID: "123", URL: "https://mp.weixin.qq.com/s/x"})
}

func rusageCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
