package checkpoint

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Aliases are the OpenAI sizes by their short names.
var Aliases = map[string]string{
	"small":  "openai-community/gpt2",
	"medium": "openai-community/gpt2-medium",
	"large":  "openai-community/gpt2-large",
	"xl":     "openai-community/gpt2-xl",
}

// Ref names a repository on the Hugging Face hub at a revision.
type Ref struct {
	Repo     string // owner/name
	Revision string // branch, tag or commit; "main" by default
}

func (r Ref) String() string {
	if r.Revision == "main" {
		return r.Repo
	}
	return r.Repo + "@" + r.Revision
}

var repoPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$`)

// ParseRef reads small|medium|large|xl or owner/name[@revision].
func ParseRef(spec string) (Ref, bool) {
	name, rev, _ := strings.Cut(spec, "@")
	if rev == "" {
		rev = "main"
	}
	if repo, ok := Aliases[name]; ok {
		return Ref{repo, rev}, true
	}
	if repoPattern.MatchString(name) && !strings.Contains(name, "..") {
		return Ref{name, rev}, true
	}
	return Ref{}, false
}

// HubCacheDirs are the Hugging Face hub caches to search: gpt2's own first,
// then $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub.
func HubCacheDirs(cacheDir string) []string {
	dirs := []string{filepath.Join(cacheDir, "hub")}
	switch {
	case os.Getenv("HF_HUB_CACHE") != "":
		dirs = append(dirs, os.Getenv("HF_HUB_CACHE"))
	case os.Getenv("HF_HOME") != "":
		dirs = append(dirs, filepath.Join(os.Getenv("HF_HOME"), "hub"))
	default:
		if home, err := os.UserHomeDir(); err == nil {
			dirs = append(dirs, filepath.Join(home, ".cache", "huggingface", "hub"))
		}
	}
	return dirs
}

// repoFolder is the hub cache's folder name of a model repository.
func repoFolder(repo string) string { return "models--" + strings.ReplaceAll(repo, "/", "--") }

var commitPattern = regexp.MustCompile(`^[0-9a-f]{40}$`)

// FindSnapshot looks for the repository at the revision in the hub caches
// and returns its snapshot directory and commit, if its files are there.
func FindSnapshot(dirs []string, ref Ref) (dir, commit string, ok bool) {
	for _, root := range dirs {
		base := filepath.Join(root, repoFolder(ref.Repo))
		commit := ref.Revision
		if !commitPattern.MatchString(commit) {
			b, err := os.ReadFile(filepath.Join(base, "refs", ref.Revision))
			if err != nil {
				continue
			}
			commit = strings.TrimSpace(string(b))
		}
		snap := filepath.Join(base, "snapshots", commit)
		if fileExists(filepath.Join(snap, "config.json")) && fileExists(filepath.Join(snap, "model.safetensors")) {
			return snap, commit, true
		}
	}
	return "", "", false
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// GGUFPath is where the converted GGUF of a hub snapshot lives in gpt2's
// cache (beside, not inside, the hub layout, so that the hub cache stays
// exactly as huggingface_hub expects it).
func GGUFPath(cacheDir, repo, commit string, dt DType) string {
	return filepath.Join(cacheDir, "gguf", repoFolder(repo), commit, "model."+dt.String()+".gguf")
}

// ErrNotCached reports a hub model that is not on this machine.
var ErrNotCached = errors.New("not on this machine")

// Located is where a --model value was found.
type Located struct {
	Path   string // a .gguf file or a Hugging Face directory
	Ref    *Ref   // set for hub models
	Commit string
}

// Locate finds a model already on this machine: a path to a .gguf file or
// a Hugging Face directory, or a hub name in the caches. For a hub model it
// prefers the converted GGUF of type want (with AnyDType, whichever exists,
// most precise first), then the snapshot itself.
func Locate(spec, cacheDir string, want DType) (Located, error) {
	if st, err := os.Stat(spec); err == nil {
		if st.IsDir() {
			if !fileExists(filepath.Join(spec, "config.json")) {
				return Located{}, fmt.Errorf("%s: a model directory needs config.json and model.safetensors", spec)
			}
		}
		return Located{Path: spec}, nil
	}
	if strings.HasSuffix(spec, ".gguf") || strings.HasPrefix(spec, ".") || strings.HasPrefix(spec, "/") {
		return Located{}, fmt.Errorf("%s: no such file or directory", spec)
	}
	ref, ok := ParseRef(spec)
	if !ok {
		return Located{}, fmt.Errorf("%q is not a file, a directory, small|medium|large|xl, or owner/name", spec)
	}
	snap, commit, found := FindSnapshot(HubCacheDirs(cacheDir), ref)
	if !found {
		return Located{Ref: &ref}, ErrNotCached
	}
	types := []DType{want}
	if want == AnyDType {
		types = []DType{F32, BF16, F16, Q8_0}
	}
	for _, dt := range types {
		if p := GGUFPath(cacheDir, ref.Repo, commit, dt); fileExists(p) {
			return Located{Path: p, Ref: &ref, Commit: commit}, nil
		}
	}
	return Located{Path: snap, Ref: &ref, Commit: commit}, nil
}

// AnyDType asks Locate for whichever converted file exists.
const AnyDType DType = 0xffffffff
