package checkpoint

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gpt2/internal/hubtest"
)

func tinyFiles(t *testing.T) map[string][]byte {
	files, err := hubtest.ReadFiles(tinyDir, "config.json", "model.safetensors", "vocab.json", "merges.txt")
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func newTestHub(t *testing.T) (*hubtest.Hub, *Hub) {
	fake := hubtest.New("openai-community/gpt2", tinyFiles(t), "model.safetensors")
	t.Cleanup(fake.Close)
	h := &Hub{Endpoint: fake.Hub.URL, CacheDir: filepath.Join(t.TempDir(), "hub"), Backoff: time.Millisecond, Token: "secret"}
	return fake, h
}

var ref = Ref{"openai-community/gpt2", "main"}

func checkSnapshot(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: wrong bytes (%v)", name, err)
		}
	}
	if _, err := LoadHF(dir); err != nil {
		t.Fatal(err)
	}
}

func TestHubDownload(t *testing.T) {
	fake, h := newTestHub(t)
	dir, commit, err := h.Download(context.Background(), ref, RequiredFiles, OptionalFiles)
	if err != nil {
		t.Fatal(err)
	}
	if commit != fake.Commit || dir != filepath.Join(h.CacheDir, "models--openai-community--gpt2", "snapshots", commit) {
		t.Fatalf("dir %s commit %s", dir, commit)
	}
	checkSnapshot(t, dir, fake.Files)
	// the hub layout: refs/main, blobs by etag, snapshot symlinks
	if b, _ := os.ReadFile(filepath.Join(h.CacheDir, "models--openai-community--gpt2", "refs", "main")); string(b) != commit {
		t.Fatalf("refs/main = %q", b)
	}
	if target, err := os.Readlink(filepath.Join(dir, "model.safetensors")); err != nil || !strings.HasPrefix(target, "../../blobs/") {
		t.Fatalf("snapshot link %q %v", target, err)
	}
	if fake.AuthOnStorage.Load() {
		t.Fatal("the token was sent to the storage host")
	}
	// found again by name, without asking the hub
	before := fake.Requests.Load()
	snap, c, ok := FindSnapshot([]string{h.CacheDir}, ref)
	if !ok || snap != dir || c != commit {
		t.Fatal("snapshot not found in the cache")
	}
	if _, _, err := h.Download(context.Background(), ref, RequiredFiles, OptionalFiles); err != nil {
		t.Fatal(err)
	}
	if fake.BlobGETs.Load() != 1 || fake.Requests.Load()-before != 5 { // 5 HEADs (generation_config.json is absent), no GET
		t.Fatalf("a second download fetched again: %d blob GETs, %d requests", fake.BlobGETs.Load(), fake.Requests.Load()-before)
	}
}

func TestHubResumesDroppedConnection(t *testing.T) {
	fake, h := newTestHub(t)
	size := int64(len(fake.Files["model.safetensors"]))
	fake.DropAfter.Store(size / 2)
	dir, _, err := h.Download(context.Background(), ref, RequiredFiles, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshot(t, dir, map[string][]byte{"model.safetensors": fake.Files["model.safetensors"]})
	if fake.RangeGETs.Load() != 1 || fake.RangeStarts[0] != size/2 {
		t.Fatalf("resume: %d range requests from %v, want one from %d", fake.RangeGETs.Load(), fake.RangeStarts, size/2)
	}
}

// A partial file left by an interrupted run is resumed, not restarted.
func TestHubResumesEarlierPartial(t *testing.T) {
	fake, h := newTestHub(t)
	data := fake.Files["model.safetensors"]
	blob := filepath.Join(h.CacheDir, "models--openai-community--gpt2", "blobs", sha256hex(data))
	os.MkdirAll(filepath.Dir(blob), 0o755)
	os.WriteFile(blob+".incomplete", data[:1000], 0o644)
	if _, _, err := h.Download(context.Background(), ref, RequiredFiles, nil); err != nil {
		t.Fatal(err)
	}
	if fake.BlobGETs.Load() != 0 || len(fake.RangeStarts) != 1 || fake.RangeStarts[0] != 1000 {
		t.Fatalf("not resumed: %d full GETs, ranges %v", fake.BlobGETs.Load(), fake.RangeStarts)
	}
	if got, _ := os.ReadFile(blob); !bytes.Equal(got, data) {
		t.Fatal("wrong bytes")
	}
}

func TestHubRetries503(t *testing.T) {
	fake, h := newTestHub(t)
	fake.Fail503.Store(2)
	dir, _, err := h.Download(context.Background(), ref, RequiredFiles, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshot(t, dir, map[string][]byte{"model.safetensors": fake.Files["model.safetensors"]})
	fake.Fail503.Store(100)
	h2 := &Hub{Endpoint: fake.Hub.URL, CacheDir: t.TempDir(), Backoff: time.Millisecond, Attempts: 3}
	if _, _, err := h2.Download(context.Background(), ref, RequiredFiles, nil); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("persistent 503: %v", err)
	}
}

func TestHubWrongSHA(t *testing.T) {
	fake, h := newTestHub(t)
	fake.WrongSHA = true
	_, _, err := h.Download(context.Background(), ref, RequiredFiles, nil)
	if err == nil || !strings.Contains(err.Error(), "SHA-256 mismatch") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("%v", err)
	}
	blobs, _ := os.ReadDir(filepath.Join(h.CacheDir, "models--openai-community--gpt2", "blobs"))
	for _, b := range blobs {
		if len(b.Name()) == 64 || strings.HasSuffix(b.Name(), ".incomplete") {
			t.Fatalf("left %s in the cache", b.Name())
		}
	}
	if _, _, ok := FindSnapshot([]string{h.CacheDir}, ref); ok {
		t.Fatal("a snapshot exists after a failed download")
	}
}

