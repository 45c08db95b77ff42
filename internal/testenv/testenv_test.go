package testenv_test

import (
	"context"
	"testing"
	"time"

	"github.com/herald-gov/herald/internal/testenv"
)

func TestEnvAccountsWorkOnTheSandbox(t *testing.T) {
	start := time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC)
	e := testenv.New(t, testenv.Options{WeChat: 2, Weibo: 1, Start: start,
		Accounts: "- {id: fabu, name: 青山发布, platform: wechat, app_id: wxfabu, app_secret: s}"})
	ctx := context.Background()
	if len(e.Config.Accounts) != 4 {
		t.Fatalf("%d accounts", len(e.Config.Accounts))
	}
	for i := range e.Config.Accounts {
		a := &e.Config.Accounts[i]
		if err := e.Registry[a.Platform].Check(ctx, a); err != nil {
			t.Errorf("%s does not work on the sandbox: %v", a.ID, err)
		}
	}
	stored, err := e.Store.Accounts(ctx, false)
	if err != nil || len(stored) != 4 {
		t.Fatalf("stored accounts: %d %v", len(stored), err)
	}
	if snap := e.Sandbox.Snapshot(); len(snap.WeChat) != 3 || len(snap.Weibo) != 1 {
		t.Fatalf("sandbox knows %d apps, %d users", len(snap.WeChat), len(snap.Weibo))
	}
	e.Clock.Advance(time.Hour)
	e.Clock.Set(start) // never backwards
	if got := e.Clock.Now(); !got.Equal(start.Add(time.Hour)) {
		t.Fatalf("clock at %v", got)
	}
}
