package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// result is what one in-process run of the program gave.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the program in-process with the given stdin. The environment
// and config file are isolated from the developer's own.
func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runCLIReader(t, strings.NewReader(stdin), args...)
}

func runCLIReader(t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	isolate(t)
	var out, errb bytes.Buffer
	code := run(context.Background(), args, stdin, &out, &errb)
	return result{code, out.String(), errb.String()}
}

// isolate keeps a test from reading the developer's config, cache or GPT2_*
// settings.
func isolate(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "GPT2_") || strings.HasPrefix(k, "HF_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	if os.Getenv("XDG_CONFIG_HOME") == "" || !strings.HasPrefix(os.Getenv("XDG_CONFIG_HOME"), os.TempDir()) {
		t.Setenv("XDG_CONFIG_HOME", t.TempDir())
		t.Setenv("XDG_CACHE_HOME", t.TempDir())
		t.Setenv("HOME", t.TempDir())
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVersionAndHelp(t *testing.T) {
	r := runCLI(t, "", "--version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "gpt2 ") {
		t.Fatalf("--version: %+v", r)
	}
	r = runCLI(t, "", "tokenize", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "Examples:") {
		t.Fatalf("tokenize --help: %+v", r)
	}
	r = runCLI(t, "", "completion", "bash")
	if r.code != 0 || !strings.Contains(r.stdout, "bash completion") {
		t.Fatalf("completion bash: code %d, stderr %q", r.code, r.stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--bogus"},
		{"nosuchcommand"},
		{"tokenize", "--format", "xml", "x"},
		{"tokenize", "--threads", "many", "x"},
	} {
		r := runCLI(t, "", args...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, "gpt2: ") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: code %d stderr %q", args, r.code, r.stderr)
		}
	}
}

// The precedence of a setting's sources: flag > GPT2_<KEY> > config file > default.
func TestConfigPrecedence(t *testing.T) {
	isolate(t)
	cfg := writeFile(t, "c.yaml", "format: count\n")
	// default
	if r := runCLI(t, "", "tokenize", "Hello world"); r.stdout != "15496 995\n" {
		t.Fatalf("default: %+v", r)
	}
	// config file beats default
	if r := runCLI(t, "", "--config", cfg, "tokenize", "Hello world"); r.stdout != "2\n" {
		t.Fatalf("config: %+v", r)
	}
	// env beats config file
	t.Setenv("GPT2_FORMAT", "json")
	if r := runCLIKeepEnv(t, "", "--config", cfg, "tokenize", "Hello world"); !strings.HasPrefix(r.stdout, `{"ids":[15496,995]`) {
		t.Fatalf("env: %+v", r)
	}
	// flag beats env
	if r := runCLIKeepEnv(t, "", "--config", cfg, "tokenize", "--format", "ids", "Hello world"); r.stdout != "15496 995\n" {
		t.Fatalf("flag: %+v", r)
	}
}

func runCLIKeepEnv(t *testing.T, stdin string, args ...string) result {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func TestConfigDefaultLocation(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	os.MkdirAll(filepath.Join(dir, "gpt2"), 0o755)
	os.WriteFile(filepath.Join(dir, "gpt2", "config.yaml"), []byte("special: true\n"), 0o644)
	if r := runCLIKeepEnv(t, "", "tokenize", "<|endoftext|>"); r.stdout != "50256\n" {
		t.Fatalf("XDG config not read: %+v", r)
	}
}

func TestConfigSections(t *testing.T) {
	cfg := writeFile(t, "c.yaml", "format: json\ntokenize:\n  format: count\n")
	if r := runCLI(t, "", "--config", cfg, "tokenize", "Hello world"); r.code != 0 || r.stdout != "2\n" {
		t.Fatalf("section: %+v", r)
	}
}

func TestConfigFormats(t *testing.T) {
	for name, content := range map[string]string{
		"c.yaml": "format: count\nspecial: true\n",
		"c.toml": "format = \"count\"\nspecial = true\n",
		"c.json": `{"format": "count", "special": true}`,
	} {
		cfg := writeFile(t, name, content)
		if r := runCLI(t, "", "--config", cfg, "tokenize", "a<|endoftext|>"); r.code != 0 || r.stdout != "2\n" {
			t.Errorf("%s: %+v", name, r)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct{ name, content, want string }{
		{"unknown.yaml", "format: count\ncolour: blue\n", `unknown key "colour"`},
		{"type.yaml", "special: maybe\n", `key "special"`},
		{"int.yaml", "threads: 1.5\n", `key "threads"`},
		{"str.yaml", "format: [1, 2]\n", `key "format"`},
		{"nested.yaml", "tokenize:\n  colour: blue\n", `unknown key "tokenize.colour"`},
		{"syntax.json", "{format: ", "syntax.json"},
	} {
		cfg := writeFile(t, c.name, c.content)
		r := runCLI(t, "", "--config", cfg, "tokenize", "x")
		if r.code != 2 || !strings.Contains(r.stderr, cfg) || !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s: code %d stderr %q", c.name, r.code, r.stderr)
		}
	}
	r := runCLI(t, "", "--config", "/nonexistent/gpt2.yaml", "tokenize", "x")
	if r.code != 2 || !strings.Contains(r.stderr, "/nonexistent/gpt2.yaml") {
		t.Errorf("missing config: %+v", r)
	}
	isolate(t)
	t.Setenv("GPT2_THREADS", "lots")
	r = runCLIKeepEnv(t, "", "tokenize", "x")
	if r.code != 2 || !strings.Contains(r.stderr, "GPT2_THREADS") {
		t.Errorf("bad env: %+v", r)
	}
}

// The documented example config must hold every key and be accepted.
func TestExampleConfig(t *testing.T) {
	r := runCLI(t, "", "--config", "../../configs/gpt2.yaml", "tokenize", "x")
	if r.code != 0 {
		t.Fatalf("configs/gpt2.yaml rejected: %+v", r)
	}
	b, err := os.ReadFile("../../configs/gpt2.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a := &app{}
	for key := range knownKeys(a.rootCommand()) {
		if strings.Contains(key, ".") {
			continue
		}
		if !regexp.MustCompile(`\n\s*#? ?` + regexp.QuoteMeta(key) + `:`).Match(b) {
			t.Errorf("configs/gpt2.yaml does not document %q", key)
		}
	}
}

func TestConfigLists(t *testing.T) {
	cfg := writeFile(t, "c.yaml", "bench:\n  threads: [1, 2]\n  prompt-tokens: 64\ngenerate:\n  stop: [\"a\", \"b\"]\n")
	if r := runCLI(t, "", "--config", cfg, "tokenize", "x"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	bad := writeFile(t, "b.yaml", "generate:\n  stop: [1, 2]\n")
	if r := runCLI(t, "", "--config", bad, "generate", "--model", "/nope.gguf", "x"); r.code != 2 || !strings.Contains(r.stderr, `"generate.stop"`) {
		t.Fatalf("%+v", r)
	}
	bad = writeFile(t, "c.yaml", "bench:\n  threads: [one]\n")
	if r := runCLI(t, "", "--config", bad, "bench", "--random", "small"); r.code != 2 || !strings.Contains(r.stderr, `"bench.threads"`) {
		t.Fatalf("%+v", r)
	}
}
