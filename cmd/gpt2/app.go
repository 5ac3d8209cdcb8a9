package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// app is one run of the program: its I/O streams and the options every
// command shares. Tests build one with buffers in place of the real streams.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	global         globalOptions
}

type globalOptions struct {
	model    string
	threads  int
	cacheDir string
	offline  bool
	config   string
	quiet    bool
	verbose  bool
}

// usageError is a mistake in how the program was called: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// errInterrupted ends a run stopped by Ctrl-C: exit status 130.
var errInterrupted = errors.New("interrupted")

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	started := false
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := a.applyConfig(root, cmd); err != nil {
			return err
		}
		started = true
		return nil
	}
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return 0
	case isBrokenPipe(err):
		return 0
	case errors.Is(err, errInterrupted) || errors.Is(err, context.Canceled):
		return 130
	}
	fmt.Fprintln(stderr, "gpt2: "+oneLine(err.Error()))
	var ue usageError
	if !started || errors.As(err, &ue) {
		return 2
	}
	return 1
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.ReplaceAll(s, "\n", "; ")
}

func isBrokenPipe(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, os.ErrClosed)
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "gpt2",
		Short: "Run OpenAI's GPT-2 on the CPU",
		Long: `gpt2 runs OpenAI's GPT-2 (small, medium, large, xl, and GPT-2 checkpoints from the
Hugging Face hub) on the CPU: generate and score text, tokenize, download and convert
checkpoints, and measure speed.

Every flag is also a configuration key: flag > environment GPT2_<KEY> > config file
(--config, else $XDG_CONFIG_HOME/gpt2/config.yaml) > default.`,
		Example: `  gpt2 generate "The capital of France is"
  echo "Hello world" | gpt2 tokenize
  gpt2 score "The quick brown fox"`,
		Version:       versionString(),
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetVersionTemplate("gpt2 {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		if strings.HasPrefix(err.Error(), "unknown shorthand flag: '") && strings.ContainsAny(err.Error()[25:26], "0123456789") {
			err = fmt.Errorf("%v (a negative number? put -- before it)", err)
		}
		return usageError{err}
	})
	f := root.PersistentFlags()
	g := &a.global
	f.StringVar(&g.model, "model", "small", "model: a .gguf file, a Hugging Face directory, small|medium|large|xl, or owner/name[@revision]")
	f.IntVar(&g.threads, "threads", defaultThreads(), "threads for the model's matrix work (default: the usable cores)")
	f.StringVar(&g.cacheDir, "cache-dir", "", "model cache (default $XDG_CACHE_HOME/gpt2, else ~/.cache/gpt2)")
	f.BoolVar(&g.offline, "offline", false, "use only models already on this machine")
	f.StringVar(&g.config, "config", "", "config file, YAML, TOML or JSON (default $XDG_CONFIG_HOME/gpt2/config.yaml when present)")
	f.BoolVarP(&g.quiet, "quiet", "q", false, "no progress output")
	f.BoolVarP(&g.verbose, "verbose", "v", false, "progress and timing on stderr")
	root.AddCommand(a.generateCommand(), a.scoreCommand(), a.tokenizeCommand(), a.downloadCommand(), a.convertCommand(), a.benchCommand())
	return root
}

func versionString() string {
	v := version
	if info, ok := debug.ReadBuildInfo(); ok && v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	return fmt.Sprintf("%s (%s, %s/%s)", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// isTerminal reports whether w is a terminal (progress output goes only there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// defaultThreads is the number of cores this process may use.
func defaultThreads() int { return runtime.NumCPU() }
