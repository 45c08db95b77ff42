package storage

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Cleaned counts what CleanTemp removed.
type Cleaned struct {
	TempFiles    int // half-written files (".tmp-*") of a process that was killed
	OrphanImages int // image files no database row names (the row was never written)
}

// CleanTemp removes, under the media directory, temporary files and image
// files the database does not know, left by a process killed mid-write.
// Only files older than olderThan are touched, so that a command writing
// an image right now is not disturbed.
func (s *Store) CleanTemp(ctx context.Context, olderThan time.Duration) (Cleaned, error) {
	var c Cleaned
	known := map[string]bool{}
	rows, err := s.db.QueryContext(ctx, "SELECT path FROM images")
	if err != nil {
		return c, fmt.Errorf("storage: clean temporary files: %w", err)
	}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return c, fmt.Errorf("storage: clean temporary files: %w", err)
		}
		known[filepath.Clean(p)] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("storage: clean temporary files: %w", err)
	}
	cutoff := s.now().Add(-olderThan)
	err = filepath.WalkDir(s.mediaDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil || info.ModTime().After(cutoff) {
			return nil
		}
		rel, err := filepath.Rel(s.mediaDir, path)
		if err != nil {
			return nil
		}
		switch {
		case strings.HasPrefix(d.Name(), ".tmp-"):
			if os.Remove(path) == nil {
				c.TempFiles++
			}
		case !known[rel]:
			if os.Remove(path) == nil {
				c.OrphanImages++
			}
		}
		return nil
	})
	return c, err
}

// RemoveStaleTemp removes files in dir whose names start with prefix and
// that are older than olderThan: what an export or report killed mid-write
// left next to its output. It returns how many it removed.
func RemoveStaleTemp(dir, prefix string, olderThan time.Duration) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	cutoff := time.Now().Add(-olderThan)
	for _, e := range entries {
		if e.IsDir() || !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
			if os.Remove(filepath.Join(dir, e.Name())) == nil {
				n++
			}
		}
	}
	return n
}
