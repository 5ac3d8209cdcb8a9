// Package transformer is the GPT-2 model: weights, the forward pass with a
// KV cache over several sequences at once, sampling, generation and
// scoring. Its semantics are Hugging Face's GPT2LMHeadModel.
package transformer

import (
	"fmt"

	"gpt2/internal/checkpoint"
	"gpt2/internal/kernels"
	"gpt2/internal/tokenizer"
)

// Model is a loaded GPT-2 ready to run: weight matrices as kernel views of
// the checkpoint's storage (no copy for a mapped GGUF), small vectors
// widened to f32, and the tokenizer.
type Model struct {
	Config checkpoint.Config
	Tok    *tokenizer.Tokenizer
	EOS    int

	wte    kernels.Matrix // vocab × embd, token embeddings
	wpe    []float32      // ctx × embd, position embeddings
	blocks []block
	lnfG   []float32
	lnfB   []float32
	out    kernels.Matrix // vocab × embd: wte itself when tied

	kernels *kernels.Variant
	pool    *kernels.Pool
	ckpt    *checkpoint.Model
}

type block struct {
	ln1G, ln1B []float32
	qkv        linear // embd → 3·embd: [q | k | v]
	proj       linear // embd → embd
	ln2G, ln2B []float32
	fc         linear // embd → inner
	fcProj     linear // inner → embd
}

type linear struct {
	w kernels.Matrix // out × in
	b []float32
}

// Options choose how the model runs.
type Options struct {
	Threads int              // goroutines for matrix work; <1 means 1
	Kernels *kernels.Variant // nil means kernels.Default
}

// New prepares a checkpoint for running. The model keeps using ckpt's
// storage: close ckpt only after the model is done.
func New(ckpt *checkpoint.Model, opts Options) (*Model, error) {
	if err := ckpt.Check(); err != nil {
		return nil, err
	}
	c := ckpt.Config
	m := &Model{Config: c, kernels: opts.Kernels, ckpt: ckpt}
	if m.kernels == nil {
		m.kernels = kernels.Default
	}
	var err error
	mat := func(name string, rows, cols int) kernels.Matrix {
		if err != nil {
			return kernels.Matrix{}
		}
		t := ckpt.Tensors[name]
		var mm kernels.Matrix
		mm, err = kernels.NewMatrix(t.Type.Kernel(), rows, cols, t.Data)
		if err != nil {
			err = fmt.Errorf("tensor %q: %v", name, err)
		}
		return mm
	}
	vec := func(name string) []float32 { return ckpt.Tensors[name].Float32() }
	e, f := c.NEmbd, c.NInner
	m.wte = mat(checkpoint.TokenEmbd, c.VocabSize, e)
	m.wpe = vec(checkpoint.PositionEmbd)
	for i := 0; i < c.NLayer; i++ {
		bt := func(n string) string { return checkpoint.BlockTensor(i, n) }
		m.blocks = append(m.blocks, block{
			ln1G:   vec(bt("attn_norm.weight")),
			ln1B:   vec(bt("attn_norm.bias")),
			qkv:    linear{mat(bt("attn_qkv.weight"), 3*e, e), vec(bt("attn_qkv.bias"))},
			proj:   linear{mat(bt("attn_output.weight"), e, e), vec(bt("attn_output.bias"))},
			ln2G:   vec(bt("ffn_norm.weight")),
			ln2B:   vec(bt("ffn_norm.bias")),
			fc:     linear{mat(bt("ffn_up.weight"), f, e), vec(bt("ffn_up.bias"))},
			fcProj: linear{mat(bt("ffn_down.weight"), e, f), vec(bt("ffn_down.bias"))},
		})
	}
	m.lnfG = vec(checkpoint.OutputNormW)
	m.lnfB = vec(checkpoint.OutputNormB)
	m.out = m.wte
	if _, ok := ckpt.Tensors[checkpoint.Output]; ok {
		m.out = mat(checkpoint.Output, c.VocabSize, e)
	}
	if err != nil {
		return nil, err
	}
	if m.Tok, m.EOS, err = modelTokenizer(ckpt); err != nil {
		return nil, err
	}
	m.pool = kernels.NewPool(opts.Threads)
	m.preparePanels()
	return m, nil
}

// preparePanels lays out the q8_0 matrices for the int8 kernels, where the
// variant has them (kernels.PreparePanels): the layers' four products and
// the output layer. The embedding lookups keep reading the stored rows.
func (m *Model) preparePanels() {
	kernels.PreparePanels(m.kernels, m.pool, m.products()...)
}

// products are the weight matrices the forward pass multiplies by.
func (m *Model) products() []*kernels.Matrix {
	var ws []*kernels.Matrix
	for i := range m.blocks {
		b := &m.blocks[i]
		ws = append(ws, &b.qkv.w, &b.proj.w, &b.fc.w, &b.fcProj.w)
	}
	return append(ws, &m.out)
}

// modelTokenizer is the tokenizer stored with the checkpoint, or GPT-2's
// own when it has none.
func modelTokenizer(ckpt *checkpoint.Model) (*tokenizer.Tokenizer, int, error) {
	if ckpt.Vocab == nil {
		tok := tokenizer.GPT2()
		if tok.VocabSize() > ckpt.Config.VocabSize {
			return nil, 0, fmt.Errorf("the model has %d tokens and no tokenizer of its own; GPT-2's has %d", ckpt.Config.VocabSize, tok.VocabSize())
		}
		return tok, tok.EOT(), nil
	}
	tok, err := tokenizer.New(ckpt.Vocab.Tokens, ckpt.Vocab.Merges)
	if err != nil {
		return nil, 0, fmt.Errorf("tokenizer: %v", err)
	}
	eos := ckpt.Vocab.EOS
	if eos < 0 {
		eos = tok.EOT()
	}
	return tok, eos, nil
}

// Close stops the model's worker threads. The checkpoint stays open.
func (m *Model) Close() { m.pool.Close() }

// Threads is the number of goroutines the model computes with.
func (m *Model) Threads() int { return m.pool.Threads() }

// Kernels is the kernel variant in use.
func (m *Model) Kernels() *kernels.Variant { return m.kernels }

// WeightBytes is how many bytes of weights one decode step reads: every
// matrix once (the output layer included), plus the small vectors.
func (m *Model) WeightBytes() int64 {
	n := int64(m.out.Bytes())
	for _, b := range m.blocks {
		for _, l := range []linear{b.qkv, b.proj, b.fc, b.fcProj} {
			n += int64(l.w.Bytes()) + 4*int64(len(l.b))
		}
		n += 4 * int64(len(b.ln1G)+len(b.ln1B)+len(b.ln2G)+len(b.ln2B))
	}
	return n
}

// FlopsPerToken is the multiply-adds ×2 of the weight matrices for one
// token, without the output layer (prefill computes logits only for the
// last position) and without attention.
func (m *Model) FlopsPerToken() int64 {
	c := m.Config
	per := int64(c.NEmbd)*int64(3*c.NEmbd) + int64(c.NEmbd)*int64(c.NEmbd) + 2*int64(c.NEmbd)*int64(c.NInner)
	return 2 * per * int64(c.NLayer)
}

// tailFlops is the part of FlopsPerToken past the last block's attention
// (its projection and MLP), which Forward runs only for the rows asked for
// logits.
func (m *Model) tailFlops() int64 {
	c := m.Config
	return 2 * (int64(c.NEmbd)*int64(c.NEmbd) + 2*int64(c.NEmbd)*int64(c.NInner))
}
