package replica

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// markerKey names the object that says which database a replica is of.
const markerKey = "herald-replica.json"

// marker is the replica's identity.
type marker struct {
	DatabaseID string    `json:"database_id"`
	CreatedAt  time.Time `json:"created_at"`
}

// ErrOtherDatabase is returned when a replica destination already holds the
// replica of another database (another office's, or a database made anew).
var ErrOtherDatabase = errors.New("replica: the destination holds another database's replica")

// readMarker returns the destination's marker; ok false when it has none.
func readMarker(ctx context.Context, d *destination) (m marker, ok bool, err error) {
	rc, err := d.objs.get(ctx, markerKey)
	if errors.Is(err, fs.ErrNotExist) {
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 1<<16))
	if err != nil {
		return m, false, err
	}
	if err := json.Unmarshal(b, &m); err != nil || m.DatabaseID == "" {
		return m, false, fmt.Errorf("replica: %s in %s is not herald's marker", markerKey, d.display)
	}
	return m, true, nil
}

// claim makes sure the destination is this database's replica: it writes
// the marker into an empty destination (fresh), accepts its own, and
// refuses one that holds another database's replica (or Litestream files
// with no marker, whose database nobody can tell).
func claim(ctx context.Context, d *destination, databaseID string) (fresh bool, err error) {
	m, ok, err := readMarker(ctx, d)
	if err != nil {
		return false, err
	}
	if ok {
		if m.DatabaseID != databaseID {
			return false, fmt.Errorf("%w: %s is the replica of database %s, this one is %s", ErrOtherDatabase, d.display, m.DatabaseID, databaseID)
		}
		return false, nil
	}
	if keys, err := d.objs.list(ctx, "ltx"); err != nil {
		return false, err
	} else if len(keys) > 0 {
		return false, fmt.Errorf("%w: %s holds a replica with no herald marker", ErrOtherDatabase, d.display)
	}
	b, _ := json.Marshal(marker{DatabaseID: databaseID, CreatedAt: time.Now().UTC()})
	tmp, err := os.CreateTemp("", "herald-marker-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	return true, d.objs.put(ctx, markerKey, filepath.Clean(tmp.Name()))
}
