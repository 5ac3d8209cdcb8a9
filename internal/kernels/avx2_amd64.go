//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// The avx2 variant: AVX2 with FMA and F16C, 8 lanes. Kernels take lengths
// that are multiples of 8; these wrappers do the rest in Go.

// tileF32AVX2 computes, for m < 2 and n < 4,
//
//	s := Σ_{c<k} x[m*ldx+c] * w_n[c]   (w_n: float32 row at w + n*ldw bytes)
//	if add { out[m*ldo+n] += s } else { out[m*ldo+n] = s }
//
// with k a multiple of 8.
//
//go:noescape
func tileF32AVX2(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)

// tileF16AVX2 is tileF32AVX2 with f16 weights.
//
//go:noescape
func tileF16AVX2(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)

// tileBF16AVX2 is tileF32AVX2 with bf16 weights.
//
//go:noescape
func tileBF16AVX2(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)

// tileQ8AVX2 is tileF32AVX2 with q8_0 weights (k a multiple of 32).
//
//go:noescape
func tileQ8AVX2(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)

// rowsF32AVX2 computes, for n < 8, out[n] (+)= Σ_{c<k} x[c] * w_n[c].
//
//go:noescape
func rowsF32AVX2(k int, x *float32, w *byte, ldw int, out *float32, add bool)

//go:noescape
func rowsF16AVX2(k int, x *float32, w *byte, ldw int, out *float32, add bool)

//go:noescape
func rowsBF16AVX2(k int, x *float32, w *byte, ldw int, out *float32, add bool)

//go:noescape
func rowsQ8AVX2(k int, x *float32, w *byte, ldw int, out *float32, add bool)

// oneF32AVX2 returns Σ_{c<k} x[c] * w[c].
//
//go:noescape
func oneF32AVX2(k int, x *float32, w *byte) float32

//go:noescape
func oneF16AVX2(k int, x *float32, w *byte) float32

//go:noescape
func oneBF16AVX2(k int, x *float32, w *byte) float32

//go:noescape
func oneQ8AVX2(k int, x *float32, w *byte) float32

// dotAVX2 returns Σ_{i<n} a[i]*b[i] (n a multiple of 8).
//
//go:noescape
func dotAVX2(n int, a, b *float32) float32

// axpyAVX2 does y[i] += alpha*x[i] for i < n (a multiple of 8).
//
//go:noescape
func axpyAVX2(n int, alpha float32, x, y *float32)

// maxAVX2 returns max x[:n] (n a multiple of 8, at least 8).
//
//go:noescape
func maxAVX2(n int, x *float32) float32

// expSubAVX2 sets x[i] = exp(x[i]-m) for i < n (a multiple of 8) and
// returns their sum.
//
//go:noescape
func expSubAVX2(n int, x *float32, m float32) float32

// scaleAVX2 sets x[i] *= s for i < n (a multiple of 8).
//
//go:noescape
func scaleAVX2(n int, x *float32, s float32)

// geluAVX2 sets x[i] = x[i]/(1+exp(-2c(x[i]+0.044715x[i]³))) for i < n
// (a multiple of 8).
//
//go:noescape
func geluAVX2(n int, x *float32)

// sumAVX2 returns Σ_{i<n} x[i] (n a multiple of 8).
//
//go:noescape
func sumAVX2(n int, x *float32) float32

// sqDiffAVX2 returns Σ_{i<n} (x[i]-m)² (n a multiple of 8).
//
//go:noescape
func sqDiffAVX2(n int, x *float32, m float32) float32

// normAVX2 sets dst[i] = (x[i]-m)*inv*gain[i] + bias[i] for i < n (a multiple
// of 8).
//
//go:noescape
func normAVX2(n int, x, dst, gain, bias *float32, m, inv float32)

// readSumAVX2 returns the sum of the uint64 words of b[:n] (n a multiple of 512).
//
//go:noescape
func readSumAVX2(n int, b *byte) uint64

// fmaLoopAVX2 runs iters rounds of 12 independent 8-lane FMAs.
//
//go:noescape
func fmaLoopAVX2(iters int)

func hasAVX2() bool {
	x := cpu.X86
	return x.HasAVX2 && x.HasFMA && x.HasF16C
}

var avx2 = &Variant{
	Name:  "avx2",
	Block: 8,
	Dot: [4]DotKernels{
		// Decode takes rows 4 far-apart at a time (FarDot): against 8
		// neighbours, 8 far-apart rows were 1.04–1.52× faster, 4 another
		// 1.01–1.08×.
		F32:  {TileM: 2, TileN: 4, Tile: tileF32AVX2, Rows: 8, RowsDot: rowsF32AVX2, Far: 4, FarDot: far4F32AVX2, One: oneF32AVX2},
		F16:  {TileM: 2, TileN: 4, Tile: tileF16AVX2, Rows: 8, RowsDot: rowsF16AVX2, Far: 4, FarDot: far4F16AVX2, One: oneF16AVX2},
		BF16: {TileM: 2, TileN: 4, Tile: tileBF16AVX2, Rows: 8, RowsDot: rowsBF16AVX2, Far: 4, FarDot: far4BF16AVX2, One: oneBF16AVX2},
		Q8_0: {TileM: 2, TileN: 4, Tile: tileQ8AVX2, Rows: 8, RowsDot: rowsQ8AVX2, One: oneQ8AVX2},
	},
	Widen: [4]func(k int, src *byte, dst *float32){
		F16:  widenF16AVX2,
		BF16: widenBF16AVX2,
	},
	// Panels: 512-token prefill at one thread, alternate runs of gpt2
	// bench, f32 242–306 → 289–342 tok/s, f16 225–263 → 324–364, bf16
	// 222–243 → 337–379; decode the same within the runs' noise (the row
	// kernels, panel_avx2_amd64.s, against the far4 kernels above).
	Pan:       &panelAVX2,
	DotF32:    avx2Vec.Dot,
	OuterK:    outerAVX2,
	Axpy:      avx2Vec.Axpy,
	Softmax:   avx2Vec.Softmax,
	Gelu:      avx2Vec.Gelu,
	LayerNorm: avx2Vec.LayerNorm,
	ReadSum:   avx2Vec.ReadSum,
	FMALoop:   func(iters int) int64 { fmaLoopAVX2(iters); return int64(iters) * 12 * 8 * 2 },
}

var avx2Vec = &vecKernels{lanes: 8, dot: dotAVX2, axpy: axpyAVX2, max: maxAVX2, expSub: expSubAVX2, scale: scaleAVX2, gelu: geluAVX2, sum: sumAVX2, sqDiff: sqDiffAVX2, norm: normAVX2, readSum: readSumAVX2}

// far4F32AVX2, far4F16AVX2 and far4BF16AVX2 are the row kernels for 4
// rows: for n < 4, out[n] (+)= Σ_{c<k} x[c] * w_n[c], w_n at w + n·ldw.
//
//go:noescape
func far4F32AVX2(k int, x *float32, w *byte, ldw int, out *float32, add bool)

//go:noescape
func far4F16AVX2(k int, x *float32, w *byte, ldw int, out *float32, add bool)

//go:noescape
func far4BF16AVX2(k int, x *float32, w *byte, ldw int, out *float32, add bool)
