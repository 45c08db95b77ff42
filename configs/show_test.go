package configs

import (
	"strings"
	"testing"
)

// config show masks a password (or a lone token) in any URL of the
// config, api_base included.
func TestShowMasksURLUserinfo(t *testing.T) {
	yaml := minimal + `
wechat: {api_base: "https://herald:p4ssw0rd-wx@proxy.qingshan.gov.cn/wx"}
weibo: {api_base: "https://tok3n-wb@proxy.qingshan.gov.cn/wb"}
`
	cfg, err := Parse([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	out, err := cfg.ShowYAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"p4ssw0rd-wx", "tok3n-wb"} {
		if strings.Contains(string(out), secret) {
			t.Fatalf("config show prints %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(string(out), "proxy.qingshan.gov.cn/wx") {
		t.Fatalf("the URL itself is gone:\n%s", out)
	}
}
