package checkpoint

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// GGUF is llama.cpp's model file: a header, typed key-value metadata,
// tensor infos, and the tensor data, each tensor aligned so the file can be
// memory-mapped and used in place. The layout is documented in ggml's
// docs/gguf.md; this reader and the writer beside it follow that text.

const (
	ggufMagic            = "GGUF"
	ggufVersion          = 3
	ggufDefaultAlignment = 32
	ggufMaxDims          = 4 // GGML_MAX_DIMS
	ggufMaxArrayDepth    = 4
)

// ValueType is the type of a metadata value.
type ValueType uint32

const (
	TypeUint8 ValueType = iota
	TypeInt8
	TypeUint16
	TypeInt16
	TypeUint32
	TypeInt32
	TypeFloat32
	TypeBool
	TypeString
	TypeArray
	TypeUint64
	TypeInt64
	TypeFloat64
)

// fixedSize is the encoded size of a scalar type, 0 for strings and arrays.
func (t ValueType) fixedSize() int {
	switch t {
	case TypeUint8, TypeInt8, TypeBool:
		return 1
	case TypeUint16, TypeInt16:
		return 2
	case TypeUint32, TypeInt32, TypeFloat32:
		return 4
	case TypeUint64, TypeInt64, TypeFloat64:
		return 8
	}
	return 0
}

// minSize is the least number of bytes a value of type t takes in a file.
func (t ValueType) minSize() int {
	switch t {
	case TypeString:
		return 8
	case TypeArray:
		return 12
	}
	return t.fixedSize()
}

// KV is one metadata entry. Value holds a Go value of the matching type:
// uint8, int8, uint16, int16, uint32, int32, float32, bool, string, uint64,
// int64, float64, a slice of one of those for an array, or []any (of slices)
// for an array of arrays.
type KV struct {
	Key   string
	Value any
}

// GGUF is a parsed file. Tensor data are views into the bytes it was parsed from.
type GGUF struct {
	Version   uint32
	KV        []KV
	Tensors   []*Tensor
	Alignment int
}

