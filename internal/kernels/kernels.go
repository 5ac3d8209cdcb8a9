// Package kernels holds the hot loops of the GPT-2 forward pass: matrix
// products against weights stored as f32, f16, bf16 or q8_0, softmax, and
// the vector operations of attention, LayerNorm and GELU. Each loop has a
// pure-Go reference (the generic variant) and, on amd64 and arm64, assembly
// versions; the variant is chosen once at start from the CPU's features.
package kernels

import (
	"fmt"
	"os"
	"strings"
)

// Variant is one complete set of kernels. The drivers in this package
// (matrix products split over threads, attention helpers) call through it.
type Variant struct {
	Name string

	// Matrix-vector products for decode: dst[r] = Σ_k w[r·cols+k]·x[k]
	// over len(dst) rows; cols = len(x).
	GemvF32  func(dst []float32, w []float32, x []float32)
	GemvF16  func(dst []float32, w []uint16, x []float32)
	GemvBF16 func(dst []float32, w []uint16, x []float32)
	GemvQ8   func(dst []float32, w []byte, x []float32)

	// Matrix-matrix products for prefill use a register-tiled micro-kernel
	// over packed panels: A is k×MR (row i of the tile at a[p·MR+i]), B is
	// k×NR, and the tile is c[i·ldc+j] = bias[j] + Σ_p a[p·MR+i]·b[p·NR+j].
	MR, NR int
	Micro  func(k int, a, b, bias, c []float32, ldc int)

	// Dot is Σ a[i]·b[i]; Axpy is y[i] += alpha·x[i].
	Dot  func(a, b []float32) float32
	Axpy func(y []float32, alpha float32, x []float32)
	// Softmax replaces x by exp(x - max x) / Σ exp(x - max x).
	Softmax func(x []float32)
	// Gelu applies GPT-2's tanh-approximated GELU in place.
	Gelu func(x []float32)

	// Probes for the roofline: ReadSum streams b (a multiple of 64 bytes)
	// and returns a sum of it; FMALoop runs iters rounds of the widest
	// independent multiply-adds and returns the FLOPs done.
	ReadSum func(b []byte) uint64
	FMALoop func(iters int) int64
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
