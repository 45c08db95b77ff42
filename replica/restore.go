package replica

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/benbjohnson/litestream"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// RestoredFile is the file herald restore leaves in the data directory it
// made. serve reads it, looks up every delivery that is not final on its
// platform before anything is sent (storage.ReconcileRestored), and
// removes it.
const RestoredFile = "RESTORED"

// Restored is what RestoredFile records.
type Restored struct {
	From string `json:"from"`
	// LastTx is when the restored database's last transaction was committed.
	LastTx     time.Time `json:"last_tx"`
	TXID       uint64    `json:"txid"`
	RestoredAt time.Time `json:"restored_at"`
}

// Result is what a restore made.
type Result struct {
	Restored
	DataDir    string
	Items      int
	Deliveries int
	Media      int
}

// ErrNotEmpty: the target data directory already holds something.
var ErrNotEmpty = errors.New("replica: the data directory is not empty")

// ErrTooEarly: --at is before the replica's first snapshot.
type ErrTooEarly struct{ At, First time.Time }

func (e *ErrTooEarly) Error() string {
	return fmt.Sprintf("replica: %s is before the first snapshot (%s)", e.At.Format(time.RFC3339), e.First.Format(time.RFC3339))
}

// Restore builds dataDir from the replica at cfg.URL: the database as of
// at (zero: the latest position) and the media files it names. It refuses a
// non-empty dataDir. Everything is made in a temporary directory beside
// dataDir and renamed into place at the end, so an interrupted restore
// leaves nothing at dataDir.
func Restore(ctx context.Context, cfg configs.Replica, dataDir string, at time.Time, log *slog.Logger) (res Result, err error) {
	res.DataDir = dataDir
	if ents, err := os.ReadDir(dataDir); err == nil && len(ents) > 0 {
		return res, fmt.Errorf("%w: %s", ErrNotEmpty, dataDir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return res, err
	}
	d, err := openDestination(cfg)
	if err != nil {
		return res, err
	}
	if _, ok, err := readMarker(ctx, d); err != nil {
		return res, fmt.Errorf("无法读取副本 %s：%s", d.display, Describe(err))
	} else if !ok {
		return res, fmt.Errorf("%s 中没有 herald 的副本（缺少 %s）：请检查 --from 是否写对", d.display, markerKey)
	}
	if err := d.client.Init(ctx); err != nil {
		return res, err
	}
	r := litestream.NewReplicaWithClient(nil, d.client)
	first, last, err := r.TimeBounds(ctx)
	if err != nil {
		return res, fmt.Errorf("无法读取副本 %s：%s", d.display, Describe(err))
	}
	if first.IsZero() {
		return res, fmt.Errorf("副本 %s 中还没有快照：等 herald serve 完成第一次复制后再恢复", d.display)
	}
	if !at.IsZero() && at.Before(first) {
		return res, &ErrTooEarly{At: at, First: first}
	}
	if !at.IsZero() && !at.Before(last) {
		at = time.Time{} // at or after the last transaction: the latest
	}

	parent := filepath.Dir(filepath.Clean(dataDir))
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return res, err
	}
	// Left by a restore that was killed: never used, never at dataDir.
	if old, _ := filepath.Glob(filepath.Join(parent, "."+filepath.Base(dataDir)+".restoring-*")); len(old) > 0 {
		for _, o := range old {
			_ = os.RemoveAll(o)
		}
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dataDir)+".restoring-")
	if err != nil {
		return res, err
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(tmp)
		}
	}()
	opt := litestream.NewRestoreOptions()
	opt.OutputPath = filepath.Join(tmp, storage.DBFile)
	opt.Timestamp = at
	plan, err := litestream.CalcRestorePlan(ctx, d.client, 0, at, log)
	if err != nil {
		return res, fmt.Errorf("replica: plan the restore: %w", err)
	}
	if len(plan) > 0 {
		last := plan[len(plan)-1]
		res.TXID = uint64(last.MaxTXID)
		if hdr, err := litestream.FetchLTXHeader(ctx, d.client, last); err == nil && hdr.Timestamp > 0 {
			res.LastTx = time.UnixMilli(hdr.Timestamp).UTC()
		} else {
			res.LastTx = last.CreatedAt
		}
	}
	if err := r.Restore(ctx, opt); err != nil {
		return res, fmt.Errorf("replica: restore the database: %w", err)
	}
	_ = os.Remove(litestream.TXIDPath(opt.OutputPath))
	st, err := storage.Open(ctx, tmp)
	if err != nil {
		return res, err
	}
	n, err := fetchMedia(ctx, d, st)
	res.Media = n
	if err == nil {
		var c storage.QueueCounts
		c, err = st.CountQueue(ctx)
		for _, v := range c.Items {
			res.Items += v
		}
		for _, v := range c.Deliveries {
			res.Deliveries += v
		}
	}
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return res, err
	}
	res.From = d.display
	res.RestoredAt = time.Now().UTC()
	b, _ := json.MarshalIndent(res.Restored, "", "  ")
	if err := os.WriteFile(filepath.Join(tmp, RestoredFile), b, 0o600); err != nil {
		return res, err
	}
	if err := os.Chmod(tmp, 0o700); err != nil {
		return res, err
	}
	// An empty dataDir is replaced; a non-empty one was refused above.
	if err := os.Rename(tmp, dataDir); err != nil {
		return res, fmt.Errorf("replica: move the restored data into %s: %w", dataDir, err)
	}
	return res, nil
}

// fetchMedia downloads the media files the restored database names,
// checking each against its content hash.
func fetchMedia(ctx context.Context, d *destination, st *storage.Store) (int, error) {
	n := 0
	var seq int64
	for {
		files, err := st.MediaAfter(ctx, seq, 256)
		if err != nil {
			return n, err
		}
		for _, f := range files {
			seq = f.Seq
			if err := fetchOne(ctx, d, "media/"+filepath.ToSlash(f.Rel), filepath.Join(st.MediaDir(), f.Rel), f.SHA256); err != nil {
				return n, fmt.Errorf("replica: media file %s: %w", f.Rel, err)
			}
			n++
		}
		if len(files) < 256 {
			return n, nil
		}
	}
}

func fetchOne(ctx context.Context, d *destination, key, dst, sum string) error {
	rc, err := d.objs.get(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	h := sha256.New()
	_, werr := io.Copy(io.MultiWriter(f, h), rc)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return fmt.Errorf("content does not match its hash (replica damaged)")
	}
	return nil
}

// ReadRestored reads dataDir's RestoredFile; ok false when there is none.
func ReadRestored(dataDir string) (r Restored, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dataDir, RestoredFile))
	if errors.Is(err, fs.ErrNotExist) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	return r, true, json.Unmarshal(b, &r)
}

// DoneRestored removes dataDir's RestoredFile once its deliveries were
// handed to the lookups.
func DoneRestored(dataDir string) error {
	err := os.Remove(filepath.Join(dataDir, RestoredFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
