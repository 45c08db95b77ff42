package replica

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/herald-gov/herald/configs"
)

const testSecret = "S3CRET-never-in-a-log"

// fakeS3 serves an S3-compatible API (gofakes3, in memory) on loopback with
// one bucket.
func fakeS3(t *testing.T, ln net.Listener) *httptest.Server {
	t.Helper()
	be := s3mem.New()
	if err := be.CreateBucket("herald"); err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: gofakes3.New(be).Server()}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// noCABundle clears AWS_CA_BUNDLE: Litestream's S3 client gives the AWS SDK
// an *http.Client, to which the SDK cannot add that bundle's roots (loading
// its config fails); a loopback server over http needs none.
func noCABundle(t *testing.T) { t.Setenv("AWS_CA_BUNDLE", "") }

func s3Config(endpoint string) configs.Replica {
	return configs.Replica{URL: "s3://herald/office/db", Endpoint: endpoint, AccessKeyID: "AKIDHERALD", SecretAccessKey: testSecret,
		SyncInterval: 100 * time.Millisecond}
}

func TestReplicateToS3AndRestore(t *testing.T) {
	noCABundle(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := fakeS3(t, ln)
	exerciseRoundTrip(t, s3Config(srv.URL))
}

// syncBuffer is a log sink safe for the replicator's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// An unreachable replica: the database keeps taking writes, the replicator
// retries, the admin is told once the lag passes the alert threshold, and
// told again when the replica is back and has caught up. The secret access
// key is in no log line and no status.
func TestUnreachableReplicaIsRetriedAndTold(t *testing.T) {
	noCABundle(t)
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing answers there yet
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	st := openStore(t, filepath.Join(t.TempDir(), "data"))
	defer st.Close()
	r, err := New(s3Config("http://"+addr), st, log)
	if err != nil {
		t.Fatal(err)
	}
	r.lagAlert = 300 * time.Millisecond
	var mu sync.Mutex
	var told []string
	r.Alert = func(_ context.Context, text string) {
		mu.Lock()
		told = append(told, text)
		mu.Unlock()
	}
	said := func(sub string) bool {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range told {
			if strings.Contains(s, sub) {
				return true
			}
		}
		return false
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(rctx) }()
	defer func() { cancel(); <-done; _ = r.Close(ctx) }()

	for i := range 20 { // serve keeps working while the replica is away
		if err := st.SetValue(ctx, "k", string(rune('a'+i)), 0); err != nil {
			t.Fatalf("write while the replica is unreachable: %v", err)
		}
	}
	waitFor(t, "the admin to be told of the lag", 20*time.Second, func() bool { return said("落后") })
	if s := r.Status(); s.State != StateBehind || s.Error == "" || s.Lag < r.lagAlert {
		t.Fatalf("status while unreachable: %+v", s)
	}

	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("could not listen on %s again: %v", addr, err)
	}
	fakeS3(t, ln)
	waitFor(t, "the replica to catch up", 60*time.Second, func() bool { return r.Status().State == StateOK && said("恢复") })
	caughtUp(t, r)
	if strings.Contains(logs.String(), testSecret) {
		t.Fatal("the secret access key is in the log")
	}
	if strings.Contains(r.Status().Error, testSecret) {
		t.Fatal("the secret access key is in the status")
	}
	for _, s := range told {
		if strings.Contains(s, testSecret) {
			t.Fatal("the secret access key was sent to the robot")
		}
	}
}
