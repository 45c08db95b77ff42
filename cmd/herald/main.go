// Command herald publishes a government news office's content to its matrix
// of WeChat official accounts and Weibo accounts, and reports on them.
package main

import (
	"os"
	_ "time/tzdata" // Asia/Shanghai must load on machines without zoneinfo
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
