package checkpoint

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rawTensor is a tensor info as it will be written, with whatever offset
// and type a test wants.
type rawTensor struct {
	name   string
	shape  []uint64
	typ    uint32
	offset uint64
}

// rawGGUF writes GGUF bytes field by field, so that tests can write files
// no honest writer would.
func rawGGUF(version uint32, nTensors, nKV uint64, kvs []KV, tensors []rawTensor, data []byte) []byte {
	var buf bytes.Buffer
	e := &encoder{w: &buf}
	e.bytes([]byte("GGUF"))
	e.u32(version)
	e.u64(nTensors)
	e.u64(nKV)
	for _, kv := range kvs {
		e.str(kv.Key)
		e.value(kv.Value, true)
	}
	for _, t := range tensors {
		e.str(t.name)
		e.u32(uint32(len(t.shape)))
		for _, d := range t.shape {
			e.u64(d)
		}
		e.u32(t.typ)
		e.u64(t.offset)
	}
	e.pad(32)
	e.bytes(data)
	return buf.Bytes()
}

func smallGGUF(t testing.TB) []byte {
	m := randomModel(Config{Name: "x", NLayer: 1, NHead: 2, NEmbd: 4, NCtx: 2, NInner: 8, VocabSize: 5, Eps: 1e-5, Activation: "gelu_new"}, F16, 7)
	var buf bytes.Buffer
	var ts []*Tensor
	for _, n := range m.TensorNames() {
		ts = append(ts, m.Tensors[n])
	}
	if err := WriteGGUF(&buf, m.ggufMetadata(F16), ts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func expectError(t *testing.T, what string, err error, want string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("%s: error is not one line: %q", what, err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("%s: error %q does not say %q", what, err, want)
	}
}

func TestGGUFBadInput(t *testing.T) {
	good := smallGGUF(t)
	if _, err := modelFromGGUFBytes(good); err != nil {
		t.Fatalf("the good file: %v", err)
	}
	for _, cut := range []int{0, 3, 10, 20, 30, 100, 1000, len(good) / 2, len(good) - 33} { // the last 32 bytes may be padding
		_, err := modelFromGGUFBytes(good[:cut])
		expectError(t, "truncated", err, "")
	}
	expectError(t, "magic", func() error {
		_, err := ParseGGUF([]byte("GGML\x03\x00\x00\x00" + strings.Repeat("\x00", 16)))
		return err
	}(), "not a GGUF file")
	_, err := ParseGGUF(rawGGUF(1, 0, 0, nil, nil, nil))
	expectError(t, "version", err, "version 1")
	_, err = ParseGGUF(rawGGUF(3, 1<<60, 0, nil, nil, nil))
	expectError(t, "tensor count 2^60", err, "tensor count")
	_, err = ParseGGUF(rawGGUF(3, 0, 1<<62, nil, nil, nil))
	expectError(t, "kv count 2^62", err, "metadata count")
	// an array claiming 2^60 strings
	arr := rawGGUF(3, 0, 1, nil, nil, nil)
	arr = append(arr[:24], []byte("\x01\x00\x00\x00\x00\x00\x00\x00k\x09\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10")...)
	_, err = ParseGGUF(arr)
	expectError(t, "array length 2^60", err, "array length")
	_, err = ParseGGUF(rawGGUF(3, 1, 0, nil, []rawTensor{{"a", []uint64{4}, 0, 0}}, make([]byte, 8)))
	expectError(t, "data past the end", err, "past the end")
	_, err = ParseGGUF(rawGGUF(3, 1, 0, nil, []rawTensor{{"a", []uint64{4}, 0, 1 << 40}}, make([]byte, 32)))
	expectError(t, "offset outside the file", err, "past the end")
	_, err = ParseGGUF(rawGGUF(3, 2, 0, nil, []rawTensor{{"a", []uint64{16}, 0, 0}, {"b", []uint64{16}, 0, 32}}, make([]byte, 128)))
	expectError(t, "overlap", err, "overlaps")
	_, err = ParseGGUF(rawGGUF(3, 1, 0, nil, []rawTensor{{"a", []uint64{4}, 0, 7}}, make([]byte, 64)))
	expectError(t, "misaligned", err, "alignment")
	_, err = ParseGGUF(rawGGUF(3, 1, 0, nil, []rawTensor{{"a", []uint64{32}, 2, 0}}, make([]byte, 64)))
	expectError(t, "q4_0", err, "unsupported tensor type q4_0")
	_, err = ParseGGUF(rawGGUF(3, 1, 0, nil, []rawTensor{{"a", []uint64{32}, 99, 0}}, make([]byte, 64)))
	expectError(t, "unknown dtype", err, "unknown")
	_, err = ParseGGUF(rawGGUF(3, 1, 0, nil, []rawTensor{{"a", []uint64{1 << 40, 1 << 40}, 0, 0}}, make([]byte, 64)))
	expectError(t, "huge shape", err, "impossible shape")
	_, err = ParseGGUF(rawGGUF(3, 1, 0, nil, []rawTensor{{"a", []uint64{1, 1, 1, 1, 1}, 0, 0}}, make([]byte, 64)))
	expectError(t, "5 dims", err, "dimensions")
	_, err = ParseGGUF(rawGGUF(3, 0, 2, []KV{{"k", uint8(1)}, {"k", uint8(2)}}, nil, nil))
	expectError(t, "duplicate key", err, "twice")
}

func TestModelShapeErrors(t *testing.T) {
	m := randomModel(Config{Name: "x", NLayer: 1, NHead: 2, NEmbd: 32, NCtx: 8, NInner: 64, VocabSize: 40, Eps: 1e-5, Activation: "gelu_new"}, F32, 7)
	qkv := BlockTensor(0, "attn_qkv.weight")
	good := m.Tensors[qkv]
	m.Tensors[qkv] = &Tensor{Name: qkv, Type: F32, Shape: []int{32, 95}, Data: good.Data[:32*95*4]}
	expectError(t, "wrong shape", m.Check(), `"blk.0.attn_qkv.weight" has shape [32 95]`)
	delete(m.Tensors, qkv)
	expectError(t, "missing", m.Check(), `missing tensor "blk.0.attn_qkv.weight"`)
	// the same through a file
	m.Tensors[qkv] = good
	delete(m.Tensors, BlockTensor(0, "ffn_up.bias"))
	var buf bytes.Buffer
	var ts []*Tensor
	for _, tn := range m.Tensors {
		ts = append(ts, tn)
	}
	WriteGGUF(&buf, m.ggufMetadata(F32), ts)
	path := filepath.Join(t.TempDir(), "bad.gguf")
	os.WriteFile(path, buf.Bytes(), 0o644)
	_, err := OpenGGUF(path)
	expectError(t, "missing via file", err, path+`: missing tensor "blk.0.ffn_up.bias"`)
}

func TestSafetensorsBadInput(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(tinyDir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{0, 7, 8, 100, 2000, len(good) / 2, len(good) - 1} {
		_, err := ParseSafetensors(good[:cut])
		expectError(t, "truncated", err, "")
	}
	long := bytes.Clone(good)
	binary.LittleEndian.PutUint64(long, uint64(len(good)))
	_, err = ParseSafetensors(long)
	expectError(t, "header past the end", err, "past the end")
	binary.LittleEndian.PutUint64(long, 1<<62)
	_, err = ParseSafetensors(long)
	expectError(t, "header 2^62", err, "past the end")
	st := func(header string, data int) []byte {
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
		return append(append(b, header...), make([]byte, data)...)
	}
	cases := []struct{ name, header, want string }{
		{"not json", `{"a": `, "not JSON"},
		{"dtype", `{"a":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}`, `unsupported dtype "I64"`},
		{"outside", `{"a":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}}`, "past the end"},
		{"overlap", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, "overlaps"},
		{"shape vs size", `{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, "needs 12 bytes"},
		{"negative", `{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, "impossible shape"},
		{"huge", `{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, "impossible shape"},
		{"offsets", `{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}`, "data_offsets"},
	}
	for _, c := range cases {
		_, err := ParseSafetensors(st(c.header, 16))
		expectError(t, c.name, err, c.want)
	}
	// a checkpoint missing a tensor, or with a wrong shape, is refused at load
	entries := tinyEntries(t)
	var missing []stEntry
	for _, e := range entries {
		if e.name != "h.1.mlp.c_fc.bias" {
			missing = append(missing, e)
		}
	}
	_, err = LoadHF(hfDir(t, missing))
	expectError(t, "missing", err, `missing tensor "blk.1.ffn_up.bias"`)
	var wrong []stEntry
	for _, e := range entries {
		if e.name == "h.0.attn.c_proj.weight" {
			e.shape = []int{24, 96}
		}
		wrong = append(wrong, e)
	}
	_, err = LoadHF(hfDir(t, wrong))
	expectError(t, "wrong shape", err, "attn_output.weight")
}

func FuzzParseGGUF(f *testing.F) {
	f.Add(smallGGUF(f))
	f.Add(rawGGUF(3, 1, 1, []KV{{"general.alignment", uint32(64)}}, []rawTensor{{"a", []uint64{4}, 0, 0}}, make([]byte, 64)))
	f.Add([]byte("GGUF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := ParseGGUF(b)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		for _, tn := range g.Tensors {
			_ = tn.Float32() // every view must be readable in full
		}
		if m, err := modelFromGGUF(g); err == nil {
			_ = m.Check()
		}
	})
}

func FuzzParseSafetensors(f *testing.F) {
	f.Add(binary.LittleEndian.AppendUint64(nil, 2), []byte("{}"))
	f.Add(binary.LittleEndian.AppendUint64(nil, 56), []byte(`{"wte.weight":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]}}`+"\x00\x3c\x00\x3c\x00\x3c\x00\x3c"))
	f.Fuzz(func(t *testing.T, lenBytes, rest []byte) {
		b := append(append([]byte{}, lenBytes...), rest...)
		st, err := ParseSafetensors(b)
		if err != nil {
			return
		}
		for _, tn := range st.Tensors {
			_ = tn.float32s()
		}
		cfg, _ := Standard("small")
		cfg.NLayer, cfg.NEmbd, cfg.NHead, cfg.NInner, cfg.VocabSize, cfg.NCtx = 1, 2, 1, 8, 2, 2
		if m, err := fromSafetensors(cfg, st); err == nil {
			_ = m.Check()
		}
	})
}
