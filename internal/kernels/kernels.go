// Package kernels holds the hot loops of the GPT-2 forward pass: matrix
// products against weights stored as f32, f16, bf16 or q8_0, softmax,
// LayerNorm, and the vector operations of attention and GELU. Each loop
// has a pure-Go reference (the generic variant) and, on amd64 and arm64,
// assembly versions; the variant is chosen once at start from the CPU's
// features.
package kernels

import (
	"fmt"
	"os"
	"strings"
)

// Variant is one complete set of kernels. The drivers in this package
// (matrix products split over threads) call through it.
type Variant struct {
	Name string

	// Dot kernels per weight type, indexed by DType.
	Dot [4]DotKernels
	// Widen, where set for a type, converts k columns (a multiple of
	// Block, of 32 for q8_0) of one weight row to float32. Products of many
	// activation rows then widen each weight row once per column chunk and
	// run the f32 tiles on it: the same values as the type's own kernels
	// (the widened weights are exact, the sums in the same order), without
	// converting each weight row again for every group of activation rows.
	Widen [4]func(k int, src *byte, dst *float32)
	// Block is the multiple of columns the dot kernels take; the driver
	// adds the remaining columns of a row in Go (same code for every
	// kernel, so all of them agree bit for bit).
	Block int
	// Q8, where set, multiplies q8_0 weights with activations quantized
	// to q8 (int8 dot products) instead of Dot[Q8_0]'s float32 ones.
	Q8 *Q8Kernels

	// Pan, where set, multiplies f32 weights prepared as panels
	// (PreparePanels) in outer-product order instead of with Dot[F32].
	Pan *PanelKernels

	// OuterK, where set, are the products in outer-product order
	// (Outer); the generic variant computes them in Go.
	OuterK OuterKernels
	// KeysT, where set, is PackKeys for n a multiple of 4 and d of 16 (a
	// pointer to each slice's first element).
	KeysT func(n, d int, src *float32, lds int, dst *float32, scale float32)

	// Dot is Σ a[i]·b[i]; Axpy is y[i] += alpha·x[i].
	DotF32 func(a, b []float32) float32
	Axpy   func(y []float32, alpha float32, x []float32)
	// Softmax replaces x by exp(x - max x) / Σ exp(x - max x).
	Softmax func(x []float32)
	// Gelu applies GPT-2's tanh-approximated GELU in place.
	Gelu func(x []float32)
	// LayerNorm sets dst (which may be x) to (x - mean)/√(var + eps)·g + b,
	// var the biased variance, as PyTorch.
	LayerNorm func(dst, x, g, b []float32, eps float32)

	// Probes for the roofline: ReadSum streams b (a multiple of 64 bytes)
	// and returns a sum of it; FMALoop runs iters rounds of the widest
	// independent multiply-adds and returns the FLOPs done.
	ReadSum func(b []byte) uint64
	FMALoop func(iters int) int64
}

// DotKernels compute dot products of activation rows (float32) with weight
// rows (one storage type) over the first k columns, k a multiple of the
// variant's Block. Every kernel of a variant sums each dot product in the
// same order, so a value does not depend on which kernel computed it: a
// prompt's logits are the same alone or in a batch, decoded one token at a
// time or all at once.
type DotKernels struct {
	// TileM×TileN tile: out[m·ldo+n] = x_m · w_n (or += with add),
	// with x_m at x + m·ldx floats and w_n at w + n·ldw bytes.
	TileM, TileN int
	Tile         func(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)
	// Tile2, where set (TileM = 3), is the tile for two activation rows,
	// which takes the rows past the last whole tile: two, or one given
	// twice (ldx = ldo = 0). Without it they go through the row kernel,
	// a pass over all of the matrix's weights for each.
	Tile2 func(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)
	// Rows dot products of one activation row with Rows weight rows:
	// out[n] = x · w_n (or += with add). Unlike the others it takes whole
	// rows: every kChunk columns it adds the chunk's sums to out, which is
	// what the tiles' callers do chunk by chunk, while the weights stream
	// through memory row group after row group (decode).
	Rows    int
	RowsDot func(k int, x *float32, w *byte, ldw int, out *float32, add bool)
	// Far, where set, is how many weight rows FarDot takes: RowsDot for
	// Far rows that the caller picks far apart (at a stride of ldw bytes,
	// row i of each of Far parts of its range), so that a decode reads Far
	// long streams from memory instead of the short rows of one group. A
	// core pulls a few far-apart streams much faster than one
	// (BenchmarkReadStreams), and a row of 768 f16 is only 24 cache lines.
	Far    int
	FarDot func(k int, x *float32, w *byte, ldw int, out *float32, add bool)
	// One dot product.
	One func(k int, x *float32, w *byte) float32
}

// registry lists the variants this machine can run, best first.
var registry []*Variant

func register(v *Variant) { registry = append(registry, v) }

// Variants returns every variant the machine has (generic last), so that
// tests and benchmarks can run each against the reference.
func Variants() []*Variant { return registry }

// Generic is the pure-Go reference variant.
func Generic() *Variant { return generic }

// Lookup finds a variant by name.
func Lookup(name string) (*Variant, error) {
	var names []string
	for _, v := range registry {
		if v.Name == name {
			return v, nil
		}
		names = append(names, v.Name)
	}
	return nil, fmt.Errorf("kernel variant %q is not available here (have %s)", name, strings.Join(names, ", "))
}

// Default is the variant chosen at start: $GPT2_KERNELS if set, else the
// best this CPU runs.
var Default = chooseDefault()

// DefaultErr is set when $GPT2_KERNELS names a variant that is not available.
var DefaultErr error

func chooseDefault() *Variant {
	registerAll()
	if name := os.Getenv("GPT2_KERNELS"); name != "" {
		v, err := Lookup(name)
		if err == nil {
			return v
		}
		DefaultErr = fmt.Errorf("GPT2_KERNELS: %v", err)
	}
	return registry[0]
}

func registerAll() {
	registerArch() // assembly variants, best first
	register(generic)
}
