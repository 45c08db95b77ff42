package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
)

// TestDemoReachesReady runs `herald demo` as a user would and checks, on the
// sandbox's introspection endpoint, that its items really went out.
func TestDemoReachesReady(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess demo test")
	}
	bin := buildHerald(t)
	cmd := exec.Command(bin, "demo")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var sandboxURL, consoleURL, patrolLine, inboxLine, policyLine string
	var printed []string
	timeout := time.After(60 * time.Second)
wait:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("demo exited before ready")
			}
			printed = append(printed, l)
			if m := regexp.MustCompile(`see (http://127\.0\.0\.1:\d+)/_sandbox/state`).FindStringSubmatch(l); m != nil {
				sandboxURL = m[1]
			}
			if strings.HasPrefix(l, "patrol:") {
				patrolLine = l
			}
			if strings.HasPrefix(l, "inbox:") {
				inboxLine = l
			}
			if strings.HasPrefix(l, "policies:") && policyLine == "" {
				policyLine = l
			}
			if strings.Contains(l, "ready") {
				m := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(l)
				consoleURL = m
				break wait
			}
		case <-timeout:
			t.Fatal("no ready line within 60 s")
		}
	}
	t.Logf("ready after %s", time.Since(start))
	if sandboxURL == "" || consoleURL == "" {
		t.Fatalf("sandbox %q console %q", sandboxURL, consoleURL)
	}
	if !strings.Contains(patrolLine, " 2 findings") { // the two pieces published by hand with errors
		t.Errorf("patrol line %q", patrolLine)
	}
	// The county site's four documents, read through the policies package.
	if policyLine != "policies: 4 documents read from the county site" {
		t.Errorf("policies line %q", policyLine)
	}
	// Three comments, two messages, a Weibo comment and a mention; one comment overdue.
	if !strings.Contains(inboxLine, "7 entries to answer, 1 overdue (5 read from the platforms") {
		t.Errorf("inbox line %q", inboxLine)
	}
	resp, err := http.Get(sandboxURL + "/_sandbox/state")
	if err != nil {
		t.Fatal(err)
	}
	var st sandbox.State
	err = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	articles, posts := 0, 0
	kinds := map[string]bool{}
	for _, w := range st.WeChat {
		articles += len(w.Published)
		for _, p := range w.Published {
			kinds[p.ArticleType] = true
		}
	}
	for _, w := range st.Weibo {
		posts += len(w.Posts)
	}
	if articles < 9 || posts < 3 || !kinds["newspic"] || !kinds["news"] {
		t.Fatalf("on the platform: %d articles %v, %d posts", articles, kinds, posts)
	}
	// The summary shows every Weibo account's followers: today's snapshot,
	// equal to the platform's own figure for the day printed.
	weiboShown := 0
	for i, acct := range demoMatrix().accounts {
		if acct.platform != "weibo" {
			continue
		}
		uid := fmt.Sprintf("73100%05d", i)
		for _, l := range printed {
			f := strings.Fields(l)
			if len(f) != 4 || f[0] != acct.id {
				continue
			}
			resp, err := http.Get(sandboxURL + "/_sandbox/figures?account=" + uid + "&date=" + f[3])
			if err != nil {
				t.Fatal(err)
			}
			var fig sandbox.DayFigures
			err = json.NewDecoder(resp.Body).Decode(&fig)
			resp.Body.Close()
			if err != nil || f[2] != strconv.Itoa(fig.Followers) {
				t.Fatalf("%s: the demo shows %s followers on %s, the platform %d (%v)", acct.id, f[2], f[3], fig.Followers, err)
			}
			weiboShown++
		}
	}
	if weiboShown != 3 {
		t.Fatalf("the demo shows followers of %d of 3 Weibo accounts:\n%s", weiboShown, strings.Join(printed, "\n"))
	}
	page, err := http.Get(consoleURL)
	if err != nil || page.StatusCode != 200 {
		t.Fatalf("console: %v", err)
	}
	page.Body.Close()
	// Ctrl-C stops everything cleanly.
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for range lines {
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("demo after Ctrl-C: %v", err)
	}
}
