package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const tinyDir = "../../testdata/tiny-gpt2"

// Our f16 GGUF of the Hugging Face fixture is byte for byte the file
// llama.cpp's converter wrote.
func TestConvertMatchesLlamaCpp(t *testing.T) {
	out := filepath.Join(t.TempDir(), "tiny.f16.gguf")
	r := runCLI(t, "", "convert", tinyDir, "-o", out, "--dtype", "f16")
	if r.code != 0 || strings.TrimSpace(r.stdout) != out {
		t.Fatalf("%+v", r)
	}
	got, _ := os.ReadFile(out)
	want, _ := os.ReadFile(filepath.Join(tinyDir, "tiny-gpt2.llamacpp.gguf"))
	if !bytes.Equal(got, want) {
		t.Fatalf("differs from llama.cpp's file (%d vs %d bytes)", len(got), len(want))
	}
	// and re-typing a GGUF works too
	out2 := filepath.Join(t.TempDir(), "tiny.q8_0.gguf")
	if r := runCLI(t, "", "convert", out, "-o", out2, "--dtype", "q8_0"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
}

func TestConvertIntoCache(t *testing.T) {
	cache := t.TempDir()
	r := runCLI(t, "", "--cache-dir", cache, "convert", tinyDir, "--dtype", "bf16")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	p := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(p, cache) || !strings.HasSuffix(p, ".bf16.gguf") {
		t.Fatalf("output %q not in the cache", p)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(tinyDir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".gguf") && e.Name() != "tiny-gpt2.llamacpp.gguf" {
			t.Fatalf("convert wrote %s beside the source", e.Name())
		}
	}
}

func TestConvertErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"convert"}, 2, "one SRC"},
		{[]string{"convert", tinyDir, "--dtype", "q4_0", "-o", filepath.Join(dir, "x.gguf")}, 2, "--dtype"},
		{[]string{"convert", filepath.Join(dir, "nope"), "-o", filepath.Join(dir, "x.gguf")}, 1, "no such file"},
		{[]string{"convert", filepath.Join(tinyDir, "config.json"), "-o", filepath.Join(dir, "x.gguf")}, 1, "not a GGUF file"},
		{[]string{"convert", tinyDir, "-o", filepath.Join(dir, "no", "such", "dir", "x.gguf")}, 1, "writing"},
	} {
		r := runCLI(t, "", c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: %+v", c.args, r)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("failed converts left %v", entries)
	}
}

// An interrupted convert (Ctrl-C cancels the context) leaves no file.
func TestConvertInterrupted(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"convert", tinyDir, "-o", filepath.Join(dir, "x.gguf")}, strings.NewReader(""), &out, &errb)
	if code != 130 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("interrupted convert left %v", entries)
	}
}
