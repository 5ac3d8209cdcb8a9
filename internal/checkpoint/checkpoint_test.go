package checkpoint

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gpt2/internal/kernels"
)

const tinyDir = "../../testdata/tiny-gpt2"

var tinyGGUF = filepath.Join(tinyDir, "tiny-gpt2.llamacpp.gguf")

func loadTiny(t testing.TB) *Model {
	t.Helper()
	m, err := LoadHF(tinyDir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func bits(v []float32) []uint32 {
	out := make([]uint32, len(v))
	for i, x := range v {
		out[i] = math.Float32bits(x)
	}
	return out
}

func equalBits(a, b []float32) bool {
	return len(a) == len(b) && bytes.Equal(u32bytes(bits(a)), u32bytes(bits(b)))
}

func u32bytes(v []uint32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], x)
	}
	return b
}

// llama.cpp's file of the fixture model holds the same weights as the
// Hugging Face checkpoint, bit for bit, once HF's Conv1D matrices are
// transposed.
func TestLlamaCppGGUFMatchesHF(t *testing.T) {
	hf := loadTiny(t)
	gg, err := OpenGGUF(tinyGGUF)
	if err != nil {
		t.Fatal(err)
	}
	defer gg.Close()
	if gg.Config != (Config{Name: "tiny-gpt2", NLayer: 2, NHead: 3, NEmbd: 48, NCtx: 64, NInner: 192, VocabSize: 50257, Eps: 1e-5, Activation: "gelu_new"}) {
		t.Fatalf("config %+v", gg.Config)
	}
	if len(gg.Tensors) != len(hf.Tensors) || len(hf.Tensors) != 28 {
		t.Fatalf("%d tensors in GGUF, %d from HF", len(gg.Tensors), len(hf.Tensors))
	}
	for name, h := range hf.Tensors {
		g := gg.Tensors[name]
		if g == nil {
			t.Fatalf("GGUF lacks %s", name)
		}
		if !sameShape(g.Shape, h.Shape) {
			t.Fatalf("%s: shape %v vs %v", name, g.Shape, h.Shape)
		}
		if !equalBits(g.Float32(), h.Float32()) {
			t.Errorf("%s: values differ", name)
		}
	}
	if gg.Vocab == nil || hf.Vocab == nil || len(gg.Vocab.Tokens) != 50257 || len(gg.Vocab.Merges) != 50000 || gg.Vocab.EOS != 50256 {
		t.Fatal("tokenizer missing from one side")
	}
	for i := range gg.Vocab.Tokens {
		if gg.Vocab.Tokens[i] != hf.Vocab.Tokens[i] {
			t.Fatalf("token %d: %q vs %q", i, gg.Vocab.Tokens[i], hf.Vocab.Tokens[i])
		}
	}
	for i := range gg.Vocab.Merges {
		if gg.Vocab.Merges[i] != hf.Vocab.Merges[i] {
			t.Fatalf("merge %d differs", i)
		}
	}
}

// The tensors of a mapped GGUF point into the mapping: no copy is made.
func TestGGUFIsMapped(t *testing.T) {
	m, err := OpenGGUF(tinyGGUF)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	fileBytes, _ := os.ReadFile(tinyGGUF)
	emb := m.Tensors[TokenEmbd]
	if emb.Type != F16 || len(emb.Data) != 48*50257*2 {
		t.Fatalf("token_embd %v %d bytes", emb.Type, len(emb.Data))
	}
	if !bytes.Contains(fileBytes, emb.Data[:4096]) {
		t.Fatal("token_embd data is not the file's bytes")
	}
}

func roundTrip(t *testing.T, m *Model, dt DType) *Model {
	t.Helper()
	conv, fellBack := m.Retyped(dt)
	if dt != Q8_0 && len(fellBack) > 0 {
		t.Fatalf("fell back: %v", fellBack)
	}
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := conv.WriteFile(context.Background(), path, dt); err != nil {
		t.Fatal(err)
	}
	back, err := OpenGGUF(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { back.Close() })
	if back.Config != m.Config {
		t.Fatalf("config %+v, want %+v", back.Config, m.Config)
	}
	return back
}

func TestRoundTripF32(t *testing.T) {
	hf := loadTiny(t)
	back := roundTrip(t, hf, F32)
	for name, h := range hf.Tensors {
		g := back.Tensors[name]
		if g.Type != F32 || !equalBits(g.Float32(), h.Float32()) {
			t.Errorf("%s: not the exact f16->f32 upcast", name)
		}
	}
}