// Lookup returns the value of key.
func (g *GGUF) Lookup(key string) (any, bool) {
	for _, kv := range g.KV {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return nil, false
}

// ParseGGUF reads a GGUF file held in b. Every count, length, shape and
// offset is checked against the size of b before it is used.
func ParseGGUF(b []byte) (*GGUF, error) {
	r := &reader{b: b}
	magic, err := r.take(4)
	if err != nil {
		return nil, errors.New("not a GGUF file: too short")
	}
	if string(magic) != ggufMagic {
		return nil, fmt.Errorf("not a GGUF file (starts with %q)", magic)
	}
	g := &GGUF{Alignment: ggufDefaultAlignment}
	if g.Version, err = r.u32(); err != nil {
		return nil, errors.New("header: file ends early")
	}
	if g.Version != 2 && g.Version != 3 {
		return nil, fmt.Errorf("GGUF version %d is not supported (only 2 and 3)", g.Version)
	}
	nTensors, err := r.count(24) // name length, dims count, type, offset
	if err != nil {
		return nil, errors.New("header: tensor count is more than the file can hold")
	}
	nKV, err := r.count(13) // key length, type, one byte of value
	if err != nil {
		return nil, errors.New("header: metadata count is more than the file can hold")
	}
	seen := make(map[string]bool, nKV)
	for i := 0; i < nKV; i++ {
		key, err := r.str()
		if err != nil {
			return nil, fmt.Errorf("metadata entry %d: key: %v", i, err)
		}
		if seen[key] {
			return nil, fmt.Errorf("metadata key %q appears twice", key)
		}
		seen[key] = true
		typ, err := r.u32()
		if err != nil {
			return nil, fmt.Errorf("metadata %q: %v", key, err)
		}
		v, err := readValue(r, ValueType(typ), 0)
		if err != nil {
			return nil, fmt.Errorf("metadata %q: %v", key, err)
		}
		g.KV = append(g.KV, KV{key, v})
	}
	if v, ok := g.Lookup("general.alignment"); ok {
		a, ok := asUint(v)
		if !ok || a == 0 || a&(a-1) != 0 || a > 1<<20 {
			return nil, fmt.Errorf("general.alignment %v is not a power of two", v)
		}
		g.Alignment = int(a)
	}
	type info struct {
		t            *Tensor
		offset, size uint64
	}
	infos := make([]info, 0, nTensors)
	names := make(map[string]bool, nTensors)
	for i := 0; i < nTensors; i++ {
		name, err := r.str()
		if err != nil {
			return nil, fmt.Errorf("tensor info %d: name: %v", i, err)
		}
		if names[name] {
			return nil, fmt.Errorf("tensor %q appears twice", name)
		}
		names[name] = true
		t := &Tensor{Name: name}
		nDims, err := r.u32()
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %v", name, err)
		}
		if nDims == 0 || nDims > ggufMaxDims {
			return nil, fmt.Errorf("tensor %q: %d dimensions (1 to %d allowed)", name, nDims, ggufMaxDims)
		}
		elems := uint64(1)
		for d := 0; d < int(nDims); d++ {
			n, err := r.u64()
			if err != nil {
				return nil, fmt.Errorf("tensor %q: %v", name, err)
			}
			if n == 0 || n > math.MaxInt32*4 || elems > (1<<48)/n {
				return nil, fmt.Errorf("tensor %q: impossible shape (dimension %d is %d)", name, d, n)
			}
			elems *= n
			t.Shape = append(t.Shape, int(n))
		}
		typ, err := r.u32()
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %v", name, err)
		}
		t.Type = DType(typ)
		if !t.Type.known() {
			return nil, fmt.Errorf("tensor %q: unsupported tensor type %s (gpt2 reads f32, f16, bf16, q8_0)", name, ggmlTypeName(typ))
		}
		rowBytes := t.Type.rowBytes(t.Shape[0])
		if rowBytes < 0 {
			return nil, fmt.Errorf("tensor %q: %s rows of %d values do not fill whole blocks", name, t.Type, t.Shape[0])
		}
		offset, err := r.u64()
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %v", name, err)
		}
		if offset%uint64(g.Alignment) != 0 {
			return nil, fmt.Errorf("tensor %q: data offset %d is not a multiple of the alignment %d", name, offset, g.Alignment)
		}
		infos = append(infos, info{t, offset, uint64(rowBytes) * (elems / uint64(t.Shape[0]))})
	}
	dataStart := uint64(alignUp(r.off, g.Alignment))
	if dataStart > uint64(len(b)) && nTensors > 0 {
		return nil, errors.New("file ends before its tensor data")
	}
	sorted := make([]info, len(infos))
	copy(sorted, infos)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].offset < sorted[j].offset })
	avail := uint64(len(b)) - min(dataStart, uint64(len(b)))
	end := uint64(0)
	for i, in := range sorted {
		if in.offset > avail || in.size > avail-in.offset {
			return nil, fmt.Errorf("tensor %q: data (%d bytes at offset %d) runs past the end of the file", in.t.Name, in.size, in.offset)
		}
		if i > 0 && in.offset < end {
			return nil, fmt.Errorf("tensor %q: data overlaps tensor %q", in.t.Name, sorted[i-1].t.Name)
		}
		end = in.offset + in.size
		start := dataStart + in.offset
		in.t.Data = b[start : start+in.size : start+in.size]
	}
	for _, in := range infos {
		g.Tensors = append(g.Tensors, in.t)
	}
	return g, nil
}

func alignUp(n, a int) int { return (n + a - 1) / a * a }

func readValue(r *reader, t ValueType, depth int) (any, error) {
	switch t {
	case TypeUint8:
		return r.u8()
	case TypeInt8:
		v, err := r.u8()
		return int8(v), err
	case TypeUint16:
		return r.u16()
	case TypeInt16:
		v, err := r.u16()
		return int16(v), err
	case TypeUint32:
		return r.u32()
	case TypeInt32:
		v, err := r.u32()
		return int32(v), err
	case TypeFloat32:
		return r.f32()
	case TypeBool:
		v, err := r.u8()
		if err == nil && v > 1 {
			return nil, fmt.Errorf("bool value %d", v)
		}
		return v == 1, err
	case TypeString:
		return r.str()
	case TypeUint64:
		return r.u64()
	case TypeInt64:
		v, err := r.u64()
		return int64(v), err
	case TypeFloat64:
		return r.f64()
	case TypeArray:
		if depth >= ggufMaxArrayDepth {
			return nil, errors.New("arrays nested too deep")
		}
		et, err := r.u32()
		if err != nil {
			return nil, err
		}
		elem := ValueType(et)
		if elem > TypeFloat64 {
			return nil, fmt.Errorf("array of unknown type %d", et)
		}
		n, err := r.count(elem.minSize())
		if err != nil {
			return nil, errors.New("array length is more than the file can hold")
		}
		return readArray(r, elem, n, depth)
	}
	return nil, fmt.Errorf("unknown value type %d", uint32(t))
}

