package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/internal/testenv"
	"github.com/herald-gov/herald/replica"
	"github.com/herald-gov/herald/storage"
)

// replicaWorld is a config on disk for serve subprocesses: a `herald
// sandbox` process as the platforms (with latency), nWeChat + nWeibo
// accounts, one review level, and replica.url when replicaURL is set.
type replicaWorld struct {
	t               testing.TB
	bin, dir, cfg   string
	dataDir, sbAddr string
	listen          string
	nWeChat, nWeibo int
	sandbox         *exec.Cmd
	serveLog        bytes.Buffer
	syncInterval    time.Duration
}

func newReplicaWorld(t testing.TB, bin string, nWeChat, nWeibo, workers int, latency time.Duration, replicaURL string) *replicaWorld {
	w := &replicaWorld{t: t, bin: bin, dir: t.TempDir(), sbAddr: freeAddrB(t), listen: freeAddrB(t), nWeChat: nWeChat, nWeibo: nWeibo, syncInterval: time.Second}
	w.dataDir = filepath.Join(w.dir, "data")
	var y strings.Builder
	fmt.Fprintf(&y, "data_dir: %s\nlisten: %s\nwechat: {api_base: \"http://%s\", timeout: 5s}\nweibo: {api_base: \"http://%s\", timeout: 5s}\n",
		w.dataDir, w.listen, w.sbAddr, w.sbAddr)
	fmt.Fprintf(&y, "review: {levels: [终审], reviewers: {终审: [刘建国]}}\ndelivery: {workers: %d, settle_window: 2s}\n", workers)
	if replicaURL != "" {
		fmt.Fprintf(&y, "replica: {url: %q, sync_interval: %s}\n", replicaURL, w.syncInterval)
	}
	y.WriteString("accounts:\n")
	for i := 0; i < nWeChat; i++ {
		fmt.Fprintf(&y, "  - {id: wx%04d, name: 公众号%d, platform: wechat, groups: [all], app_id: wxapp%04d, app_secret: s%04d}\n", i, i, i, i)
	}
	for i := 0; i < nWeibo; i++ {
		fmt.Fprintf(&y, "  - {id: wb%04d, name: 微博%d, platform: weibo, groups: [all], uid: \"%d\", access_token: t%04d, link_url: \"https://www.qingshan.gov.cn/\"}\n", i, i, 100000+i, i)
	}
	w.cfg = filepath.Join(w.dir, "herald.yaml")
	must(t, os.WriteFile(w.cfg, []byte(y.String()), 0o600))
	var img bytes.Buffer
	must(t, png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 64, 48))))
	must(t, os.WriteFile(filepath.Join(w.dir, "cover.png"), img.Bytes(), 0o600))
	img.Reset()
	must(t, png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 48, 64))))
	must(t, os.WriteFile(filepath.Join(w.dir, "photo.png"), img.Bytes(), 0o600))
	must(t, os.WriteFile(filepath.Join(w.dir, "body.html"), []byte(`<p>青山县召开县政府常务会议。</p><img src="photo.png">`), 0o600))

	w.sandbox = exec.Command(bin, "sandbox", "--listen", w.sbAddr, "--latency", latency.String(), "--config", w.cfg)
	must(t, w.sandbox.Start())
	t.Cleanup(func() { _ = w.sandbox.Process.Kill(); _ = w.sandbox.Wait() })
	waitListening(t, w.sbAddr)
	return w
}

