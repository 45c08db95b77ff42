package password

import (
	"errors"
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	h, err := Hash("青山县2026发布")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash form: %s", h)
	}
	if strings.Contains(h, "青山县2026发布") {
		t.Fatal("hash holds the password")
	}
	if err := Verify("青山县2026发布", h); err != nil {
		t.Fatalf("right password: %v", err)
	}
	if err := Verify("青山县2026发不", h); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong password: %v", err)
	}
	h2, _ := Hash("青山县2026发布")
	if h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA"} {
		if err := Verify("x", bad); err == nil || errors.Is(err, ErrMismatch) {
			t.Errorf("malformed %q: %v", bad, err)
		}
	}
}

func TestValidate(t *testing.T) {
	for pw, ok := range map[string]bool{"short": false, "12345678": true, " padded123 ": false, "八个汉字的密码啊": true} {
		if err := Validate(pw); (err == nil) != ok {
			t.Errorf("Validate(%q) = %v", pw, err)
		}
	}
}
