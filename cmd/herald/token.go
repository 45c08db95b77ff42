package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/herald-gov/herald/storage"
)

// cmdTokenCreate makes an API token; it is printed once, alone on the last
// line, and only its hash is kept.
func cmdTokenCreate(ctx context.Context, a *app, args []string) error {
	fs := a.flags("token create")
	cfgPath := fs.String("config", "", "config file")
	name := fs.String("name", "", "who uses it (a reviewer's name for review rights)")
	dept := fs.String("department", "", "department it acts for (the news office: every account)")
	role := fs.String("role", "", "admin | editor | reviewer | viewer")
	asJSON := fs.Bool("json", false, "print {\"token\": ...}")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" || *dept == "" {
		return usagef("--name and --department are required")
	}
	if !slices.Contains(storage.Roles, *role) {
		return usagef("--role must be admin, editor, reviewer or viewer")
	}
	cfg, st, err := a.openStore(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, ok := cfg.Department(*dept); !ok {
		return usagef("unknown department %q (see departments in the config)", *dept)
	}
	token, err := st.CreateToken(ctx, *name, *dept, *role)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(a.stdout, map[string]string{"token": token})
	}
	fmt.Fprintf(a.stdout, "API token for %s (%s, %s); it is shown only now:\n%s\n", *name, *dept, *role, token)
	return nil
}
