package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReplicaKeys(t *testing.T) {
	cfg, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Replica.URL != "" || cfg.Replica.SyncInterval != time.Second {
		t.Fatalf("replica defaults: %+v", cfg.Replica)
	}

	secretFile := filepath.Join(t.TempDir(), "s3.secret")
	if err := os.WriteFile(secretFile, []byte("TOPSECRETKEY\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err = Parse([]byte(minimal + `
replica:
  url: s3://herald-backup/qingshan
  endpoint: https://obs.cn-north-4.myhuaweicloud.com
  access_key_id: AKID
  secret_access_key_file: ` + secretFile + `
  sync_interval: 500ms
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Replica.SecretAccessKey != "TOPSECRETKEY" || cfg.Replica.SyncInterval != 500*time.Millisecond {
		t.Fatalf("replica: %+v", cfg.Replica.SyncInterval)
	}
	out, err := cfg.ShowYAML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "TOPSECRETKEY") || !strings.Contains(string(out), "secret_access_key: '"+Mask+"'") && !strings.Contains(string(out), "secret_access_key: "+Mask) {
		t.Fatalf("config show does not mask the replica secret:\n%s", out)
	}

	t.Setenv("HERALD_REPLICA_URL", "file:///mnt/backup/herald")
	cfg, err = Parse([]byte(minimal))
	if err != nil || cfg.Replica.URL != "file:///mnt/backup/herald" {
		t.Fatalf("HERALD_REPLICA_URL: %v %+v", err, cfg)
	}
}

func TestReplicaValidationNamesTheKey(t *testing.T) {
	t.Setenv("HERALD_REPLICA_URL", "")
	for _, c := range []struct{ yaml, key string }{
		{"replica: {url: 'ftp://x/y'}", "replica.url"},
		{"replica: {url: 'file://relative/dir'}", "replica.url"},
		{"replica: {url: 's3://'}", "replica.url"},
		{"replica: {url: 's3://AKID:secret@bucket/x'}", "replica.url"},
		{"replica: {url: 's3://b/x', endpoint: 'not a url'}", "replica.endpoint"},
		{"replica: {url: 's3://b/x', access_key_id: AKID}", "replica.secret_access_key"},
		{"replica: {url: 'file:///x', sync_interval: 10ms}", "replica.sync_interval"},
		{"replica: {endpoint: 'https://obs.example.com'}", "replica.url"},
		{"replica: {url: 's3://b/x', secret_access_key: a, secret_access_key_env: B}", "replica.secret_access_key"},
	} {
		_, err := Parse([]byte(minimal + c.yaml + "\n"))
		if err == nil || !strings.Contains(err.Error(), c.key) {
			t.Errorf("%s: error %v, want it to name %s", c.yaml, err, c.key)
		}
		if err != nil && strings.Contains(err.Error(), "secret@") {
			t.Errorf("%s: the error repeats the URL's credentials: %v", c.yaml, err)
		}
	}
}