func TestRoundTripF16(t *testing.T) {
	hf := loadTiny(t)
	back := roundTrip(t, hf, F16)
	for name, h := range hf.Tensors {
		g := back.Tensors[name]
		if isMatrix(name) {
			if g.Type != F16 || !bytes.Equal(g.Data, h.Data) {
				t.Errorf("%s: f16 bytes differ", name)
			}
		} else if g.Type != F32 || !equalBits(g.Float32(), h.Float32()) {
			t.Errorf("%s: want the exact f32 upcast", name)
		}
	}
	// and f16 -> f32 -> f16 gives the original bytes back
	again := roundTrip(t, roundTrip(t, hf, F32), F16)
	for name, h := range hf.Tensors {
		if isMatrix(name) && !bytes.Equal(again.Tensors[name].Data, h.Data) {
			t.Errorf("%s: f16 -> f32 -> f16 changed the bytes", name)
		}
	}
}

func TestRoundTripBF16(t *testing.T) {
	hf := loadTiny(t)
	back := roundTrip(t, hf, BF16)
	for name, h := range hf.Tensors {
		if !isMatrix(name) {
			continue
		}
		g := back.Tensors[name]
		if g.Type != BF16 {
			t.Fatalf("%s: %v", name, g.Type)
		}
		want, got := h.Float32(), g.Float32()
		for i := range want {
			// round to nearest: within half a unit in the last place (8 bits)
			if e := math.Abs(float64(want[i] - got[i])); e > math.Abs(float64(want[i]))*(1.0/256) {
				t.Fatalf("%s[%d]: %v -> %v", name, i, want[i], got[i])
			}
		}
	}
}

func TestRoundTripQ8_0(t *testing.T) {
	hf := loadTiny(t)
	conv, fellBack := hf.Retyped(Q8_0)
	sort.Strings(fellBack)
	// rows of 48 cannot be cut into blocks of 32: those stay f16, as in llama.cpp
	for _, n := range fellBack {
		if hf.Tensors[n].Shape[0]%32 == 0 {
			t.Errorf("%s fell back to f16 though its rows fit", n)
		}
	}
	if conv.Tensors[BlockTensor(0, "ffn_down.weight")].Type != Q8_0 {
		t.Fatal("ffn_down (rows of 192) not q8_0")
	}
	back := roundTrip(t, hf, Q8_0)
	for name, h := range hf.Tensors {
		g := back.Tensors[name]
		if g.Type != Q8_0 {
			continue
		}
		want, got := h.Float32(), g.Float32()
		for b := 0; b < len(want)/32; b++ {
			var amax float64
			for _, v := range want[b*32 : b*32+32] {
				amax = math.Max(amax, math.Abs(float64(v)))
			}
			d := amax / 127
			d16 := float64(kernels.F16ToF32(kernels.F32ToF16(float32(d))))
			bound := d/2 + 127*math.Abs(d-d16) + 1e-7
			for i := b * 32; i < b*32+32; i++ {
				if e := math.Abs(float64(want[i] - got[i])); e > bound {
					t.Fatalf("%s block %d: error %g > %g", name, b, e, bound)
				}
			}
		}
	}
}

func TestRoundTripQ8_0AllBlocks(t *testing.T) {
	// A model whose every matrix fits q8_0 blocks (n_embd 64).
	m := randomModel(Config{Name: "gpt2", NLayer: 1, NHead: 2, NEmbd: 64, NCtx: 16, NInner: 256, VocabSize: 300, Eps: 1e-5, Activation: "gelu_new"}, F32, 1)
	_, fellBack := m.Retyped(Q8_0)
	if len(fellBack) != 0 {
		t.Fatalf("fell back: %v", fellBack)
	}
	back := roundTrip(t, m, Q8_0)
	if back.Tensors[TokenEmbd].Type != Q8_0 || back.Tensors[BlockTensor(0, "attn_qkv.weight")].Type != Q8_0 {
		t.Fatal("matrices not q8_0")
	}
}

// --- Hugging Face key layouts ---

type stEntry struct {
	name  string
	dtype string
	shape []int
	data  []byte
}