func TestHubConcurrentDownloads(t *testing.T) {
	fake, h := newTestHub(t)
	fake.DropAfter.Store(0)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			hi := *h
			_, _, errs[i] = hi.Download(context.Background(), ref, RequiredFiles, OptionalFiles)
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := fake.BlobGETs.Load() + fake.RangeGETs.Load(); n != 1 {
		t.Fatalf("the large file was fetched %d times", n)
	}
	dir, _, _ := FindSnapshot([]string{h.CacheDir}, ref)
	checkSnapshot(t, dir, fake.Files)
}

func TestHubErrors(t *testing.T) {
	fake, h := newTestHub(t)
	cases := []struct {
		ref  Ref
		file string
		want string
	}{
		{Ref{"nobody/nothing", "main"}, "config.json", "repository nobody/nothing not found"},
		{ref, "nope.bin", "openai-community/gpt2 has no file nope.bin at revision main"},
		{Ref{ref.Repo, "v9"}, "config.json", `revision "v9" not found in openai-community/gpt2`},
	}
	for _, c := range cases {
		_, _, err := h.Download(context.Background(), c.ref, []string{c.file}, nil)
		var he *HubError
		if err == nil || !errors.As(err, &he) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v %s: %v", c.ref, c.file, err)
		}
	}
	fake.Gated = true
	_, _, err := h.Download(context.Background(), ref, RequiredFiles, nil)
	if err == nil || !strings.Contains(err.Error(), "gated") {
		t.Errorf("gated: %v", err)
	}
	fake.Gated = false
	fake.RequireToken = "other"
	_, _, err = h.Download(context.Background(), ref, RequiredFiles, nil)
	if err == nil || !strings.Contains(err.Error(), "HF_TOKEN") {
		t.Errorf("private: %v", err)
	}
	// no network at all
	dead := &Hub{Endpoint: "http://127.0.0.1:1", CacheDir: t.TempDir(), Backoff: time.Millisecond, Attempts: 2}
	_, _, err = dead.Download(context.Background(), ref, RequiredFiles, nil)
	if err == nil || !strings.Contains(err.Error(), "cannot reach http://127.0.0.1:1") {
		t.Errorf("no network: %v", err)
	}
}

func TestHubToken(t *testing.T) {
	fake, h := newTestHub(t)
	fake.RequireToken = "secret"
	if _, _, err := h.Download(context.Background(), ref, RequiredFiles, nil); err != nil {
		t.Fatal(err)
	}
	if fake.AuthOnStorage.Load() {
		t.Fatal("the token followed the redirect to the storage host")
	}
}

func TestFindExistingHFCache(t *testing.T) {
	fake, h := newTestHub(t)
	if _, _, err := h.Download(context.Background(), ref, RequiredFiles, OptionalFiles); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HF_HUB_CACHE", h.CacheDir)
	loc, err := Locate("small", t.TempDir(), AnyDType)
	if err != nil || loc.Commit != fake.Commit || loc.Ref.Repo != "openai-community/gpt2" {
		t.Fatalf("%+v %v", loc, err)
	}
	if _, err := Locate("small@v2", t.TempDir(), AnyDType); !errors.Is(err, ErrNotCached) {
		t.Fatalf("unknown revision found: %v", err)
	}
}

func sha256hex(b []byte) string {
	return hubtestSHA(b)
}
