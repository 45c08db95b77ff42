// Package replica replicates herald's SQLite database and its media files,
// continuously and in-process, to a directory or an S3-compatible bucket
// with Litestream's Go packages (github.com/benbjohnson/litestream), and
// restores a data directory from such a replica.
//
// A destination holds, under its root:
//
//	ltx/...               Litestream's LTX files (snapshots and transactions)
//	media/<xx>/<sha>.ext  the imported images, each written before the
//	                      transaction that names it is shipped
//	herald-replica.json   the marker: which database this replica is of
package replica

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/benbjohnson/litestream"
	lsfile "github.com/benbjohnson/litestream/file"
	lss3 "github.com/benbjohnson/litestream/s3"

	"github.com/herald-gov/herald/configs"
)

// objects stores the destination's files other than Litestream's own: the
// marker and the media files.
type objects interface {
	// put stores the file at local under key, whole or not at all.
	put(ctx context.Context, key, local string) error
	// get opens key; an error wrapping fs.ErrNotExist when there is none.
	get(ctx context.Context, key string) (io.ReadCloser, error)
	// list returns the keys under prefix.
	list(ctx context.Context, prefix string) ([]string, error)
}

// destination is a replica.url made usable: Litestream's client for the
// database and objects for the rest.
type destination struct {
	display string // the URL, for messages (carries no credentials)
	client  litestream.ReplicaClient
	objs    objects
}

// openDestination makes the clients for cfg (cfg.URL must be set and valid).
func openDestination(cfg configs.Replica) (*destination, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("replica.url: %w", err)
	}
	d := &destination{display: cfg.URL}
	switch u.Scheme {
	case "file":
		root := filepath.Clean(u.Path)
		d.client = lsfile.NewReplicaClient(root)
		d.objs = dirObjects{root: root}
	case "s3":
		c := lss3.NewReplicaClient()
		c.Bucket = u.Host
		c.Path = strings.Trim(u.Path, "/")
		c.Endpoint = cfg.Endpoint
		c.Region = cfg.Region
		c.AccessKeyID = cfg.AccessKeyID
		c.SecretAccessKey = cfg.SecretAccessKey
		c.ForcePathStyle = pathStyle(cfg.Endpoint)
		d.client = c
		d.objs = newS3Objects(cfg, c.Bucket, c.Path, c.ForcePathStyle)
	default:
		return nil, fmt.Errorf("replica.url: scheme %q is not file or s3", u.Scheme)
	}
	return d, nil
}

// pathStyle: buckets of a service on an IP address, localhost or plain
// http (MinIO, a test server) are addressed by path; named cloud endpoints
// (OSS, OBS) by virtual host.
func pathStyle(endpoint string) bool {
	if endpoint == "" {
		return false
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return true
	}
	h := u.Hostname()
	return u.Scheme == "http" || h == "localhost" || net.ParseIP(h) != nil
}

// dirObjects keeps objects as files under root.
type dirObjects struct{ root string }

func (d dirObjects) path(key string) string { return filepath.Join(d.root, filepath.FromSlash(key)) }

func (d dirObjects) put(_ context.Context, key, local string) error {
	dst := d.path(key)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	src, err := os.Open(local)
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := io.Copy(tmp, src)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return nil
}

func (d dirObjects) get(_ context.Context, key string) (io.ReadCloser, error) {
	return os.Open(d.path(key))
}

func (d dirObjects) list(_ context.Context, prefix string) ([]string, error) {
	var keys []string
	base := d.path(prefix)
	err := filepath.WalkDir(base, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if e.IsDir() || strings.HasPrefix(e.Name(), ".tmp-") {
			return nil
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		keys = append(keys, filepath.ToSlash(rel))
		return nil
	})
	return keys, err
}

// s3Objects keeps objects in a bucket under a prefix.
type s3Objects struct {
	client *s3.Client
	bucket string
	prefix string
}

func newS3Objects(cfg configs.Replica, bucket, prefix string, forcePath bool) *s3Objects {
	region := cfg.Region
	if region == "" {
		region = lss3.DefaultRegion
	}
	opts := s3.Options{
		Region:                     region,
		UsePathStyle:               forcePath,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if cfg.AccessKeyID != "" {
		opts.Credentials = credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, "")
	}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	return &s3Objects{client: s3.New(opts), bucket: bucket, prefix: prefix}
}

func (o *s3Objects) key(k string) string { return path.Join(o.prefix, k) }

func (o *s3Objects) put(ctx context.Context, key, local string) error {
	f, err := os.Open(local)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	_, err = o.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &o.bucket, Key: aws.String(o.key(key)), Body: f, ContentLength: aws.Int64(st.Size())})
	return err
}

func (o *s3Objects) get(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := o.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &o.bucket, Key: aws.String(o.key(key))})
	if err != nil {
		var nk *s3types.NoSuchKey
		if errors.As(err, &nk) {
			return nil, fmt.Errorf("%s: %w", key, fs.ErrNotExist)
		}
		return nil, err
	}
	return out.Body, nil
}

func (o *s3Objects) list(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	full := o.key(prefix) + "/"
	p := s3.NewListObjectsV2Paginator(o.client, &s3.ListObjectsV2Input{Bucket: &o.bucket, Prefix: aws.String(full)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, obj := range page.Contents {
			k := aws.ToString(obj.Key)
			if o.prefix != "" {
				k = strings.TrimPrefix(k, o.prefix+"/")
			}
			keys = append(keys, k)
		}
	}
	return keys, nil
}
