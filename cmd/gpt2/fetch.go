package main

import (
	"context"
	"fmt"

	"gpt2/internal/checkpoint"
)

// fetchModel is called for a hub model that is not on this machine.
func (a *app) fetchModel(ctx context.Context, spec string, ref checkpoint.Ref, want checkpoint.DType) (checkpoint.Located, error) {
	return checkpoint.Located{}, fmt.Errorf("%s is not on this machine: get it with `gpt2 download %s`", ref, spec)
}
