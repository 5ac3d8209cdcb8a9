package checkpoint

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
)

// OpenGGUF memory-maps a GGUF GPT-2 file; the model's tensors are views into
// the mapping (no copy) until Close.
func OpenGGUF(path string) (*Model, error) {
	data, unmap, err := mapFile(path)
	if err != nil {
		return nil, err
	}
	m, err := modelFromGGUFBytes(data)
	if err != nil {
		unmap()
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	m.Path = path
	m.close = unmap
	return m, nil
}

func modelFromGGUFBytes(data []byte) (*Model, error) {
	g, err := ParseGGUF(data)
	if err != nil {
		return nil, err
	}
	m, err := modelFromGGUF(g)
	if err != nil {
		return nil, err
	}
	return m, m.Check()
}

func modelFromGGUF(g *GGUF) (*Model, error) {
	arch, _ := g.Lookup("general.architecture")
	if arch != "gpt2" {
		return nil, fmt.Errorf("architecture %v is not gpt2", arch)
	}
	c := Config{Activation: "gelu_new"}
	if name, ok := g.Lookup("general.name"); ok {
		c.Name, _ = name.(string)
	}
	ints := []struct {
		key string
		dst *int
	}{
		{"gpt2.block_count", &c.NLayer},
		{"gpt2.attention.head_count", &c.NHead},
		{"gpt2.embedding_length", &c.NEmbd},
		{"gpt2.context_length", &c.NCtx},
		{"gpt2.feed_forward_length", &c.NInner},
	}
	for _, k := range ints {
		v, ok := g.Lookup(k.key)
		if !ok {
			return nil, fmt.Errorf("metadata %q is missing", k.key)
		}
		u, ok := asUint(v)
		if !ok || u > math.MaxInt32 {
			return nil, fmt.Errorf("metadata %q = %v is not a count", k.key, v)
		}
		*k.dst = int(u)
	}
	if v, ok := g.Lookup("gpt2.attention.layer_norm_epsilon"); ok {
		f, ok := asFloat(v)
		if !ok {
			return nil, fmt.Errorf("metadata gpt2.attention.layer_norm_epsilon = %v is not a number", v)
		}
		c.Eps = float32(f)
	} else {
		c.Eps = 1e-5
	}
	if v, ok := g.Lookup("gpt2.activation_function"); ok {
		c.Activation, _ = v.(string)
	}
	m := &Model{Config: c, Tensors: map[string]*Tensor{}}
	for _, t := range g.Tensors {
		m.Tensors[t.Name] = t
	}
	if emb, ok := m.Tensors[TokenEmbd]; ok && len(emb.Shape) == 2 {
		m.Config.VocabSize = emb.Shape[1]
	} else {
		return nil, fmt.Errorf("missing tensor %q", TokenEmbd)
	}
	if v, ok := g.Lookup("tokenizer.ggml.tokens"); ok {
		tokens, ok := v.([]string)
		if !ok {
			return nil, fmt.Errorf("metadata tokenizer.ggml.tokens is not a list of strings")
		}
		if model, _ := g.Lookup("tokenizer.ggml.model"); model != "gpt2" {
			return nil, fmt.Errorf("tokenizer %v is not GPT-2's BPE", model)
		}
		merges, _ := g.Lookup("tokenizer.ggml.merges")
		ms, ok := merges.([]string)
		if !ok {
			return nil, fmt.Errorf("metadata tokenizer.ggml.merges is missing or not a list of strings")
		}
		m.Vocab = &Vocab{Tokens: tokens, Merges: ms, EOS: -1}
		if e, ok := g.Lookup("tokenizer.ggml.eos_token_id"); ok {
			if u, ok := asUint(e); ok && u < uint64(len(tokens)) {
				m.Vocab.EOS = int(u)
			}
		}
	}
	return m, nil
}

// ggufMetadata is the metadata llama.cpp's gpt2 converter writes.
func (m *Model) ggufMetadata(fileType DType) []KV {
	c := m.Config
	name := c.Name
	if name == "" {
		name = "gpt2"
	}
	kvs := []KV{
		{"general.architecture", "gpt2"},
		{"general.type", "model"},
		{"general.name", name},
		{"gpt2.context_length", uint32(c.NCtx)},
		{"gpt2.embedding_length", uint32(c.NEmbd)},
		{"gpt2.feed_forward_length", uint32(c.NInner)},
		{"gpt2.block_count", uint32(c.NLayer)},
		{"gpt2.attention.head_count", uint32(c.NHead)},
		{"gpt2.attention.layer_norm_epsilon", c.Eps},
		{"general.file_type", fileType.fileType()},
		{"general.quantization_version", uint32(2)},
	}
	if c.Activation != "gelu_new" {
		kvs = append(kvs, KV{"gpt2.activation_function", c.Activation})
	}
	if v := m.Vocab; v != nil {
		types := make([]int32, len(v.Tokens))
		for i := range types {
			types[i] = 1 // normal
		}
		if v.EOS >= 0 {
			types[v.EOS] = 3 // control
		}
		kvs = append(kvs,
			KV{"tokenizer.ggml.model", "gpt2"},
			KV{"tokenizer.ggml.pre", "gpt-2"},
			KV{"tokenizer.ggml.tokens", v.Tokens},
			KV{"tokenizer.ggml.token_type", types},
			KV{"tokenizer.ggml.merges", v.Merges},
		)
		if v.EOS >= 0 {
			kvs = append(kvs,
				KV{"tokenizer.ggml.bos_token_id", uint32(v.EOS)},
				KV{"tokenizer.ggml.eos_token_id", uint32(v.EOS)})
		}
	}
	return kvs
}

// WriteFile stores the model as a GGUF file at path. It writes a temporary
// file beside path and renames it into place only when complete, so an
// interrupted (ctx cancelled) or failed write leaves nothing behind.
func (m *Model) WriteFile(ctx context.Context, path string, fileType DType) (err error) {
	tmp, err := os.CreateTemp(dirOf(path), ".gpt2-convert-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	tensors := make([]*Tensor, 0, len(m.Tensors))
	for _, n := range m.TensorNames() {
		tensors = append(tensors, m.Tensors[n])
	}
	if err = WriteGGUF(ctxWriter{ctx, tmp}, m.ggufMetadata(fileType), tensors); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ctxWriter stops a long write when its context is cancelled.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
