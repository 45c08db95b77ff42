package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/herald-gov/herald/content"
)

// Image is an image file held once by its content hash.
type Image struct {
	SHA256 string
	MIME   string
	Size   int64
	Width  int
	Height int
	// Path is the file's path on disk.
	Path string
}

// PutImage stores image bytes once by sha256 (sniffing the type from the
// bytes) and returns its record. Storing the same bytes again is a no-op.
// The file is written to a temporary name and renamed, so a crash never
// leaves a half-written image under its final name.
func (s *Store) PutImage(ctx context.Context, data []byte) (Image, error) {
	info, err := content.SniffImage(data)
	if err != nil {
		return Image{}, err
	}
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	if im, err := s.Image(ctx, h); err == nil {
		if _, statErr := os.Stat(im.Path); statErr == nil {
			return im, nil
		}
	} else if !errors.Is(err, ErrNotFound) {
		return Image{}, err
	}
	rel := filepath.Join(h[:2], h+info.Ext())
	full := filepath.Join(s.mediaDir, rel)
	if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
		return Image{}, fmt.Errorf("storage: image dir: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(full), ".tmp-*")
	if err != nil {
		return Image{}, fmt.Errorf("storage: write image: %w", err)
	}
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp.Name())
		return Image{}, fmt.Errorf("storage: write image: %w", err)
	}
	if err := os.Rename(tmp.Name(), full); err != nil {
		os.Remove(tmp.Name())
		return Image{}, fmt.Errorf("storage: write image: %w", err)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO images (sha256, mime, size, width, height, path, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO UPDATE SET path = excluded.path`,
		h, info.MIME, len(data), info.Width, info.Height, rel, ts(s.now()))
	if err != nil {
		return Image{}, fmt.Errorf("storage: record image: %w", err)
	}
	return Image{SHA256: h, MIME: info.MIME, Size: int64(len(data)), Width: info.Width, Height: info.Height, Path: full}, nil
}

// Image returns the image with the given sha256.
func (s *Store) Image(ctx context.Context, sha string) (Image, error) {
	var im Image
	var rel string
	err := s.queryRowCached(ctx, "SELECT sha256, mime, size, width, height, path FROM images WHERE sha256 = ?", sha).
		Scan(&im.SHA256, &im.MIME, &im.Size, &im.Width, &im.Height, &rel)
	if errors.Is(err, sql.ErrNoRows) {
		return im, fmt.Errorf("storage: image %s: %w", sha, ErrNotFound)
	}
	if err != nil {
		return im, fmt.Errorf("storage: image %s: %w", sha, err)
	}
	im.Path = filepath.Join(s.mediaDir, rel)
	return im, nil
}

// ImageBytes reads an image's bytes.
func (s *Store) ImageBytes(ctx context.Context, sha string) ([]byte, Image, error) {
	im, err := s.Image(ctx, sha)
	if err != nil {
		return nil, im, err
	}
	b, err := os.ReadFile(im.Path)
	if err != nil {
		return nil, im, fmt.Errorf("storage: read image %s: %w", sha, err)
	}
	return b, im, nil
}

// ImageData reads an image's bytes (the channels' view of ImageBytes). A
// fan-out uploads the same images to every account: recent ones are kept
// in memory (imageCacheBytes at most). The bytes must not be modified.
func (s *Store) ImageData(ctx context.Context, sha string) ([]byte, error) {
	s.images.mu.Lock()
	b, ok := s.images.m[sha]
	s.images.mu.Unlock()
	if ok {
		return b, nil
	}
	b, _, err := s.ImageBytes(ctx, sha)
	if err != nil || len(b) > imageCacheBytes/4 {
		return b, err
	}
	s.images.mu.Lock()
	defer s.images.mu.Unlock()
	if s.images.size+len(b) > imageCacheBytes {
		s.images.m, s.images.size = nil, 0
	}
	if s.images.m == nil {
		s.images.m = map[string][]byte{}
	}
	s.images.m[sha] = b
	s.images.size += len(b)
	return b, nil
}

// imageCacheBytes bounds the images ImageData keeps in memory.
const imageCacheBytes = 8 << 20

// imageCache is what ImageData keeps: images are stored by content hash,
// so an entry never goes stale.
type imageCache struct {
	mu   sync.Mutex
	m    map[string][]byte
	size int
}
