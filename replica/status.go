package replica

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Replication states.
const (
	StateOff      = "off"      // no replica.url
	StateStarting = "starting" // not yet in touch with the replica
	StateOK       = "ok"       // the replica has everything the last round saw
	StateBehind   = "behind"   // the last round failed: the replica lags
	StateRefused  = "refused"  // the destination holds another database's replica
)

// Status is what the admin is shown of replication.
type Status struct {
	URL          string        `json:"url"`
	State        string        `json:"state"`
	SyncInterval time.Duration `json:"sync_interval_ns"`
	// LocalTXID is the database's last transaction Litestream has read;
	// ReplicaTXID the last one the replica holds.
	LocalTXID   uint64 `json:"local_txid"`
	ReplicaTXID uint64 `json:"replica_txid"`
	// LastSync is when the replica last caught up.
	LastSync time.Time `json:"last_sync"`
	// SyncedAsOf: everything committed before it is in the replica (the
	// start of the last round that caught up).
	SyncedAsOf time.Time `json:"synced_as_of"`
	// Lag is how long the oldest transaction not yet in the replica has
	// waited (0 when it has everything).
	Lag time.Duration `json:"lag_ns"`
	// Error is why the last round failed, in one line ("" when it did not).
	Error     string    `json:"error,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
	// MaxLag is the largest lag seen since start.
	MaxLag time.Duration `json:"max_lag_ns"`

	behindSince time.Time
}

// Status returns the current status, its lag computed now.
func (r *Replicator) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.status
	if !st.behindSince.IsZero() {
		st.Lag = time.Since(st.behindSince)
	}
	return st
}

func (r *Replicator) succeed(ctx context.Context, start time.Time, replicaTXID, localTXID uint64) {
	r.mu.Lock()
	now := time.Now()
	changed := r.status.ReplicaTXID != replicaTXID || r.status.State != StateOK
	r.status.ReplicaTXID = replicaTXID
	r.status.Error = ""
	r.status.State = StateOK
	if replicaTXID >= localTXID {
		if !r.status.behindSince.IsZero() {
			r.status.MaxLag = max(r.status.MaxLag, now.Sub(r.status.behindSince))
		}
		r.status.behindSince = time.Time{}
		r.status.LastSync = now
		r.status.SyncedAsOf = start
	}
	recovered := r.alerted
	r.alerted = false
	r.mu.Unlock()
	if changed { // an idle round rewrites nothing; Run's watcher refreshes the file
		r.publish()
	}
	if recovered {
		r.log.Info("replica caught up")
		r.alert(ctx, "【副本】数据库副本已恢复同步："+r.dest.display)
	}
}

func (r *Replicator) fail(ctx context.Context, err error) {
	msg := Describe(err)
	r.mu.Lock()
	now := time.Now()
	first := r.status.Error == ""
	r.status.Error = msg
	r.status.State = StateBehind
	if errors.Is(err, ErrOtherDatabase) {
		r.status.State = StateRefused
	}
	if r.status.behindSince.IsZero() {
		r.status.behindSince = now
	}
	lag := now.Sub(r.status.behindSince)
	r.status.MaxLag = max(r.status.MaxLag, lag)
	tell := !r.alerted && (lag >= r.lagAlert || r.status.State == StateRefused)
	if tell {
		r.alerted = true
	}
	r.mu.Unlock()
	r.publish()
	if first || tell {
		r.log.Error("replication failed", "err", msg)
	}
	if tell {
		r.alert(ctx, fmt.Sprintf("【副本】数据库副本已落后 %s 未同步（%s）：%s", lag.Round(time.Second), r.dest.display, msg))
	}
}

// checkLag tells the admin when replication is slow although no round failed.
func (r *Replicator) checkLag(ctx context.Context) {
	st := r.Status()
	r.mu.Lock()
	tell := !r.alerted && st.Lag >= r.lagAlert
	if tell {
		r.alerted = true
	}
	r.mu.Unlock()
	if tell {
		r.log.Warn("replica lags", "lag", st.Lag.String())
		r.alert(ctx, fmt.Sprintf("【副本】数据库副本已落后 %s（%s）", st.Lag.Round(time.Second), r.dest.display))
	}
}

func (r *Replicator) alert(ctx context.Context, text string) {
	if r.Alert != nil {
		r.Alert(ctx, text)
	}
}

// publish writes the status file (when set), whole or not at all.
func (r *Replicator) publish() {
	if r.StatusFile == "" {
		return
	}
	st := r.Status()
	st.UpdatedAt = time.Now()
	if err := WriteStatus(r.StatusFile, st); err != nil {
		r.log.Warn("could not write the replica status file", "err", err)
	}
}

// WriteStatus writes st to path atomically.
func WriteStatus(path string, st Status) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-status-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ReadStatus reads a status file written by serve.
func ReadStatus(path string) (Status, error) {
	var st Status
	b, err := os.ReadFile(path)
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(b, &st)
}

// StatusFileName is the status file's name in the data directory.
const StatusFileName = "replica-status.json"
