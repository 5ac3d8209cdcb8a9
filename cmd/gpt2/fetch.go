package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"gpt2/internal/checkpoint"
)

// defaultDownloadDType is what a downloaded checkpoint is converted to
// unless asked otherwise: f32 keeps exactly the outputs of the published
// weights (Hugging Face's are f32); f16 and q8_0 trade a little for speed.
const defaultDownloadDType = checkpoint.F32

// fetchModel downloads a hub model that is not on this machine (unless
// offline) and converts it, returning where it now is.
func (a *app) fetchModel(ctx context.Context, spec string, ref checkpoint.Ref, want checkpoint.DType) (checkpoint.Located, error) {
	if a.offline() {
		return checkpoint.Located{}, fmt.Errorf("%s is not on this machine and gpt2 is offline: run `gpt2 download %s` while online", ref, spec)
	}
	dt := want
	if dt == checkpoint.AnyDType {
		dt = defaultDownloadDType
	}
	path, err := a.download(ctx, ref, dt, true)
	if err != nil {
		return checkpoint.Located{}, err
	}
	return checkpoint.Located{Path: path, Ref: &ref}, nil
}

// download fetches ref into the cache and, with convert, writes its GGUF;
// it returns the path to run (the GGUF, or the snapshot directory).
func (a *app) download(ctx context.Context, ref checkpoint.Ref, dt checkpoint.DType, convert bool) (string, error) {
	hub := checkpoint.NewHub(a.cacheDir())
	if a.showProgress() {
		hub.Progress = func(file string, size int64) checkpoint.Progress { return newBar(a.stderr, file, size) }
	}
	start := time.Now()
	dir, commit, err := hub.Download(ctx, ref, checkpoint.RequiredFiles, checkpoint.OptionalFiles)
	if err != nil {
		return "", err
	}
	path := dir
	if convert {
		path = checkpoint.GGUFPath(a.cacheDir(), ref.Repo, commit, dt)
		if err := a.convertInto(ctx, dir, path, dt); err != nil {
			return "", fmt.Errorf("converting %s: %w", ref, err)
		}
	}
	if !a.global.quiet {
		fmt.Fprintf(a.stderr, "gpt2: %s at %.12s ready in %v: %s\n", ref, commit, time.Since(start).Round(time.Millisecond), path)
	}
	return path, nil
}

// showProgress: bars only on a terminal, never with -q.
func (a *app) showProgress() bool { return !a.global.quiet && isTerminal(a.stderr) }

// bar adapts a progress bar to the hub's progress interface.
type bar struct{ b *progressbar.ProgressBar }

func newBar(w io.Writer, file string, size int64) *bar {
	return &bar{progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(file),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)}
}

func (b *bar) Add(n int64) { b.b.Add64(n) }
func (b *bar) Done()       { b.b.Finish() }
