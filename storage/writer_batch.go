//go:build !herald_simplewriter

package storage

// simpleWriter is false: the writer commits waiting writes together (group
// commit). Build with -tags herald_simplewriter to measure the simple form.
const simpleWriter = false
