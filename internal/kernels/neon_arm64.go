//go:build !purego

package kernels

import (
	"math"
	"unsafe"
)

// The neon variant: Advanced SIMD, 4 lanes, on every arm64 CPU. Kernels
// take lengths that are multiples of 4 (8 for f16/bf16 rows); these
// wrappers do the rest in Go. Instructions the Go assembler lacks are WORD
// encodings from neon_arm64.h.

// tileF32NEON computes, for m, n < 4,
//
//	s := Σ_{c<k} x[m*ldx+c] * w_n[c]   (w_n: float32 row at w + n*ldw bytes)
//	if add { out[m*ldo+n] += s } else { out[m*ldo+n] = s }
//
// with k a multiple of 8.
//
//go:noescape
func tileF32NEON(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)

// tileF16NEON is tileF32NEON with f16 weights (widened with FCVTL).
//
//go:noescape
func tileF16NEON(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)

// tileBF16NEON is tileF32NEON with bf16 weights.
//
//go:noescape
func tileBF16NEON(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)

// tileQ8NEON is tileF32NEON with q8_0 weights (k a multiple of 32).
//
//go:noescape
func tileQ8NEON(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)

// rowsF32NEON computes, for n < 8, out[n] (+)= Σ_{c<k} x[c] * w_n[c].
//
//go:noescape
func rowsF32NEON(k int, x *float32, w *byte, ldw int, out *float32, add bool)

//go:noescape
func rowsF16NEON(k int, x *float32, w *byte, ldw int, out *float32, add bool)

//go:noescape
func rowsBF16NEON(k int, x *float32, w *byte, ldw int, out *float32, add bool)

//go:noescape
func rowsQ8NEON(k int, x *float32, w *byte, ldw int, out *float32, add bool)

// oneF32NEON returns Σ_{c<k} x[c] * w[c].
//
//go:noescape
func oneF32NEON(k int, x *float32, w *byte) float32

//go:noescape
func oneF16NEON(k int, x *float32, w *byte) float32

//go:noescape
func oneBF16NEON(k int, x *float32, w *byte) float32

//go:noescape
func oneQ8NEON(k int, x *float32, w *byte) float32

// dotNEON returns Σ_{i<n} a[i]*b[i] (n a multiple of 4).
//
//go:noescape
func dotNEON(n int, a, b *float32) float32

// axpyNEON does y[i] += alpha*x[i] for i < n (a multiple of 4).
//
//go:noescape
func axpyNEON(n int, alpha float32, x, y *float32)

// maxNEON returns max x[:n] (n a multiple of 4, at least 4).
//
//go:noescape
func maxNEON(n int, x *float32) float32

// expSubNEON sets x[i] = exp(x[i]-m) for i < n (a multiple of 4) and
// returns their sum.
//
//go:noescape
func expSubNEON(n int, x *float32, m float32) float32

// scaleNEON sets x[i] *= s for i < n (a multiple of 4).
//
//go:noescape
func scaleNEON(n int, x *float32, s float32)

// geluNEON sets x[i] = x[i]/(1+exp(-2c(x[i]+0.044715x[i]³))) for i < n
// (a multiple of 4).
//
//go:noescape
func geluNEON(n int, x *float32)

// readSumNEON returns the sum of the uint64 words of b[:n] (n a multiple of 512).
//
//go:noescape
func readSumNEON(n int, b *byte) uint64

// fmaLoopNEON runs iters rounds of 12 independent 4-lane FMAs.
//
//go:noescape
func fmaLoopNEON(iters int)

var neon = &Variant{
	Name:  "neon",
	Block: 8,
	Dot: [4]DotKernels{
		F32:  {TileM: 4, TileN: 4, Tile: tileF32NEON, Rows: 8, RowsDot: rowsF32NEON, One: oneF32NEON},
		F16:  {TileM: 4, TileN: 4, Tile: tileF16NEON, Rows: 8, RowsDot: rowsF16NEON, One: oneF16NEON},
		BF16: {TileM: 4, TileN: 4, Tile: tileBF16NEON, Rows: 8, RowsDot: rowsBF16NEON, One: oneBF16NEON},
		Q8_0: {TileM: 4, TileN: 4, Tile: tileQ8NEON, Rows: 8, RowsDot: rowsQ8NEON, One: oneQ8NEON},
	},
	DotF32:  dotF32NEON,
	Axpy:    axpyF32NEON,
	Softmax: softmaxF32NEON,
	Gelu:    geluF32NEON,
	ReadSum: readSumBytesNEON,
	FMALoop: func(iters int) int64 { fmaLoopNEON(iters); return int64(iters) * 12 * 4 * 2 },
}

func dotF32NEON(a, b []float32) float32 {
	n := len(a) &^ 3
	var s float32
	if n > 0 {
		_ = b[len(a)-1]
		s = dotNEON(n, &a[0], &b[0])
	}
	for i := n; i < len(a); i++ {
		s += a[i] * b[i]
	}
	return s
}

func axpyF32NEON(y []float32, alpha float32, x []float32) {
	n := len(y) &^ 3
	if n > 0 {
		_ = x[len(y)-1]
		axpyNEON(n, alpha, &x[0], &y[0])
	}
	for i := n; i < len(y); i++ {
		y[i] += alpha * x[i]
	}
}

func softmaxF32NEON(x []float32) {
	if len(x) == 0 {
		return
	}
	n := len(x) &^ 3
	m := x[0]
	if n > 0 {
		m = maxNEON(n, &x[0])
	}
	for _, v := range x[n:] {
		m = max(m, v)
	}
	var sum float32
	if n > 0 {
		sum = expSubNEON(n, &x[0], m)
	}
	for i := n; i < len(x); i++ {
		x[i] = float32(math.Exp(float64(x[i] - m)))
		sum += x[i]
	}
	inv := 1 / sum
	if n > 0 {
		scaleNEON(n, &x[0], inv)
	}
	for i := n; i < len(x); i++ {
		x[i] *= inv
	}
}

func geluF32NEON(x []float32) {
	n := len(x) &^ 3
	if n > 0 {
		geluNEON(n, &x[0])
	}
	geluGeneric(x[n:])
}

func readSumBytesNEON(b []byte) uint64 {
	n := len(b) &^ 511
	sum := readSumGeneric(b[n:])
	if n > 0 {
		sum += readSumNEON(n, unsafe.SliceData(b))
	}
	return sum
}
