//go:build !unix

package storage

import "os"

// tryLock: herald runs on Linux; elsewhere the data directory is not locked.
func tryLock(*os.File) (bool, error) { return false, nil }

func unlock(*os.File) error { return nil }
