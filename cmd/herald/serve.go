package main

import (
	"context"
)

func cmdServe(ctx context.Context, a *app, args []string) error { return usagef("not built yet") }
func cmdDemo(ctx context.Context, a *app, args []string) error  { return usagef("not built yet") }
