package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"gpt2/internal/checkpoint"
)

type downloadOptions struct {
	revision  string
	dtype     string
	noConvert bool
}

func (a *app) downloadCommand() *cobra.Command {
	var o downloadOptions
	cmd := &cobra.Command{
		Use:   "download [MODEL...]",
		Short: "Fetch models from the Hugging Face hub into the cache",
		Long: `Download GPT-2 checkpoints from the Hugging Face hub ($HF_ENDPOINT, with $HF_TOKEN when
set) into gpt2's cache, in the hub's own layout, then convert them to GGUF (--dtype) so that
they load instantly. MODEL is small (the default), medium, large, xl, or owner/name[@revision].
Partial downloads resume; files are verified and renamed into place only when whole.`,
		Example: `  gpt2 download
  gpt2 download medium --dtype q8_0
  gpt2 download distilbert/distilgpt2 --revision main --no-convert`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runDownload(cmd.Context(), o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.revision, "revision", "", "branch, tag or commit (default main, or @REV in the name)")
	f.StringVar(&o.dtype, "dtype", defaultDownloadDType.String(), "type of the converted weights: f32, f16, bf16 or q8_0")
	f.BoolVar(&o.noConvert, "no-convert", false, "keep only the Hugging Face files")
	return cmd
}

func (a *app) runDownload(ctx context.Context, o downloadOptions, args []string) error {
	dt, err := checkpoint.ParseDType(o.dtype)
	if err != nil {
		return usagef("--dtype: %v", err)
	}
	if len(args) == 0 {
		args = []string{"small"}
	}
	var refs []checkpoint.Ref
	for _, spec := range args {
		ref, ok := checkpoint.ParseRef(spec)
		if !ok {
			return usagef("download: %q is not small|medium|large|xl or owner/name[@revision]", spec)
		}
		if o.revision != "" {
			ref.Revision = o.revision
		}
		refs = append(refs, ref)
	}
	for _, ref := range refs {
		if a.offline() {
			if _, _, ok := checkpoint.FindSnapshot(checkpoint.HubCacheDirs(a.cacheDir()), ref); !ok {
				return fmt.Errorf("download %s: gpt2 is offline and the model is not in the cache", ref)
			}
			continue
		}
		path, err := a.download(ctx, ref, dt, !o.noConvert)
		if err != nil {
			if ctx.Err() != nil {
				return errInterrupted
			}
			return fmt.Errorf("download %s: %w", ref, err)
		}
		if _, err := fmt.Fprintln(a.stdout, path); err != nil {
			return err
		}
	}
	return nil
}
