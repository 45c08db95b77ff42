package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/internal/testenv"
)

// The accounts page shows the replica's status line to admins only.
func TestAccountsPageShowsTheReplicaToAdmins(t *testing.T) {
	env := testenv.New(t, webOptions())
	s := New(env.Config, env.Store, env.Queue, env.Log, nil)
	s.Replica = func() string { return "副本 file:///mnt/backup/herald：正常，落后 0s" }
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	e := &apiEnv{Env: env, t: t, srv: srv, tokens: map[string]string{}}
	for _, who := range [][2]string{{"admin", "管理员"}, {"editor", "编辑"}} {
		tok, err := env.Store.CreateTokenExpiring(context.Background(), who[1], "xwb", who[0], time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		b.login(tok)
		code, page := b.get("/console/accounts")
		shown := strings.Contains(page, `<p id="replica">副本 file:///mnt/backup/herald：正常`)
		if code != 200 || shown != (who[0] == "admin") {
			t.Errorf("%s: %d, replica line shown: %v", who[0], code, shown)
		}
	}
}
