package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"
)

// WakeSocket is the Unix socket in data_dir through which another herald
// process (the CLI after `post add`, `post approve`, `accounts check`, …)
// wakes the daemon, so that new work starts at once instead of at the next
// poll of the database (Options.PollEvery, kept as the fallback).
const WakeSocket = "herald-wake.sock"

// maxSocketPath is the longest path a Unix socket may have on Linux.
const maxSocketPath = 107

// ListenWake listens on dataDir's wake socket and calls wake for every
// connection, until ctx ends. A data_dir whose path is too long for a
// socket gets no socket: the daemon then relies on the poll.
func ListenWake(ctx context.Context, dataDir string, wake func(), log *slog.Logger) error {
	path := filepath.Join(dataDir, WakeSocket)
	if len(path) > maxSocketPath {
		log.Warn("data_dir path too long for the wake socket; changes by the CLI are noticed by polling", "path", path)
		return nil
	}
	_ = os.Remove(path) // left by a daemon that was killed
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("scheduler: wake socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("scheduler: wake socket %s: %w", path, err)
	}
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				if !errors.Is(err, net.ErrClosed) {
					log.Warn("wake socket", "err", err)
				}
				return
			}
			c.Close()
			wake()
		}
	}()
	return nil
}

// NotifyWake wakes the daemon serving dataDir, if one runs. It never fails:
// without a daemon (or a socket) there is nobody to wake, and the daemon's
// poll notices the change anyway.
func NotifyWake(dataDir string) {
	path := filepath.Join(dataDir, WakeSocket)
	if len(path) > maxSocketPath {
		return
	}
	c, err := net.DialTimeout("unix", path, 200*time.Millisecond)
	if err != nil {
		return
	}
	c.Close()
}
