package checkpoint

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkOpenGGUFSmall times opening a GPT-2-small-sized GGUF (random f16
// weights, written once to a temporary file): parse, map, check shapes.
func BenchmarkOpenGGUFSmall(b *testing.B) {
	cfg, _ := Standard("small")
	m := randomModel(cfg, F16, 1)
	v, err := loadHFVocab(tinyDir) // with GPT-2's tokenizer inside, as real files have
	if err != nil {
		b.Fatal(err)
	}
	m.Vocab = v
	path := filepath.Join(b.TempDir(), "small.gguf")
	if err := m.WriteFile(context.Background(), path, F16); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		g, err := OpenGGUF(path)
		if err != nil {
			b.Fatal(err)
		}
		g.Close()
	}
}
