package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockFile is the lock file's name inside data_dir.
const LockFile = "herald.lock"

// ErrLocked is returned when another process holds the data directory.
var ErrLocked = errors.New("data directory in use")

// LockedError says which process holds the data directory.
type LockedError struct {
	Dir string
	PID int // 0 if the holder did not write it
}

func (e *LockedError) Error() string {
	who := "另一个 herald 进程"
	if e.PID > 0 {
		who = fmt.Sprintf("另一个 herald 进程（PID %d）", e.PID)
	}
	return fmt.Sprintf("数据目录 %s 正由%s使用：同一数据目录只能运行一个 herald serve，请先停止它或换一个 data_dir", e.Dir, who)
}

func (e *LockedError) Unwrap() error { return ErrLocked }

// DirLock is an exclusive lock on a data directory, held until Unlock or
// the process ends (the kernel drops it when the process dies, so a killed
// daemon never leaves a stale lock).
type DirLock struct{ dir, f *os.File }

// LockDir takes the exclusive lock on dataDir and writes this process's id
// into dataDir/herald.lock. The lock is a flock on the directory itself,
// which a stray `rm herald.lock` cannot take away (rm leaves a non-empty
// directory alone), and on herald.lock as well, which earlier versions
// locked. If another process holds either, the error is a *LockedError
// naming that process's id.
func LockDir(dataDir string) (*DirLock, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("storage: create data dir: %w", err)
	}
	path := filepath.Join(dataDir, LockFile)
	locked := func() error {
		b, _ := os.ReadFile(path)
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		return &LockedError{Dir: dataDir, PID: pid}
	}
	d, err := os.Open(dataDir)
	if err != nil {
		return nil, fmt.Errorf("storage: lock data dir: %w", err)
	}
	busy, err := tryLock(d)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("storage: lock %s: %w", dataDir, err)
	}
	if busy {
		d.Close()
		return nil, locked()
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("storage: lock file: %w", err)
	}
	busy, err = tryLock(f)
	if err != nil || busy {
		f.Close()
		d.Close()
		if err != nil {
			return nil, fmt.Errorf("storage: lock %s: %w", path, err)
		}
		return nil, locked()
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &DirLock{dir: d, f: f}, nil
}

// Unlock releases the lock.
func (l *DirLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := errors.Join(unlock(l.f), l.f.Close(), unlock(l.dir), l.dir.Close())
	l.f, l.dir = nil, nil
	return err
}
