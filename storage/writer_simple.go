//go:build herald_simplewriter

package storage

// simpleWriter is true: every write is a transaction of its own (the form
// group commit is measured against).
const simpleWriter = true