// writeSafetensors writes a safetensors file (the format's spec: header
// length, JSON header, data).
func writeSafetensors(t testing.TB, path string, entries []stEntry) {
	t.Helper()
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	var data []byte
	for _, e := range entries {
		header[e.name] = map[string]any{"dtype": e.dtype, "shape": e.shape, "data_offsets": []int{len(data), len(data) + len(e.data)}}
		data = append(data, e.data...)
	}
	h, _ := json.Marshal(header)
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	out = append(append(out, h...), data...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// tinyEntries reads the fixture's safetensors entries.
func tinyEntries(t testing.TB) []stEntry {
	b, err := os.ReadFile(filepath.Join(tinyDir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := ParseSafetensors(b)
	if err != nil {
		t.Fatal(err)
	}
	var out []stEntry
	for name, ten := range st.Tensors {
		out = append(out, stEntry{name, ten.DType, ten.Shape, ten.Data})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func hfDir(t testing.TB, entries []stEntry) string {
	dir := t.TempDir()
	cfg, _ := os.ReadFile(filepath.Join(tinyDir, "config.json"))
	os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o644)
	writeSafetensors(t, filepath.Join(dir, "model.safetensors"), entries)
	return dir
}

func TestHFVariants(t *testing.T) {
	base := loadTiny(t)
	entries := tinyEntries(t)
	var wte stEntry
	for _, e := range entries {
		if e.name == "wte.weight" {
			wte = e
		}
	}
	same := func(t *testing.T, m *Model, wantOutput bool) {
		t.Helper()
		for name, bt := range base.Tensors {
			if !bytes.Equal(m.Tensors[name].Data, bt.Data) {
				t.Errorf("%s differs", name)
			}
		}
		if _, has := m.Tensors[Output]; has != wantOutput {
			t.Errorf("output.weight present: %v, want %v", has, wantOutput)
		}
	}
	t.Run("prefixed", func(t *testing.T) {
		var pre []stEntry
		for _, e := range entries {
			e.name = "transformer." + e.name
			pre = append(pre, e)
		}
		m, err := LoadHF(hfDir(t, pre))
		if err != nil {
			t.Fatal(err)
		}
		same(t, m, false)
	})
	t.Run("buffers", func(t *testing.T) {
		withBuf := append([]stEntry{}, entries...)
		mask := make([]byte, 64*64*4)
		for i := 0; i < 2; i++ {
			withBuf = append(withBuf,
				stEntry{"h." + string(rune('0'+i)) + ".attn.bias", "F32", []int{1, 1, 64, 64}, mask},
				stEntry{"h." + string(rune('0'+i)) + ".attn.masked_bias", "F32", []int{}, []byte{0, 0, 0x1c, 0xc6}})
		}
		m, err := LoadHF(hfDir(t, withBuf))
		if err != nil {
			t.Fatal(err)
		}
		same(t, m, false)
	})
	t.Run("tied lm_head saved", func(t *testing.T) {
		withHead := append([]stEntry{}, entries...)
		withHead = append(withHead, stEntry{"lm_head.weight", wte.dtype, wte.shape, wte.data})
		m, err := LoadHF(hfDir(t, withHead))
		if err != nil {
			t.Fatal(err)
		}
		same(t, m, false)
	})
	t.Run("explicit lm_head", func(t *testing.T) {
		head := bytes.Clone(wte.data)
		head[0] ^= 1
		withHead := append([]stEntry{}, entries...)
		withHead = append(withHead, stEntry{"lm_head.weight", wte.dtype, wte.shape, head})
		m, err := LoadHF(hfDir(t, withHead))
		if err != nil {
			t.Fatal(err)
		}
		same(t, m, true)
		if !bytes.Equal(m.Tensors[Output].Data, head) {
			t.Fatal("lm_head data not kept")
		}
		back := roundTrip(t, m, F16)
		if !bytes.Equal(back.Tensors[Output].Data, head) {
			t.Fatal("output.weight lost in GGUF")
		}
	})
	t.Run("f32 and bf16 sources", func(t *testing.T) {
		for _, dt := range []string{"F32", "BF16"} {
			var conv []stEntry
			for _, e := range entries {
				ten := Tensor{Type: F16, Shape: []int{len(e.data) / 2}, Data: e.data}
				target := map[string]DType{"F32": F32, "BF16": BF16}[dt]
				conv = append(conv, stEntry{e.name, dt, e.shape, ten.Retype(target).Data})
			}
			m, err := LoadHF(hfDir(t, conv))
			if err != nil {
				t.Fatal(err)
			}
			if m.Tensors[TokenEmbd].Type.String() != strings.ToLower(dt) {
				t.Fatalf("%s source loaded as %v", dt, m.Tensors[TokenEmbd].Type)
			}
			if dt == "F32" {
				for name, bt := range base.Tensors {
					if !equalBits(m.Tensors[name].Float32(), bt.Float32()) {
						t.Errorf("%s differs", name)
					}
				}
			}
		}
	})
}

// randomModel builds a model of config c with random weights of type dt
// (matrices; the rest f32).
func randomModel(c Config, dt DType, seed uint64) *Model {
	rng := rand.New(rand.NewPCG(seed, seed))
	m := &Model{Config: c, Tensors: map[string]*Tensor{}}
	for name, shape := range expectedShapes(c) {
		t := &Tensor{Name: name, Type: F32, Shape: shape}
		v := make([]float32, t.Elements())
		for i := range v {
			v[i] = float32(rng.NormFloat64() * 0.1)
		}
		t.Data = encode(F32, v)
		if isMatrix(name) {
			t = t.Retype(dt)
		}
		m.Tensors[name] = t
	}
	return m
}
