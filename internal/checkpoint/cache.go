package checkpoint

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
)

// CacheDir is where gpt2 keeps downloaded and converted models: dir when
// given (--cache-dir, GPT2_CACHE_DIR), else $XDG_CACHE_HOME/gpt2, else
// ~/.cache/gpt2.
func CacheDir(dir string) string {
	if dir != "" {
		return dir
	}
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" {
		return filepath.Join(x, "gpt2")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".cache", "gpt2")
	}
	return filepath.Join(os.TempDir(), "gpt2-cache")
}

// ConvertedPath is where `gpt2 convert` puts the GGUF of a local source
// when no -o is given: in the cache, never beside the user's files, under
// a name that shows the source and cannot collide with another source of
// the same base name.
func ConvertedPath(cacheDir, src string, dt DType) string {
	abs, err := filepath.Abs(src)
	if err != nil {
		abs = src
	}
	sum := sha256.Sum256([]byte(abs))
	base := strings.TrimSuffix(filepath.Base(abs), ".gguf")
	return filepath.Join(cacheDir, "converted", base+"-"+hex.EncodeToString(sum[:4])+"."+dt.String()+".gguf")
}
