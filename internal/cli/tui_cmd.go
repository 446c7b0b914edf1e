package cli

import (
	"context"
)

func runTUI(ctx context.Context, o *globalOpts) error { return notYet("the interactive UI") }
