package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/internal/testenv"
)

// startServe runs serve's daemon in-process on a config with extra keys.
func startServe(t *testing.T, extra string) *daemon {
	t.Helper()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "herald.yaml")
	text := fmt.Sprintf("data_dir: %s\nlisten: 127.0.0.1:0\nreview: {levels: []}\n%s", filepath.Join(dir, "data"), extra)
	if err := os.WriteFile(cfgPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := configs.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := newDaemon(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.run(ctx, log) }()
	t.Cleanup(func() { cancel(); <-done })
	return d
}

// A client trickling a request body to the login form is cut off once
// http.read_timeout has passed (60 s by default; 2 s here), instead of
// holding its connection for as long as it likes.
func TestSlowBodyClientIsCutOff(t *testing.T) {
	d := startServe(t, "http: {read_timeout: 2s}\n")
	c, err := net.Dial("tcp", d.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	fmt.Fprintf(c, "POST /console/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n")
	cut := make(chan time.Duration, 1)
	go func() { // the server closing the connection ends this read
		io.Copy(io.Discard, c)
		cut <- time.Since(start)
	}()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case took := <-cut:
			t.Logf("slow client cut off after %s", took.Round(100*time.Millisecond))
			if took > 10*time.Second {
				t.Fatalf("cut off only after %s", took)
			}
			return
		case <-tick.C:
			if time.Since(start) > 20*time.Second {
				t.Fatal("a client trickling its body held the connection for 20 s")
			}
			c.Write([]byte("a")) // one byte at a time
		}
	}
}

// One address may hold only http.max_conns_per_ip connections.
func TestConnectionsPerAddressAreCapped(t *testing.T) {
	d := startServe(t, "http: {max_conns_per_ip: 3}\n")
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for i := 0; i < 3; i++ {
		c, err := net.Dial("tcp", d.ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	extra, err := net.Dial("tcp", d.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	fmt.Fprintf(extra, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	extra.SetReadDeadline(time.Now().Add(5 * time.Second))
	if b, _ := io.ReadAll(extra); len(b) > 0 { // closed (EOF or reset) unanswered
		t.Fatalf("the fourth connection was served: %q", b)
	}
	// Closing one makes room again.
	held[0].Close()
	held = held[1:]
	testenv.Eventually(t, "room for a connection after one closed", func() bool {
		again, err := net.Dial("tcp", d.ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer again.Close()
		fmt.Fprintf(again, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		again.SetReadDeadline(time.Now().Add(5 * time.Second))
		b, _ := io.ReadAll(again)
		return len(b) > 0
	})
}
