// Package checkpoint reads and writes GPT-2 weights: Hugging Face
// safetensors with config.json, and GGUF (llama.cpp's format) memory-mapped,
// with conversion between f32, f16, bf16 and q8_0. It also finds models by
// name and downloads them from the Hugging Face hub.
package checkpoint

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"gpt2/internal/kernels"
)

// DType is a tensor's storage type, numbered as ggml numbers them so the
// value can be written into a GGUF tensor info as it is.
type DType uint32

const (
	F32  DType = 0
	F16  DType = 1
	Q8_0 DType = 8
	BF16 DType = 30
)

func (t DType) String() string {
	switch t {
	case F32:
		return "f32"
	case F16:
		return "f16"
	case BF16:
		return "bf16"
	case Q8_0:
		return "q8_0"
	}
	return fmt.Sprintf("ggml type %d", uint32(t))
}

// Kernel is the kernels package's name for the type.
func (t DType) Kernel() kernels.DType {
	switch t {
	case F16:
		return kernels.F16
	case BF16:
		return kernels.BF16
	case Q8_0:
		return kernels.Q8_0
	}
	return kernels.F32
}

// ParseDType reads a --dtype value.
func ParseDType(s string) (DType, error) {
	switch strings.ToLower(s) {
	case "f32", "float32":
		return F32, nil
	case "f16", "float16":
		return F16, nil
	case "bf16", "bfloat16":
		return BF16, nil
	case "q8_0", "q8":
		return Q8_0, nil
	}
	return 0, fmt.Errorf("%q is not one of f32, f16, bf16, q8_0", s)
}

func (t DType) known() bool { return t == F32 || t == F16 || t == BF16 || t == Q8_0 }

// rowBytes is the storage size of n values, or -1 if n does not fill whole blocks.
func (t DType) rowBytes(n int) int {
	switch t {
	case F32:
		return 4 * n
	case F16, BF16:
		return 2 * n
	case Q8_0:
		if n%kernels.Q8Block != 0 {
			return -1
		}
		return n / kernels.Q8Block * kernels.Q8BlockBytes
	}
	return -1
}

// fileType is llama.cpp's general.file_type for a file mostly of type t.
func (t DType) fileType() uint32 {
	switch t {
	case F16:
		return 1
	case Q8_0:
		return 7
	case BF16:
		return 32
	}
	return 0
}

// Tensor is a named array of weights. Shape is in GGUF order: Shape[0] is
// the contiguous dimension, so a matrix of Rows×Cols (row-major, as the
// engine multiplies it) has Shape {Cols, Rows}. Data is either owned or a
// view into a memory-mapped file.
type Tensor struct {
	Name  string
	Type  DType
	Shape []int
	Data  []byte
}

// Elements is the number of values.
func (t *Tensor) Elements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Rows and Cols view the tensor as a matrix (a vector is one row).
func (t *Tensor) Cols() int { return t.Shape[0] }
func (t *Tensor) Rows() int { return t.Elements() / t.Shape[0] }

// Float32 returns the values widened to float32 (a copy).
func (t *Tensor) Float32() []float32 {
	n := t.Elements()
	out := make([]float32, n)
	switch t.Type {
	case F32:
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
		}
	case F16:
		for i := range out {
			out[i] = kernels.F16ToF32(binary.LittleEndian.Uint16(t.Data[2*i:]))
		}
	case BF16:
		for i := range out {
			out[i] = kernels.BF16ToF32(binary.LittleEndian.Uint16(t.Data[2*i:]))
		}
	case Q8_0:
		kernels.DequantizeQ8_0(out, t.Data)
	}
	return out
}

// encode stores float32 values as type t.
func encode(t DType, v []float32) []byte {
	switch t {
	case F32:
		out := make([]byte, 4*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(x))
		}
		return out
	case F16:
		out := make([]byte, 2*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint16(out[2*i:], kernels.F32ToF16(x))
		}
		return out
	case BF16:
		out := make([]byte, 2*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint16(out[2*i:], kernels.F32ToBF16(x))
		}
		return out
	case Q8_0:
		out := make([]byte, t.rowBytes(len(v)))
		kernels.QuantizeQ8_0(out, v)
		return out
	}
	panic("checkpoint: encode to unknown type " + t.String())
}

// Retype returns the tensor stored as type to. Converting to the type it
// already has returns it unchanged (no rounding, no copy).
func (t *Tensor) Retype(to DType) *Tensor {
	if t.Type == to {
		return t
	}
	return &Tensor{Name: t.Name, Type: to, Shape: t.Shape, Data: encode(to, t.Float32())}
}
