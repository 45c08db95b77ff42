package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/herald-gov/herald/configs"
)

// fakeClock is the robot's and the test robot's shared time; sleeping
// advances it.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// throttledRobot is a WeCom robot that takes 20 messages a minute and
// answers 45009 beyond that, counting what it accepted.
type throttledRobot struct {
	clock     *fakeClock
	mu        sync.Mutex
	accepted  []time.Time
	got       map[string]int
	throttled int
}

func (b *throttledRobot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var msg struct {
		Text struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	_ = json.NewDecoder(r.Body).Decode(&msg)
	b.mu.Lock()
	defer b.mu.Unlock()
	now, recent := b.clock.now(), 0
	for _, at := range b.accepted {
		if now.Sub(at) < time.Minute {
			recent++
		}
	}
	if recent >= 20 {
		b.throttled++
		w.Write([]byte(`{"errcode":45009,"errmsg":"api freq out of limit"}`))
		return
	}
	b.accepted = append(b.accepted, now)
	b.got[msg.Text.Content]++
	w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
}

// A robot throttled at 20 messages a minute, which someone else also posts
// to, gets every one of 60 messages exactly once: herald paces itself to
// the limit and retries a throttled message past the robot's window.
func TestThrottledRobotGetsEveryMessageOnce(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	bot := &throttledRobot{clock: clock, got: map[string]int{}}
	for range 15 { // another sender used most of this minute
		bot.accepted = append(bot.accepted, clock.now())
	}
	srv := httptest.NewServer(bot)
	defer srv.Close()
	r := NewRobot(configs.Notify{WebhookURL: srv.URL + "/cgi-bin/webhook/send?key=k"}, nil)
	r.now, r.sleep = clock.now, clock.sleep
	start := clock.now()
	for i := range 60 {
		if err := r.Send(context.Background(), fmt.Sprintf("消息 %d", i)); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	for i := range 60 {
		if n := bot.got[fmt.Sprintf("消息 %d", i)]; n != 1 {
			t.Errorf("message %d arrived %d times", i, n)
		}
	}
	if bot.throttled == 0 {
		t.Error("the robot never throttled: the test did not exercise 45009")
	}
	t.Logf("60 messages in %s (robot time), %d throttled answers", clock.now().Sub(start), bot.throttled)
}

// A robot that answers after the client's timeout may have got the
// message: Send says so (ErrMaybeSent) and does not send it again within a
// minute.
func TestTimedOutSendIsNotSentAgain(t *testing.T) {
	var mu sync.Mutex
	arrived := 0
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrived++
		mu.Unlock()
		<-release // answers only after the client gave up
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	defer srv.Close()
	defer close(release)
	r := NewRobot(configs.Notify{WebhookURL: srv.URL + "/send?key=k"}, &http.Client{Timeout: 50 * time.Millisecond})
	clock := &fakeClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	r.now, r.sleep = clock.now, clock.sleep
	if err := r.Send(context.Background(), "慢机器人"); !errors.Is(err, ErrMaybeSent) {
		t.Fatalf("timed-out send: %v", err)
	}
	clock.sleep(context.Background(), 30*time.Second)
	if err := r.Send(context.Background(), "慢机器人"); err != nil {
		t.Fatalf("repeat within a minute: %v", err)
	}
	mu.Lock()
	n := arrived
	mu.Unlock()
	if n != 1 {
		t.Fatalf("the robot got the message %d times within a minute", n)
	}
}
