package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gpt2/internal/hubtest"
)

func fakeHub(t *testing.T) *hubtest.Hub {
	files, err := hubtest.ReadFiles(tinyDir, "config.json", "model.safetensors", "vocab.json", "merges.txt")
	if err != nil {
		t.Fatal(err)
	}
	h := hubtest.New("openai-community/gpt2", files, "model.safetensors")
	t.Cleanup(h.Close)
	isolate(t)
	t.Setenv("HF_ENDPOINT", h.Hub.URL)
	return h
}

// download, then generate by name offline from the cache.
func TestDownloadThenGenerateOffline(t *testing.T) {
	h := fakeHub(t)
	cache := t.TempDir()
	r := runCLIKeepEnv(t, "", "--cache-dir", cache, "download", "small", "--dtype", "f16")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	path := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(path, cache) || !strings.HasSuffix(path, "model.f16.gguf") {
		t.Fatalf("download printed %q", path)
	}
	if !strings.Contains(r.stderr, "openai-community/gpt2") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("summary: %q", r.stderr)
	}
	requests := h.Requests.Load()
	g := runCLIKeepEnv(t, "", "--cache-dir", cache, "--offline", "--model", "small", "generate", "--temperature", "0", "--max-tokens", "20", "--ignore-eos", "--format", "json", refPrompts(t)[0].Text)
	var s jsonSample
	if err := json.Unmarshal([]byte(g.stdout), &s); err != nil || g.code != 0 {
		t.Fatalf("%+v", g)
	}
	if h.Requests.Load() != requests {
		t.Fatal("offline generate talked to the hub")
	}
	want := refPrompts(t)[0].Greedy.IDs
	for i := range want {
		if s.Tokens[i] != want[i] {
			t.Fatalf("greedy from the downloaded model: %v, want %v", s.Tokens, want)
		}
	}
	// GPT2_OFFLINE and HF_HUB_OFFLINE mean the same
	for _, env := range []string{"GPT2_OFFLINE", "HF_HUB_OFFLINE"} {
		t.Setenv(env, "1")
		r := runCLIKeepEnv(t, "", "--cache-dir", t.TempDir(), "generate", "x")
		if r.code != 1 || !strings.Contains(r.stderr, "offline") {
			t.Fatalf("%s: %+v", env, r)
		}
		os.Unsetenv(env)
	}
}

// generate fetches the model on first use.
func TestGenerateDownloadsOnFirstUse(t *testing.T) {
	h := fakeHub(t)
	cache := t.TempDir()
	r := runCLIKeepEnv(t, "", "--cache-dir", cache, "-q", "generate", "--max-tokens", "5", "Hello")
	if r.code != 0 || r.stdout == "" || r.stderr != "" {
		t.Fatalf("%+v", r)
	}
	if h.BlobGETs.Load() != 1 {
		t.Fatalf("%d downloads of the weights", h.BlobGETs.Load())
	}
	if _, err := os.Stat(filepath.Join(cache, "gguf", "models--openai-community--gpt2", h.Commit, "model.f32.gguf")); err != nil {
		t.Fatal("not converted into the cache:", err)
	}
	// the second run uses the cache
	r = runCLIKeepEnv(t, "", "--cache-dir", cache, "-q", "generate", "--max-tokens", "5", "Hello")
	if r.code != 0 || h.BlobGETs.Load() != 1 {
		t.Fatalf("%+v", r)
	}
}

func TestDownloadErrors(t *testing.T) {
	h := fakeHub(t)
	cache := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"download", "nobody/nothing"}, 1, "repository nobody/nothing not found"},
		{[]string{"download", "small@v9"}, 1, `revision "v9" not found in openai-community/gpt2`},
		{[]string{"download", "small", "--revision", "v9"}, 1, `revision "v9" not found`},
		{[]string{"download", "not a name"}, 2, "not small|medium|large|xl"},
		{[]string{"download", "--dtype", "q4", "small"}, 2, "--dtype"},
		{[]string{"--model", "nobody/nothing", "generate", "x"}, 1, "repository nobody/nothing not found"},
	} {
		r := runCLIKeepEnv(t, "", append([]string{"--cache-dir", cache}, c.args...)...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: %+v", c.args, r)
		}
	}
	delete(h.Files, "model.safetensors")
	r := runCLIKeepEnv(t, "", "--cache-dir", cache, "download", "small")
	if r.code != 1 || !strings.Contains(r.stderr, "has no file model.safetensors") {
		t.Errorf("missing file: %+v", r)
	}
}

// A model already in a Hugging Face cache is used without any network.
func TestExistingHFCache(t *testing.T) {
	h := fakeHub(t)
	hfCache := t.TempDir()
	r := runCLIKeepEnv(t, "", "--cache-dir", hfCache, "download", "--no-convert", "small")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	t.Setenv("HF_HUB_CACHE", filepath.Join(hfCache, "hub"))
	t.Setenv("HF_ENDPOINT", "http://127.0.0.1:1") // nothing listens there
	before := h.Requests.Load()
	g := runCLIKeepEnv(t, "", "--cache-dir", t.TempDir(), "--model", "small", "score", "Hello world")
	if g.code != 0 || !strings.Contains(g.stdout, `"tokens":[15496,995]`) {
		t.Fatalf("%+v", g)
	}
	if h.Requests.Load() != before {
		t.Fatal("the hub was asked")
	}
}
