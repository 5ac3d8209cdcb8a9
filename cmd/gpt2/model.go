package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"gpt2/internal/checkpoint"
	"gpt2/internal/kernels"
	"gpt2/internal/transformer"
)

// loaded is a model ready to run and what to release after.
type loaded struct {
	*transformer.Model
	ckpt *checkpoint.Model
	name string
}

func (l *loaded) Close() {
	l.Model.Close()
	l.ckpt.Close()
}

// offline reports whether only models on this machine may be used.
func (a *app) offline() bool {
	return a.global.offline || os.Getenv("HF_HUB_OFFLINE") == "1"
}

func (a *app) cacheDir() string { return checkpoint.CacheDir(a.global.cacheDir) }

// threads is --threads, with 0 or less meaning every usable core.
func (a *app) threads() int {
	if a.global.threads < 1 {
		return defaultThreads()
	}
	return a.global.threads
}

// loadModel finds --model (downloading it if it is a hub model not on this
// machine, unless offline), and prepares it to run. dtype "" takes
// whatever converted file exists; a type asks for that one, converting the
// cached checkpoint once if needed.
func (a *app) loadModel(ctx context.Context, dtype string) (*loaded, error) {
	want := checkpoint.AnyDType
	if dtype != "" {
		dt, err := checkpoint.ParseDType(dtype)
		if err != nil {
			return nil, usagef("--dtype: %v", err)
		}
		want = dt
	}
	if kernels.DefaultErr != nil {
		return nil, usageError{kernels.DefaultErr}
	}
	spec := a.global.model
	loc, err := checkpoint.Locate(spec, a.cacheDir(), want)
	if errors.Is(err, checkpoint.ErrNotCached) {
		loc, err = a.fetchModel(ctx, spec, *loc.Ref, want)
	}
	if err != nil {
		return nil, fmt.Errorf("--model %s: %w", spec, err)
	}
	if loc.Ref != nil && want != checkpoint.AnyDType && filepath.Ext(loc.Path) != ".gguf" {
		out := checkpoint.GGUFPath(a.cacheDir(), loc.Ref.Repo, loc.Commit, want)
		if err := a.convertInto(ctx, loc.Path, out, want); err != nil {
			return nil, err
		}
		loc.Path = out
	}
	start := time.Now()
	ck, err := checkpoint.Load(loc.Path)
	if err != nil {
		return nil, fmt.Errorf("--model %s: %v", spec, stripPath(err, loc.Path))
	}
	m, err := transformer.New(ck, transformer.Options{Threads: a.threads()})
	if err != nil {
		ck.Close()
		return nil, fmt.Errorf("--model %s: %v", spec, err)
	}
	a.verbosef("model %s (%s), %d threads, %s kernels, loaded in %v", spec, loc.Path, m.Threads(), m.Kernels().Name, time.Since(start).Round(time.Millisecond))
	return &loaded{Model: m, ckpt: ck, name: spec}, nil
}

// convertInto writes the GGUF of a checkpoint directory once.
func (a *app) convertInto(ctx context.Context, src, out string, dt checkpoint.DType) error {
	if _, err := os.Stat(out); err == nil {
		return nil
	}
	ck, err := checkpoint.Load(src)
	if err != nil {
		return err
	}
	defer ck.Close()
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	a.verbosef("converting %s to %s", src, out)
	_, err = writeConverted(ctx, ck, out, dt)
	return err
}

// writeConverted writes the checkpoint as a GGUF of type dt at out and
// returns the matrices that stayed f16.
func writeConverted(ctx context.Context, ck *checkpoint.Model, out string, dt checkpoint.DType) ([]string, error) {
	conv, fellBack := ck.Retyped(dt)
	return fellBack, conv.WriteFile(ctx, out, dt)
}

// verbosef prints progress to stderr with -v.
func (a *app) verbosef(format string, args ...any) {
	if a.global.verbose && !a.global.quiet {
		fmt.Fprintf(a.stderr, "gpt2: "+format+"\n", args...)
	}
}
