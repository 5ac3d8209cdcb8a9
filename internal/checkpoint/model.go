package checkpoint

import (
	"fmt"
	"slices"
)

// Model is a GPT-2 checkpoint in memory: its shape, its tensors under
// llama.cpp's names and orientation, and the tokenizer it came with.
type Model struct {
	Config  Config
	Tensors map[string]*Tensor
	// Vocab is the tokenizer stored with the model (byte-level token strings
	// by id, and merges in rank order); nil when it has none.
	Vocab *Vocab
	// Path is where the model was read from.
	Path  string
	close func() error
}

// Vocab is a GPT-2 BPE vocabulary as GGUF stores it.
type Vocab struct {
	Tokens []string
	Merges []string
	EOS    int
}

// Close releases the file mapping behind the tensors (if any). The tensors
// must not be used afterwards.
func (m *Model) Close() error {
	if m.close == nil {
		return nil
	}
	c := m.close
	m.close = nil
	return c()
}

// Tensor names in llama.cpp's gpt2 architecture.
const (
	TokenEmbd    = "token_embd.weight"
	PositionEmbd = "position_embd.weight"
	OutputNormW  = "output_norm.weight"
	OutputNormB  = "output_norm.bias"
	Output       = "output.weight"
)

// BlockTensor names a tensor of block i, e.g. BlockTensor(3, "attn_qkv.weight").
func BlockTensor(i int, name string) string { return fmt.Sprintf("blk.%d.%s", i, name) }

// expectedShapes lists every tensor a model of config c must have, with its
// GGUF shape (contiguous dimension first).
func expectedShapes(c Config) map[string][]int {
	e, v, p, f := c.NEmbd, c.VocabSize, c.NCtx, c.NInner
	m := map[string][]int{
		TokenEmbd:    {e, v},
		PositionEmbd: {e, p},
		OutputNormW:  {e},
		OutputNormB:  {e},
	}
	for i := 0; i < c.NLayer; i++ {
		for name, shape := range map[string][]int{
			"attn_norm.weight":   {e},
			"attn_norm.bias":     {e},
			"attn_qkv.weight":    {e, 3 * e},
			"attn_qkv.bias":      {3 * e},
			"attn_output.weight": {e, e},
			"attn_output.bias":   {e},
			"ffn_norm.weight":    {e},
			"ffn_norm.bias":      {e},
			"ffn_up.weight":      {e, f},
			"ffn_up.bias":        {f},
			"ffn_down.weight":    {f, e},
			"ffn_down.bias":      {e},
		} {
			m[BlockTensor(i, name)] = shape
		}
	}
	return m
}

// Check verifies that every tensor the config calls for is there with its
// shape, and that the tokenizer (if any) fits the vocabulary.
func (m *Model) Check() error {
	if err := m.Config.check(); err != nil {
		return err
	}
	want := expectedShapes(m.Config)
	for name, shape := range want {
		t, ok := m.Tensors[name]
		if !ok {
			return fmt.Errorf("missing tensor %q", name)
		}
		if !sameShape(t.Shape, shape) {
			return fmt.Errorf("tensor %q has shape %v, the config calls for %v", name, t.Shape, shape)
		}
	}
	if t, ok := m.Tensors[Output]; ok && !sameShape(t.Shape, want[TokenEmbd]) {
		return fmt.Errorf("tensor %q has shape %v, the config calls for %v", Output, t.Shape, want[TokenEmbd])
	}
	if m.Vocab != nil && len(m.Vocab.Tokens) != m.Config.VocabSize {
		return fmt.Errorf("tokenizer has %d tokens, the model %d", len(m.Vocab.Tokens), m.Config.VocabSize)
	}
	return nil
}

func sameShape(a, b []int) bool {
	// trailing 1s are the same shape (ggml pads shapes with ones)
	for len(a) > 1 && a[len(a)-1] == 1 {
		a = a[:len(a)-1]
	}
	for len(b) > 1 && b[len(b)-1] == 1 {
		b = b[:len(b)-1]
	}
	return slices.Equal(a, b)
}

// TensorNames returns the model's tensor names in the order llama.cpp
// writes them.
func (m *Model) TensorNames() []string {
	names := []string{TokenEmbd, PositionEmbd}
	for i := 0; i < m.Config.NLayer; i++ {
		for _, n := range []string{"attn_norm.weight", "attn_norm.bias", "attn_qkv.weight", "attn_qkv.bias",
			"attn_output.weight", "attn_output.bias", "ffn_norm.weight", "ffn_norm.bias",
			"ffn_up.weight", "ffn_up.bias", "ffn_down.weight", "ffn_down.bias"} {
			names = append(names, BlockTensor(i, n))
		}
	}
	names = append(names, OutputNormW, OutputNormB)
	if _, ok := m.Tensors[Output]; ok {
		names = append(names, Output)
	}
	return names
}

// TensorType is the storage type of a tensor (F32 if absent).
func (m *Model) TensorType(name string) DType {
	if t, ok := m.Tensors[name]; ok {
		return t.Type
	}
	return F32
}

// ParamCount is the number of weights (a tied output layer counted once).
func (m *Model) ParamCount() int64 {
	var n int64
	for _, t := range m.Tensors {
		n += int64(t.Elements())
	}
	return n
}
