package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// Safetensors (Hugging Face's weight format): an 8-byte little-endian header
// length N, N bytes of JSON mapping each tensor name to its dtype, shape and
// [begin, end) byte offsets in the data that follows, and an optional
// "__metadata__" map of strings.

// maxSafetensorsHeader bounds the JSON header; real ones are kilobytes.
const maxSafetensorsHeader = 100 << 20

// Safetensors is a parsed file; tensor data are views into the parsed bytes,
// in the file's own orientation (row-major, shape as written).
type Safetensors struct {
	Metadata map[string]string
	Tensors  map[string]*STensor
}

// STensor is one tensor as safetensors describes it: Shape outermost first.
type STensor struct {
	Name  string
	DType string
	Shape []int
	Data  []byte
}

func stElemSize(dtype string) int {
	switch dtype {
	case "F32":
		return 4
	case "F16", "BF16":
		return 2
	}
	return 0
}

// ParseSafetensors reads a safetensors file held in b.
func ParseSafetensors(b []byte) (*Safetensors, error) {
	if len(b) < 8 {
		return nil, errors.New("not a safetensors file: too short")
	}
	n := binary.LittleEndian.Uint64(b)
	if n > uint64(len(b)-8) {
		return nil, fmt.Errorf("header length %d runs past the end of the file (%d bytes)", n, len(b))
	}
	if n > maxSafetensorsHeader {
		return nil, fmt.Errorf("header length %d is too large", n)
	}
	header := b[8 : 8+n]
	data := b[8+n:]
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(header))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("header is not JSON: %v", err)
	}
	st := &Safetensors{Tensors: make(map[string]*STensor, len(raw))}
	type span struct {
		name       string
		begin, end uint64
	}
	var spans []span
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &st.Metadata); err != nil {
				return nil, fmt.Errorf("__metadata__ is not a map of strings: %v", err)
			}
			continue
		}
		var info struct {
			DType       string   `json:"dtype"`
			Shape       []int64  `json:"shape"`
			DataOffsets []uint64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(msg, &info); err != nil {
			return nil, fmt.Errorf("tensor %q: %v", name, err)
		}
		size := stElemSize(info.DType)
		if size == 0 {
			return nil, fmt.Errorf("tensor %q: unsupported dtype %q (gpt2 reads F32, F16, BF16)", name, info.DType)
		}
		if len(info.DataOffsets) != 2 || info.DataOffsets[0] > info.DataOffsets[1] {
			return nil, fmt.Errorf("tensor %q: data_offsets %v is not [begin, end]", name, info.DataOffsets)
		}
		begin, end := info.DataOffsets[0], info.DataOffsets[1]
		if end > uint64(len(data)) {
			return nil, fmt.Errorf("tensor %q: data [%d, %d) runs past the end of the file", name, begin, end)
		}
		elems := uint64(1)
		t := &STensor{Name: name, DType: info.DType}
		for _, d := range info.Shape {
			if d < 0 || (d > 0 && elems > (1<<48)/uint64(d)) {
				return nil, fmt.Errorf("tensor %q: impossible shape %v", name, info.Shape)
			}
			elems *= uint64(d)
			t.Shape = append(t.Shape, int(d))
		}
		if elems*uint64(size) != end-begin {
			return nil, fmt.Errorf("tensor %q: shape %v of %s needs %d bytes, data_offsets give %d", name, info.Shape, info.DType, elems*uint64(size), end-begin)
		}
		t.Data = data[begin:end:end]
		st.Tensors[name] = t
		spans = append(spans, span{name, begin, end})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].begin < spans[j].begin })
	for i := 1; i < len(spans); i++ {
		if spans[i].begin < spans[i-1].end {
			return nil, fmt.Errorf("tensor %q: data overlaps tensor %q", spans[i].name, spans[i-1].name)
		}
	}
	return st, nil
}

// dtype is the storage type of the tensor's values.
func (t *STensor) dtype() DType {
	switch t.DType {
	case "F16":
		return F16
	case "BF16":
		return BF16
	}
	return F32
}

// float32s widens the tensor's values.
func (t *STensor) float32s() []float32 {
	if len(t.Data) == 0 {
		return nil
	}
	g := Tensor{Type: t.dtype(), Shape: []int{len(t.Data) / stElemSize(t.DType)}, Data: t.Data}
	return g.Float32()
}
