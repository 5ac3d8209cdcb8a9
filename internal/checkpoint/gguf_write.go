package checkpoint

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// WriteGGUF writes a GGUF v3 file: the metadata in the order given, then the
// tensors, each tensor's data aligned to general.alignment (default 32).
func WriteGGUF(w io.Writer, kvs []KV, tensors []*Tensor) error {
	align := ggufDefaultAlignment
	for _, kv := range kvs {
		if kv.Key == "general.alignment" {
			a, ok := asUint(kv.Value)
			if !ok || a == 0 || a&(a-1) != 0 {
				return fmt.Errorf("general.alignment %v is not a power of two", kv.Value)
			}
			align = int(a)
		}
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	e := &encoder{w: bw}
	e.bytes([]byte(ggufMagic))
	e.u32(ggufVersion)
	e.u64(uint64(len(tensors)))
	e.u64(uint64(len(kvs)))
	for _, kv := range kvs {
		e.str(kv.Key)
		if err := e.value(kv.Value, true); err != nil {
			return fmt.Errorf("metadata %q: %v", kv.Key, err)
		}
	}
	offset := 0
	for _, t := range tensors {
		e.str(t.Name)
		e.u32(uint32(len(t.Shape)))
		for _, d := range t.Shape {
			e.u64(uint64(d))
		}
		e.u32(uint32(t.Type))
		e.u64(uint64(offset))
		offset = alignUp(offset+len(t.Data), align)
	}
	e.pad(align)
	for _, t := range tensors {
		e.bytes(t.Data)
		e.pad(align)
	}
	if e.err != nil {
		return e.err
	}
	return bw.Flush()
}

type encoder struct {
	w   io.Writer
	n   int
	err error
}

func (e *encoder) bytes(b []byte) {
	if e.err != nil {
		return
	}
	n, err := e.w.Write(b)
	e.n += n
	e.err = err
}

func (e *encoder) pad(align int) {
	if k := alignUp(e.n, align) - e.n; k > 0 {
		e.bytes(make([]byte, k))
	}
}

func (e *encoder) u32(v uint32) { e.bytes(binary.LittleEndian.AppendUint32(nil, v)) }
func (e *encoder) u64(v uint64) { e.bytes(binary.LittleEndian.AppendUint64(nil, v)) }
func (e *encoder) str(s string) { e.u64(uint64(len(s))); e.bytes([]byte(s)) }

// value writes v, preceded by its type when withType (array elements carry
// their type once, in the array header).
func (e *encoder) value(v any, withType bool) error {
	typ := func(t ValueType) {
		if withType {
			e.u32(uint32(t))
		}
	}
	var b []byte
	le := binary.LittleEndian
	switch x := v.(type) {
	case uint8:
		typ(TypeUint8)
		b = []byte{x}
	case int8:
		typ(TypeInt8)
		b = []byte{byte(x)}
	case uint16:
		typ(TypeUint16)
		b = le.AppendUint16(nil, x)
	case int16:
		typ(TypeInt16)
		b = le.AppendUint16(nil, uint16(x))
	case uint32:
		typ(TypeUint32)
		b = le.AppendUint32(nil, x)
	case int32:
		typ(TypeInt32)
		b = le.AppendUint32(nil, uint32(x))
	case float32:
		typ(TypeFloat32)
		b = le.AppendUint32(nil, math.Float32bits(x))
	case bool:
		typ(TypeBool)
		b = []byte{0}
		if x {
			b[0] = 1
		}
	case string:
		typ(TypeString)
		e.str(x)
	case uint64:
		typ(TypeUint64)
		b = le.AppendUint64(nil, x)
	case int64:
		typ(TypeInt64)
		b = le.AppendUint64(nil, uint64(x))
	case float64:
		typ(TypeFloat64)
		b = le.AppendUint64(nil, math.Float64bits(x))
	case []any:
		typ(TypeArray)
		e.u32(uint32(TypeArray))
		e.u64(uint64(len(x)))
		for _, it := range x {
			if err := e.value(it, false); err != nil {
				return err
			}
		}
	default:
		return e.array(v, typ)
	}
	e.bytes(b)
	return nil
}

func (e *encoder) array(v any, typ func(ValueType)) error {
	var elem ValueType
	var items []any
	switch x := v.(type) {
	case []uint8:
		elem, items = TypeUint8, toAny(x)
	case []int8:
		elem, items = TypeInt8, toAny(x)
	case []uint16:
		elem, items = TypeUint16, toAny(x)
	case []int16:
		elem, items = TypeInt16, toAny(x)
	case []uint32:
		elem, items = TypeUint32, toAny(x)
	case []int32:
		elem, items = TypeInt32, toAny(x)
	case []float32:
		elem, items = TypeFloat32, toAny(x)
	case []bool:
		elem, items = TypeBool, toAny(x)
	case []string:
		elem, items = TypeString, toAny(x)
	case []uint64:
		elem, items = TypeUint64, toAny(x)
	case []int64:
		elem, items = TypeInt64, toAny(x)
	case []float64:
		elem, items = TypeFloat64, toAny(x)
	default:
		return fmt.Errorf("cannot store a %T", v)
	}
	typ(TypeArray)
	e.u32(uint32(elem))
	e.u64(uint64(len(items)))
	for _, it := range items {
		if err := e.value(it, false); err != nil {
			return err
		}
	}
	return nil
}

func toAny[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
