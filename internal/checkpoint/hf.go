package checkpoint

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LoadHF reads a Hugging Face GPT-2 directory: config.json,
// model.safetensors, and vocab.json + merges.txt when present. The weights
// are rearranged in memory into llama.cpp's names and orientation (HF's
// Conv1D stores [in, out]; the engine wants one row per output), keeping
// their dtype.
func LoadHF(dir string) (*Model, error) {
	cfgBytes, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	cfg, err := ParseHFConfig(cfgBytes)
	if err != nil {
		return nil, err
	}
	if cfg.Name == "" {
		cfg.Name = filepath.Base(dir)
	}
	stPath := filepath.Join(dir, "model.safetensors")
	data, unmap, err := mapFile(stPath)
	if err != nil {
		return nil, err
	}
	defer unmap() // the tensors below are copies (transposed or not)
	st, err := ParseSafetensors(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", stPath, err)
	}
	m, err := fromSafetensors(cfg, st)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", stPath, err)
	}
	m.Path = dir
	if m.Vocab, err = loadHFVocab(dir); err != nil {
		return nil, err
	}
	if err := m.Check(); err != nil {
		return nil, fmt.Errorf("%s: %v", dir, err)
	}
	return m, nil
}

// hfName maps a Hugging Face GPT-2 key (without the "transformer." prefix) to
// its llama.cpp name, and says whether HF stores it as a Conv1D [in, out]
// matrix that must be transposed. ok is false for keys that carry no weights
// the model needs (attention mask buffers, heads of other model classes).
func hfName(key string) (name string, transpose, ok bool) {
	switch key {
	case "wte.weight":
		return TokenEmbd, false, true
	case "wpe.weight":
		return PositionEmbd, false, true
	case "ln_f.weight":
		return OutputNormW, false, true
	case "ln_f.bias":
		return OutputNormB, false, true
	case "lm_head.weight":
		return Output, false, true
	}
	rest, found := strings.CutPrefix(key, "h.")
	if !found {
		return "", false, false
	}
	num, sub, found := strings.Cut(rest, ".")
	layer, err := strconv.Atoi(num)
	if !found || err != nil || layer < 0 {
		return "", false, false
	}
	parts := map[string]string{
		"ln_1": "attn_norm", "attn.c_attn": "attn_qkv", "attn.c_proj": "attn_output",
		"ln_2": "ffn_norm", "mlp.c_fc": "ffn_up", "mlp.c_proj": "ffn_down",
	}
	module, param, found := cutLast(sub, ".")
	gg, known := parts[module]
	if !found || !known || (param != "weight" && param != "bias") {
		return "", false, false // attn.bias, attn.masked_bias and the like
	}
	return BlockTensor(layer, gg+"."+param), param == "weight" && !strings.HasPrefix(module, "ln_"), true
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

func fromSafetensors(cfg Config, st *Safetensors) (*Model, error) {
	m := &Model{Config: cfg, Tensors: map[string]*Tensor{}}
	for key, t := range st.Tensors {
		key = strings.TrimPrefix(key, "transformer.")
		name, transpose, ok := hfName(key)
		if !ok {
			continue
		}
		if _, dup := m.Tensors[name]; dup {
			return nil, fmt.Errorf("tensor %q appears twice (with and without the transformer. prefix?)", key)
		}
		g := &Tensor{Name: name, Type: t.dtype()}
		if len(t.Shape) == 0 {
			return nil, fmt.Errorf("tensor %q is a scalar", key)
		}
		// safetensors shapes are outermost first; GGUF's contiguous first.
		for i := len(t.Shape) - 1; i >= 0; i-- {
			g.Shape = append(g.Shape, t.Shape[i])
		}
		if transpose {
			if len(t.Shape) != 2 {
				return nil, fmt.Errorf("tensor %q has shape %v, want a matrix", key, t.Shape)
			}
			g.Shape = []int{t.Shape[0], t.Shape[1]}
			g.Data = transposeBytes(t.Data, t.Shape[0], t.Shape[1], stElemSize(t.DType))
		} else {
			g.Data = bytes.Clone(t.Data)
		}
		m.Tensors[name] = g
	}
	// A saved lm_head that equals wte is the tied one; keep one copy.
	if out, ok := m.Tensors[Output]; ok {
		if emb, ok := m.Tensors[TokenEmbd]; ok && out.Type == emb.Type && bytes.Equal(out.Data, emb.Data) {
			delete(m.Tensors, Output)
		}
	}
	return m, nil
}

// transposeBytes turns a rows×cols row-major matrix of size-byte elements
// into cols×rows.
func transposeBytes(src []byte, rows, cols, size int) []byte {
	dst := make([]byte, len(src))
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			copy(dst[(c*rows+r)*size:(c*rows+r+1)*size], src[(r*cols+c)*size:(r*cols+c+1)*size])
		}
	}
	return dst
}

// loadHFVocab reads vocab.json and merges.txt; a directory without them
// gets nil (the caller falls back to GPT-2's own tokenizer).
func loadHFVocab(dir string) (*Vocab, error) {
	vb, err := os.ReadFile(filepath.Join(dir, "vocab.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	mb, err := os.ReadFile(filepath.Join(dir, "merges.txt"))
	if err != nil {
		return nil, err
	}
	var ids map[string]int
	if err := json.Unmarshal(vb, &ids); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, "vocab.json"), err)
	}
	v := &Vocab{Tokens: make([]string, len(ids)), EOS: -1}
	for tok, id := range ids {
		if id < 0 || id >= len(ids) || v.Tokens[id] != "" {
			return nil, fmt.Errorf("%s: ids are not 0..%d, each once", filepath.Join(dir, "vocab.json"), len(ids)-1)
		}
		v.Tokens[id] = tok
		if tok == "<|endoftext|>" {
			v.EOS = id
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(mb))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || strings.HasPrefix(line, "#version") {
			continue
		}
		v.Merges = append(v.Merges, line)
	}
	return v, sc.Err()
}
