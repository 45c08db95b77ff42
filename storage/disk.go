package storage

import (
	"errors"
	"syscall"
)

// IsDiskFull reports whether err says the disk (or the database) is full:
// SQLite's SQLITE_FULL or the system's ENOSPC.
func IsDiskFull(err error) bool {
	var coded interface{ Code() int }
	if errors.As(err, &coded) && coded.Code()&0xff == 13 { // SQLITE_FULL and its extended codes
		return true
	}
	return errors.Is(err, syscall.ENOSPC)
}

// IsIOError reports whether err is SQLite's SQLITE_IOERR (any extended
// code): on a full disk SQLite may say that rather than SQLITE_FULL, e.g.
// when its shared-memory file cannot grow (SQLITE_IOERR_SHMSIZE).
func IsIOError(err error) bool {
	var coded interface{ Code() int }
	return errors.As(err, &coded) && coded.Code()&0xff == 10
}

// FreeBytes returns how many bytes an unprivileged process may still write
// on the file system holding dir.
func FreeBytes(dir string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return st.Bavail * uint64(st.Bsize), nil
}
