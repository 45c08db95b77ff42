package notify

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"
)

// Robot limits (WeCom's group robot: 20 messages a minute, errcode 45009
// when exceeded; DingTalk's: 20 a minute as well).
const (
	// RobotPerMinute is how many messages a robot takes in a minute.
	RobotPerMinute = 20
	// robotWindow is the robot's counting window, with a margin for the
	// two clocks.
	robotWindow = 61 * time.Second
	// throttledFor is how long a throttled message is retried (45009):
	// well past the robot's window, which others posting to the same robot
	// may be filling too.
	throttledFor = 10 * time.Minute
	// maybeSentFor is how long a message whose send timed out is not sent
	// again: it may have arrived.
	maybeSentFor = time.Minute
)

// pacer keeps a robot's messages under its limit: at most RobotPerMinute in
// any window of robotWindow, counted from when each was sent. It also
// remembers messages whose send timed out.
type pacer struct {
	mu    sync.Mutex
	sent  []time.Time            // send times within the window, oldest first
	maybe map[[32]byte]time.Time // text hash → when a send of it timed out
}

// wait blocks until a message may go out at now() without exceeding the
// limit, and counts it as sent then.
func (p *pacer) wait(ctx context.Context, now func() time.Time, sleep func(context.Context, time.Duration) error) error {
	for {
		p.mu.Lock()
		t := now()
		for len(p.sent) > 0 && t.Sub(p.sent[0]) >= robotWindow {
			p.sent = p.sent[1:]
		}
		if len(p.sent) < RobotPerMinute {
			p.sent = append(p.sent, t)
			p.mu.Unlock()
			return nil
		}
		d := robotWindow - t.Sub(p.sent[0])
		p.mu.Unlock()
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// full marks the window as used up from now (the robot said so: others
// post to it too).
func (p *pacer) full(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent = p.sent[:0]
	for range RobotPerMinute {
		p.sent = append(p.sent, t)
	}
}

// timedOut remembers that a send of text timed out at t.
func (p *pacer) timedOut(text string, t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.maybe == nil {
		p.maybe = map[[32]byte]time.Time{}
	}
	for k, at := range p.maybe {
		if t.Sub(at) >= maybeSentFor {
			delete(p.maybe, k)
		}
	}
	p.maybe[sha256.Sum256([]byte(text))] = t
}

// mayHaveArrived reports whether a send of text timed out less than
// maybeSentFor before t.
func (p *pacer) mayHaveArrived(text string, t time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	at, ok := p.maybe[sha256.Sum256([]byte(text))]
	return ok && t.Sub(at) < maybeSentFor
}
