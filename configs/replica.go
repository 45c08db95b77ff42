package configs

import (
	"net/url"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// Replica configures continuous replication of the database and media files
// (herald serve) and where herald restore reads them from.
type Replica struct {
	// URL is the destination: file:///mnt/backup/herald (another disk or a
	// mounted share) or s3://bucket/path. Empty: nothing is replicated.
	URL string `mapstructure:"url"`
	// Endpoint is an S3-compatible service's address (政务云 object storage,
	// MinIO, OSS, OBS), e.g. https://obs.cn-north-4.myhuaweicloud.com.
	// Empty: AWS S3 itself.
	Endpoint string `mapstructure:"endpoint"`
	// Region of the bucket (default us-east-1 with an endpoint).
	Region string `mapstructure:"region"`
	// AccessKeyID and SecretAccessKey are the S3 credentials; the secret may
	// come from secret_access_key_file or secret_access_key_env.
	AccessKeyID         string `mapstructure:"access_key_id"`
	SecretAccessKey     string `mapstructure:"secret_access_key"`
	SecretAccessKeyFile string `mapstructure:"secret_access_key_file"`
	SecretAccessKeyEnv  string `mapstructure:"secret_access_key_env"`
	// SyncInterval is how often new transactions and media files are shipped
	// (default 1s): at most this much work is lost with the disk.
	SyncInterval time.Duration `mapstructure:"sync_interval"`
}

func replicaDefaults(v *viper.Viper) {
	v.SetDefault("replica.url", "")
	v.SetDefault("replica.endpoint", "")
	v.SetDefault("replica.region", "")
	v.SetDefault("replica.access_key_id", "")
	v.SetDefault("replica.secret_access_key", "")
	v.SetDefault("replica.secret_access_key_file", "")
	v.SetDefault("replica.secret_access_key_env", "")
	v.SetDefault("replica.sync_interval", "1s")
}

// resolveSecret fills SecretAccessKey from its _file or _env key.
func (r *Replica) resolveSecret() error {
	var err error
	r.SecretAccessKey, err = secret("replica.secret_access_key", r.SecretAccessKey, r.SecretAccessKeyFile, r.SecretAccessKeyEnv)
	return err
}

// Validate checks the replica keys; its error names the key in one line.
func (r *Replica) Validate() error {
	if r.SyncInterval < 100*time.Millisecond || r.SyncInterval > time.Hour {
		return &Error{"replica.sync_interval", "须在 100ms 到 1h 之间"}
	}
	if r.URL == "" {
		if r.Endpoint != "" || r.AccessKeyID != "" || r.SecretAccessKey != "" {
			return &Error{"replica.url", "未填写：设置了其他 replica 配置项，却没有 replica.url"}
		}
		return nil
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		return &Error{"replica.url", "不是网址（file:///目录 或 s3://bucket/路径）"}
	}
	if u.User != nil || u.RawQuery != "" {
		return &Error{"replica.url", "不能带凭据或查询参数：请用 replica.access_key_id 和 replica.secret_access_key"}
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" || !strings.HasPrefix(u.Path, "/") || len(u.Path) < 2 {
			return &Error{"replica.url", "目录须写成绝对路径的 file 网址：file:///mnt/backup/herald"}
		}
		if r.Endpoint != "" {
			return &Error{"replica.endpoint", "只用于 s3:// 的 replica.url"}
		}
	case "s3":
		if u.Host == "" {
			return &Error{"replica.url", "没有写桶名：s3://bucket/路径"}
		}
		if r.Endpoint != "" {
			if err := checkBaseURL("replica.endpoint", r.Endpoint); err != nil {
				return err
			}
		}
		if (r.AccessKeyID == "") != (r.SecretAccessKey == "") {
			return &Error{"replica.secret_access_key", "replica.access_key_id 与 replica.secret_access_key 须同时设置（或都不设，使用环境中的凭据）"}
		}
	default:
		return &Error{"replica.url", "须以 file:// 或 s3:// 开头"}
	}
	return nil
}
