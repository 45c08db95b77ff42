// Package measure holds helpers the benchmarks share to report what they
// measure.
package measure

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// PeakRSS returns this process's peak resident set size in bytes, from
// /proc/self/status (Linux); 0 where that is not available.
func PeakRSS() int64 { return peakRSS("/proc/self/status") }

// PeakRSSOf returns process pid's peak resident set size in bytes, from
// /proc/PID/status (Linux); 0 where that is not available.
func PeakRSSOf(pid int) int64 { return peakRSS(fmt.Sprintf("/proc/%d/status", pid)) }

func peakRSS(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// CPUOf returns process pid's user+system CPU time so far, from
// /proc/PID/stat (Linux).
func CPUOf(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(raw)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("measure: /proc/%d/stat has %d fields after the name", pid, len(fields))
	}
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	const hz = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / hz, nil
}
