package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/replica"
)

// BenchmarkReplicaCost prints what replication costs serve: the same
// fan-out (250 WeChat + 50 Weibo accounts, 32 workers, `herald sandbox
// --latency 50ms` in its own process) without replica.url and with a
// directory replica (sync_interval 1s), serve's CPU (from /proc) and wall
// time from the last signature to the item's end, and the replica's lag
// under that load (sampled from serve's status file every 50 ms).
//
//	flock /tmp/herald-heavy.lock go test -run '^$' -bench ReplicaCost -benchtime 1x ./cmd/herald/
func BenchmarkReplicaCost(b *testing.B) {
	bin := buildBench(b)
	for i := 0; i < b.N; i++ {
		off := replicaFanOut(b, bin, "")
		on := replicaFanOut(b, bin, "file://"+filepath.Join(b.TempDir(), "replica"))
		fmt.Printf("replication cost, 300 accounts: serve CPU %.2fs → %.2fs (%+.0f%%), fan-out wall %.2fs → %.2fs (%+.0f%%); replica lag under load: max %s, at the end %s\n",
			off.cpu.Seconds(), on.cpu.Seconds(), 100*(on.cpu.Seconds()/off.cpu.Seconds()-1),
			off.wall.Seconds(), on.wall.Seconds(), 100*(on.wall.Seconds()/off.wall.Seconds()-1),
			on.maxLag.Round(time.Millisecond), on.endLag.Round(time.Millisecond))
		b.ReportMetric(on.cpu.Seconds()/off.cpu.Seconds(), "cpu-ratio")
		b.ReportMetric(on.wall.Seconds()/off.wall.Seconds(), "wall-ratio")
		b.ReportMetric(float64(on.maxLag.Milliseconds()), "max-lag-ms")
	}
}

type fanOutCost struct {
	cpu, wall, maxLag, endLag time.Duration
}

func replicaFanOut(b *testing.B, bin, replicaURL string) fanOutCost {
	b.StopTimer()
	w := newReplicaWorld(b, bin, 250, 50, 32, 50*time.Millisecond, replicaURL)
	daemon := w.serve()
	out := w.herald("post", "add", "--kind", "article", "--title", "副本基准", "--body-file", filepath.Join(w.dir, "body.html"),
		"--image", filepath.Join(w.dir, "cover.png"), "--to", "all", "--at", "now")
	id, err := strconv.ParseInt(out, 10, 64)
	must(b, err)
	statusFile := filepath.Join(w.dataDir, replica.StatusFileName)
	cpu0 := procCPU(b, daemon.Process.Pid)
	b.StartTimer()
	start := time.Now()
	w.herald("post", "approve", "--as", "刘建国", "--secrecy-ok", out)
	var c fanOutCost
	deadline := time.Now().Add(5 * time.Minute)
	for {
		if replicaURL != "" {
			if st, err := replica.ReadStatus(statusFile); err == nil {
				c.maxLag = max(c.maxLag, st.Lag, st.MaxLag)
			}
		}
		if s := readRecord(b, w.dataDir).items[id]; s.Final() {
			if s != content.ItemDone {
				b.Errorf("item ended %s", s)
			}
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("item not done after 5 min\n%s", w.serveLog.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.wall = time.Since(start)
	b.StopTimer()
	c.cpu = procCPU(b, daemon.Process.Pid) - cpu0
	if replicaURL != "" {
		if st, err := replica.ReadStatus(statusFile); err == nil {
			c.endLag = st.Lag
			c.maxLag = max(c.maxLag, st.MaxLag)
		}
	}
	must(b, daemon.Process.Signal(syscall.SIGTERM))
	if err := daemon.Wait(); err != nil {
		b.Errorf("serve: %v", err)
	}
	fmt.Printf("  replica.url %q: serve CPU %.2fs, wall %.2fs\n", replicaURL, c.cpu.Seconds(), c.wall.Seconds())
	return c
}