// herald runs a CLI command against the world's config and returns its stdout.
func (w *replicaWorld) herald(args ...string) string {
	w.t.Helper()
	words := 1 // the command's words, then --config, then its own arguments
	if args[0] == "post" || args[0] == "replica" {
		words = 2
	}
	full := append(append(append([]string{}, args[:words]...), "--config", w.cfg), args[words:]...)
	cmd := exec.Command(w.bin, full...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		w.t.Fatalf("herald %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// signedItem adds an article for every account (in review) and signs its
// one review level; it returns the item's id.
func (w *replicaWorld) signedItem(title, at string) int64 {
	w.t.Helper()
	out := w.herald("post", "add", "--kind", "article", "--title", title, "--body-file", filepath.Join(w.dir, "body.html"),
		"--image", filepath.Join(w.dir, "cover.png"), "--to", "all", "--at", at)
	id, err := strconv.ParseInt(out, 10, 64)
	must(w.t, err)
	w.herald("post", "approve", "--as", "刘建国", "--secrecy-ok", out)
	return id
}

func (w *replicaWorld) serve() *exec.Cmd {
	w.t.Helper()
	cmd := exec.Command(w.bin, "serve", "--config", w.cfg)
	cmd.Stderr = &w.serveLog
	must(w.t, cmd.Start())
	w.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	waitListening(w.t, w.listen)
	return cmd
}

// published returns how many publications the sandbox holds per account.
func (w *replicaWorld) published() (map[string]int, int) {
	w.t.Helper()
	var st struct {
		WeChat map[string]struct {
			Published []json.RawMessage `json:"published"`
		} `json:"wechat"`
		Weibo map[string]struct {
			Posts []json.RawMessage `json:"posts"`
		} `json:"weibo"`
	}
	resp, err := http.Get("http://" + w.sbAddr + "/_sandbox/state")
	must(w.t, err)
	defer resp.Body.Close()
	must(w.t, json.NewDecoder(resp.Body).Decode(&st))
	per, total := map[string]int{}, 0
	for i := 0; i < w.nWeChat; i++ {
		n := len(st.WeChat[fmt.Sprintf("wxapp%04d", i)].Published)
		per[fmt.Sprintf("wx%04d", i)] = n
		total += n
	}
	for i := 0; i < w.nWeibo; i++ {
		n := len(st.Weibo[strconv.Itoa(100000+i)].Posts)
		per[fmt.Sprintf("wb%04d", i)] = n
		total += n
	}
	return per, total
}

// record is what a database held at one moment: every audit entry, item
// and signature.
type record struct {
	audit     []storage.AuditEntry
	items     map[int64]content.ItemState
	approvals map[int64]int
}

func readRecord(t testing.TB, dataDir string) record {
	t.Helper()
	ctx := context.Background()
	st, err := storage.Open(ctx, dataDir, storage.WithoutAutoCheckpoint())
	must(t, err)
	defer st.Close()
	r := record{items: map[int64]content.ItemState{}, approvals: map[int64]int{}}
	r.audit, err = st.AuditAfter(ctx, 0, 1000000)
	must(t, err)
	items, err := st.ListItems(ctx, storage.ItemFilter{Limit: 100000})
	must(t, err)
	for _, it := range items {
		r.items[it.ID] = it.State
		as, err := st.Approvals(ctx, it.ID)
		must(t, err)
		r.approvals[it.ID] = len(as)
	}
	return r
}

// TestReplicaRestoreAfterLosingTheDisk: serve replicates to a directory
// while it publishes to 100 accounts; it is SIGKILLed mid-fan-out and its
// data directory deleted; herald restore and a new serve finish the
// fan-out. The sandbox must hold exactly one publication per account, and
// every item, signature and audit entry committed more than sync_interval
// before the kill must be in the restored database.
func TestReplicaRestoreAfterLosingTheDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("subprocess test")
	}
	bin := buildHerald(t)
	replicaDir := filepath.Join(t.TempDir(), "replica")
	w := newReplicaWorld(t, bin, 80, 20, 8, 40*time.Millisecond, "file://"+replicaDir)
	daemon := w.serve()
	for i := range 3 { // signed, scheduled for later: they must survive
		w.signedItem(fmt.Sprintf("待发稿件%d", i), "2030-01-0"+strconv.Itoa(i+1)+" 09:00")
	}
	id := w.signedItem("全县扇出", "now")

	var before record
	var recordedAt time.Time
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve's log:\n%s", w.serveLog.String())
		}
	})
	testenv.EventuallyFor(t, "35 published with a record older than sync_interval", 60*time.Second, func() bool {
		_, n := w.published()
		if n >= w.nWeChat+w.nWeibo {
			t.Fatalf("everything was published before the kill; the test proves nothing")
		}
		if recordedAt.IsZero() && n >= 20 {
			before, recordedAt = readRecord(t, w.dataDir), time.Now()
		}
		// Killed once the record is older than sync_interval.
		return !recordedAt.IsZero() && n >= 35 && time.Since(recordedAt) > w.syncInterval
	})
	must(t, daemon.Process.Signal(syscall.SIGKILL))
	_ = daemon.Wait()
	_, killedAt := w.published()
	t.Logf("killed with %d of %d published; record of %d audit entries taken %s before", killedAt, w.nWeChat+w.nWeibo, len(before.audit), time.Since(recordedAt).Round(time.Millisecond))

	must(t, os.RemoveAll(w.dataDir)) // the disk is lost
	out := w.herald("restore", "--from", "file://"+replicaDir)
	t.Logf("restore: %s", out)
	if !strings.Contains(out, "已从") || !strings.Contains(out, "投递") {
		t.Fatalf("restore said %q", out)
	}
	if _, ok, _ := replica.ReadRestored(w.dataDir); !ok {
		t.Fatal("the restored data directory is not marked")
	}
	after := readRecord(t, w.dataDir)
	for _, e := range before.audit {
		found := false
		for _, g := range after.audit {
			if g.ID == e.ID {
				found = g.Action == e.Action && g.Detail == e.Detail && g.ItemID == e.ItemID
				break
			}
		}
		if !found {
			t.Errorf("audit entry %d (%s %s) committed before the kill is missing after the restore", e.ID, e.Action, e.Detail)
		}
	}
	for it, n := range before.approvals {
		if _, ok := after.items[it]; !ok {
			t.Errorf("item %d is missing after the restore", it)
		} else if after.approvals[it] < n {
			t.Errorf("item %d: %d signatures after the restore, %d before", it, after.approvals[it], n)
		}
	}

	second := w.serve()
	testenv.EventuallyFor(t, "the fan-out to finish after the restore", 120*time.Second, func() bool {
		return readRecord(t, w.dataDir).items[id].Final()
	})
	if s := readRecord(t, w.dataDir).items[id]; s != content.ItemDone {
		t.Errorf("item ended %s", s)
	}
	must(t, second.Process.Signal(syscall.SIGTERM))
	if err := second.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v", err)
	}
	if _, ok, _ := replica.ReadRestored(w.dataDir); ok {
		t.Error("the restore mark is still there after serve settled it")
	}
	per, total := w.published()
	for acct, n := range per {
		if n != 1 {
			t.Errorf("%s: %d publications on the platform, want exactly 1", acct, n)
		}
	}
	t.Logf("%d publications for %d accounts", total, len(per))
	final := readRecord(t, w.dataDir)
	looked := 0
	for _, e := range final.audit {
		if e.Action == "restore" {
			looked++
		}
	}
	if looked == 0 {
		t.Error("no delivery was handed to the lookups after the restore")
	}
	t.Logf("%d deliveries were looked up on their platform after the restore", looked)

	// --at before the first snapshot: one line, nothing made.
	early := filepath.Join(w.dir, "early")
	cmd := exec.Command(bin, "restore", "--config", w.cfg, "--from", "file://"+replicaDir, "--at", "2020-01-01 09:00", "--data-dir", early)
	msg, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "在第一个快照之前") || strings.Count(strings.TrimSpace(string(msg)), "\n") > 0 {
		t.Errorf("restore --at before the first snapshot: %v %q", err, msg)
	}
	if _, err := os.Stat(early); !os.IsNotExist(err) {
		t.Errorf("a refused restore made %s", early)
	}

	// Another database (a data directory made anew) is refused the replica.
	other := filepath.Join(w.dir, "other.yaml")
	cfgText, _ := os.ReadFile(w.cfg)
	must(t, os.WriteFile(other, []byte(strings.Replace(string(cfgText), "data_dir: "+w.dataDir, "data_dir: "+filepath.Join(w.dir, "other"), 1)), 0o600))
	msg, err = exec.Command(bin, "serve", "--config", other).CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "另一个数据库的副本") {
		t.Errorf("serve of another database on the replica: %v %s", err, msg)
	}
}