func readArray(r *reader, elem ValueType, n, depth int) (any, error) {
	var err error
	switch elem {
	case TypeString:
		out := make([]string, n)
		for i := range out {
			if out[i], err = r.str(); err != nil {
				return nil, err
			}
		}
		return out, nil
	case TypeArray:
		out := make([]any, n)
		for i := range out {
			if out[i], err = readValue(r, TypeArray, depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return readTyped(r, elem, n)
}

func readTyped(r *reader, elem ValueType, n int) (any, error) {
	fill := func(set func(i int) error) error {
		for i := 0; i < n; i++ {
			if err := set(i); err != nil {
				return err
			}
		}
		return nil
	}
	var out any
	var err error
	switch elem {
	case TypeUint8:
		s := make([]uint8, n)
		err = fill(func(i int) (e error) { s[i], e = r.u8(); return })
		out = s
	case TypeInt8:
		s := make([]int8, n)
		err = fill(func(i int) error { v, e := r.u8(); s[i] = int8(v); return e })
		out = s
	case TypeUint16:
		s := make([]uint16, n)
		err = fill(func(i int) (e error) { s[i], e = r.u16(); return })
		out = s
	case TypeInt16:
		s := make([]int16, n)
		err = fill(func(i int) error { v, e := r.u16(); s[i] = int16(v); return e })
		out = s
	case TypeUint32:
		s := make([]uint32, n)
		err = fill(func(i int) (e error) { s[i], e = r.u32(); return })
		out = s
	case TypeInt32:
		s := make([]int32, n)
		err = fill(func(i int) error { v, e := r.u32(); s[i] = int32(v); return e })
		out = s
	case TypeFloat32:
		s := make([]float32, n)
		err = fill(func(i int) (e error) { s[i], e = r.f32(); return })
		out = s
	case TypeBool:
		s := make([]bool, n)
		err = fill(func(i int) error {
			v, e := r.u8()
			if e == nil && v > 1 {
				e = fmt.Errorf("bool value %d", v)
			}
			s[i] = v == 1
			return e
		})
		out = s
	case TypeUint64:
		s := make([]uint64, n)
		err = fill(func(i int) (e error) { s[i], e = r.u64(); return })
		out = s
	case TypeInt64:
		s := make([]int64, n)
		err = fill(func(i int) error { v, e := r.u64(); s[i] = int64(v); return e })
		out = s
	case TypeFloat64:
		s := make([]float64, n)
		err = fill(func(i int) (e error) { s[i], e = r.f64(); return })
		out = s
	}
	return out, err
}

// asUint reads any unsigned or non-negative signed integer value.
func asUint(v any) (uint64, bool) {
	switch x := v.(type) {
	case uint8:
		return uint64(x), true
	case uint16:
		return uint64(x), true
	case uint32:
		return uint64(x), true
	case uint64:
		return x, true
	case int8:
		return uint64(x), x >= 0
	case int16:
		return uint64(x), x >= 0
	case int32:
		return uint64(x), x >= 0
	case int64:
		return uint64(x), x >= 0
	}
	return 0, false
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float32:
		return float64(x), true
	case float64:
		return x, true
	}
	if u, ok := asUint(v); ok {
		return float64(u), true
	}
	return 0, false
}

// ggmlTypeName names ggml's tensor types, so that a file of a type gpt2 does
// not read (a 4-bit quantization, say) gets an error that says which.
func ggmlTypeName(t uint32) string {
	names := map[uint32]string{0: "f32", 1: "f16", 2: "q4_0", 3: "q4_1", 6: "q5_0", 7: "q5_1", 8: "q8_0",
		9: "q8_1", 10: "q2_K", 11: "q3_K", 12: "q4_K", 13: "q5_K", 14: "q6_K", 15: "q8_K", 16: "iq2_xxs",
		17: "iq2_xs", 18: "iq3_xxs", 19: "iq1_s", 20: "iq4_nl", 21: "iq3_s", 22: "iq2_s", 23: "iq4_xs",
		24: "i8", 25: "i16", 26: "i32", 27: "i64", 28: "f64", 29: "iq1_m", 30: "bf16", 34: "tq1_0", 35: "tq2_0", 39: "mxfp4"}
	if n, ok := names[t]; ok {
		return n
	}
	return fmt.Sprintf("%d (unknown)", t)
}
