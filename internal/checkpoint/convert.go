package checkpoint

import (
	"os"
	"path/filepath"
	"strings"
)

// Retyped returns a copy of the model with its matrices stored as to, the
// way llama.cpp's converter does it: the weight matrices (embeddings,
// attention and MLP, output) take the new type; norms, biases and the
// position embeddings stay f32. A matrix whose rows do not fill whole q8_0
// blocks falls back to f16, as in llama.cpp; their names are returned.
func (m *Model) Retyped(to DType) (out *Model, fellBack []string) {
	out = &Model{Config: m.Config, Vocab: m.Vocab, Path: m.Path, Tensors: map[string]*Tensor{}}
	for name, t := range m.Tensors {
		target := F32
		if isMatrix(name) {
			target = to
			if to.rowBytes(t.Shape[0]) < 0 {
				target = F16
				fellBack = append(fellBack, name)
			}
		}
		out.Tensors[name] = t.Retype(target)
	}
	return out, fellBack
}

// isMatrix says whether a tensor is one of the big weight matrices that
// take the file's type.
func isMatrix(name string) bool {
	if name == TokenEmbd || name == Output {
		return true
	}
	return strings.HasSuffix(name, ".weight") && strings.HasPrefix(name, "blk.") &&
		!strings.HasSuffix(name, "_norm.weight")
}

func dirOf(path string) string {
	d := filepath.Dir(path)
	if d == "" {
		return "."
	}
	return d
}

// Load reads a model from a .gguf file or a Hugging Face directory.
func Load(path string) (*Model, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return LoadHF(path)
	}
	return OpenGGUF(path)
}
