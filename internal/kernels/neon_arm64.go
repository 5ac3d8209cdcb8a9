//go:build !purego

package kernels

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

// sumNEON returns Σ_{i<n} x[i] (n a multiple of 4).
//
//go:noescape
func sumNEON(n int, x *float32) float32

// sqDiffNEON returns Σ_{i<n} (x[i]-m)² (n a multiple of 4).
//
//go:noescape
func sqDiffNEON(n int, x *float32, m float32) float32

// normNEON sets dst[i] = (x[i]-m)*inv*gain[i] + bias[i] for i < n (a multiple
// of 4).
//
//go:noescape
func normNEON(n int, x, dst, gain, bias *float32, m, inv float32)

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
	DotF32:    neonVec.Dot,
	OuterK:    outerNEON,
	Axpy:      neonVec.Axpy,
	Softmax:   neonVec.Softmax,
	Gelu:      neonVec.Gelu,
	LayerNorm: neonVec.LayerNorm,
	ReadSum:   neonVec.ReadSum,
	FMALoop:   func(iters int) int64 { fmaLoopNEON(iters); return int64(iters) * 12 * 4 * 2 },
}

var neonVec = &vecKernels{lanes: 4, dot: dotNEON, axpy: axpyNEON, max: maxNEON, expSub: expSubNEON, scale: scaleNEON, gelu: geluNEON, sum: sumNEON, sqDiff: sqDiffNEON, norm: normNEON, readSum: readSumNEON}
