package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"gpt2/internal/checkpoint"
)

type convertOptions struct {
	output string
	dtype  string
}

func (a *app) convertCommand() *cobra.Command {
	var o convertOptions
	cmd := &cobra.Command{
		Use:   "convert SRC [-o OUT.gguf] [--dtype f32|f16|bf16|q8_0]",
		Short: "Convert a Hugging Face checkpoint or a GGUF file to GGUF",
		Long: `Convert a Hugging Face GPT-2 directory (config.json + model.safetensors) or a GGUF file
to a GGUF file in llama.cpp's gpt2 layout, with the tokenizer inside, so that llama.cpp and
gpt2 both load it. The weight matrices take --dtype; norms, biases and position embeddings
stay f32 (as llama.cpp's converter does). Matrices whose rows do not fill q8_0's 32-value
blocks stay f16. Without -o the file goes into gpt2's cache and its path is printed.`,
		Example: `  gpt2 convert ./gpt2-hf -o gpt2.f16.gguf --dtype f16
  gpt2 convert gpt2.f16.gguf -o gpt2.q8_0.gguf --dtype q8_0
  gpt2 convert ./distilgpt2                 # into the cache, path printed`,
		Args: exactArgs(1, "convert needs one SRC (a directory or a .gguf file)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runConvert(cmd, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "", "output .gguf file (default: in the cache)")
	f.StringVar(&o.dtype, "dtype", "f16", "type of the weight matrices: f32, f16, bf16 or q8_0")
	return cmd
}

func (a *app) runConvert(cmd *cobra.Command, o convertOptions, src string) error {
	dt, err := checkpoint.ParseDType(o.dtype)
	if err != nil {
		return usagef("--dtype: %v", err)
	}
	m, err := checkpoint.Load(src)
	if err != nil {
		return fmt.Errorf("%s: %v", src, stripPath(err, src))
	}
	defer m.Close()
	out := o.output
	if out == "" {
		out = checkpoint.ConvertedPath(a.cacheDir(), src, dt)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return fmt.Errorf("cache: %v", err)
		}
	}
	fellBack, err := writeConverted(cmd.Context(), m, out, dt)
	if err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	if len(fellBack) > 0 && !a.global.quiet {
		fmt.Fprintf(a.stderr, "gpt2: note: %d matrices have rows that are not a multiple of 32 and stay f16\n", len(fellBack))
	}
	_, err = fmt.Fprintln(a.stdout, out)
	return err
}

// stripPath drops the path from an error that will be printed after the
// path anyway ("x: stat x: no such file" reads "x: no such file").
func stripPath(err error, path string) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return strings.TrimPrefix(err.Error(), path+": ")
}

// exactArgs is cobra.ExactArgs with a message that says what is wanted.
func exactArgs(n int, msg string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s", msg)
		}
		return nil
	}
}
