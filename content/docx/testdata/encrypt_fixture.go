//go:build ignore

// encrypt_fixture writes encrypted.docx: notice.docx protected with the
// open password "herald" by excelize's ECMA-376 agile encryption (the same
// OLE container Word writes for 文件→信息→保护文档→用密码进行加密). Debian's
// msoffcrypto-tool 5.0 decrypts it (`msoffcrypto-tool -p herald`) but cannot
// encrypt, and LibreOffice 7.4 headless would not store a password-protected
// .docx. Run by make_fixtures.py: go run encrypt_fixture.go
package main

import (
	"log"
	"os"

	"github.com/xuri/excelize/v2"
)

func main() {
	raw, err := os.ReadFile("notice.docx")
	if err != nil {
		log.Fatal(err)
	}
	out, err := excelize.Encrypt(raw, &excelize.Options{Password: "herald"})
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("encrypted.docx", out, 0o644); err != nil {
		log.Fatal(err)
	}
}
