package replica

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/configs"
)

// noisePNG is an incompressible image of about w*h bytes.
func noisePNG(t *testing.T, w, h int, seed uint64) []byte {
	img := image.NewGray(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(seed, seed))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.Uint32())
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A full replica disk: replication stops with the reason, the database
// keeps taking writes, and once there is room again the replica catches up.
// It needs a small disk of its own: a tmpfs, which only root may mount.
func TestFullReplicaDisk(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("the full-disk test mounts a 512 KB tmpfs as the replica disk and could not (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	ctx := context.Background()
	cfg := configs.Replica{URL: "file://" + dir, SyncInterval: 100 * time.Millisecond}
	st := openStore(t, filepath.Join(t.TempDir(), "data"))
	defer st.Close()
	r, _ := replicate(t, cfg, st)
	caughtUp(t, r)
	for i := range 4 { // 4 × 250 KB of media: more than the disk holds
		if _, err := st.PutImage(ctx, noisePNG(t, 500, 500, uint64(i))); err != nil {
			t.Fatalf("the database stopped taking writes: %v", err)
		}
	}
	waitFor(t, "replication to stop on the full disk", 20*time.Second, func() bool {
		return strings.Contains(r.Status().Error, "磁盘已满")
	})
	if err := st.SetValue(ctx, "after", "full", 0); err != nil {
		t.Fatalf("the database stopped taking writes: %v", err)
	}
	if out, err := exec.Command("mount", "-o", "remount,size=8m", dir).CombinedOutput(); err != nil {
		t.Fatalf("grow the tmpfs: %v %s", err, out)
	}
	waitFor(t, "the replica to catch up once there is room", 60*time.Second, func() bool { return r.Status().State == StateOK })
	caughtUp(t, r)
	keys, err := dirObjects{root: dir}.list(ctx, "media")
	if err != nil || len(keys) != 4 {
		t.Fatalf("media in the replica after the disk was grown: %v %v", keys, err)
	}
	if _, err := os.Stat(filepath.Join(dir, markerKey)); err != nil {
		t.Fatal(err)
	}
}
