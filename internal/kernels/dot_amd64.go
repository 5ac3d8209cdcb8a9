//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// Assembly kernels for amd64: avx512 (AVX-512 F/BW/VL/DQ with FMA and F16C)
// and avx2 (AVX2 with FMA and F16C). Each function's doc comment is the Go
// loop it computes; the lanes and the order of the sums are described in
// its .s file.

// tileF16AVX512 computes, for m, n < 4,
//
//	s := Σ_{c<k} x[m*ldx+c] * w_n[c]   (w_n[c] = F16ToF32(half c of the row at w + n*ldw bytes))
//	if add { out[m*ldo+n] += s } else { out[m*ldo+n] = s }
//
// with k a multiple of 16.
//
//go:noescape
func tileF16AVX512(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)

// tileBF16AVX512 is tileF16AVX512 with bf16 weights.
//
//go:noescape
func tileBF16AVX512(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)

// tileQ8AVX512 is tileF16AVX512 with q8_0 weights: w_n[c] = d_b * q_b[c%32]
// for block b = c/32 of row n (k a multiple of 32).
//
//go:noescape
func tileQ8AVX512(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)

// tile8F32AVX512 is tile3x8F32AVX512 for m < 2: the 3×8 tiles' Tile2.
//
//go:noescape
func tile8F32AVX512(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)

// tile3x8F32AVX512 computes, for m < 3 and n < 8,
//
//	s := Σ_{c<k} x[m*ldx+c] * w_n[c]
//	if add { out[m*ldo+n] += s } else { out[m*ldo+n] = s }
//
// with k a multiple of 16 (the sums of the other tiles, in the same order).
//
//go:noescape
func tile3x8F32AVX512(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)

// widenF16AVX512 computes dst[c] = F16ToF32(half c of src) for c < k (a
// multiple of 16).
//
//go:noescape
func widenF16AVX512(k int, src *byte, dst *float32)

// widenBF16AVX512 is widenF16AVX512 for bf16.
//
//go:noescape
func widenBF16AVX512(k int, src *byte, dst *float32)

// widenQ8AVX512 computes dst[c] = d_b * q_b[c%32] for c < k (a multiple
// of 32), block b = c/32 of the q8_0 row at src.
//
//go:noescape
func widenQ8AVX512(k int, src *byte, dst *float32)

// rowsF32AVX512 computes, for n < 16, out[n] (+)= Σ_{c<k} x[c] * w_n[c].
//
//go:noescape
func rowsF32AVX512(k int, x *float32, w *byte, ldw int, out *float32, add bool)

// far4F32AVX512, far4F16AVX512 and far4BF16AVX512 are the row kernels for
// 4 rows: for n < 4, out[n] (+)= Σ_{c<k} x[c] * w_n[c], w_n at w + n·ldw.
//
//go:noescape
func far4F32AVX512(k int, x *float32, w *byte, ldw int, out *float32, add bool)

//go:noescape
func far4F16AVX512(k int, x *float32, w *byte, ldw int, out *float32, add bool)

//go:noescape
func far4BF16AVX512(k int, x *float32, w *byte, ldw int, out *float32, add bool)

//go:noescape
func rowsF16AVX512(k int, x *float32, w *byte, ldw int, out *float32, add bool)

//go:noescape
func rowsBF16AVX512(k int, x *float32, w *byte, ldw int, out *float32, add bool)

//go:noescape
func rowsQ8AVX512(k int, x *float32, w *byte, ldw int, out *float32, add bool)

// oneF32AVX512 returns Σ_{c<k} x[c] * w[c].
//
//go:noescape
func oneF32AVX512(k int, x *float32, w *byte) float32

//go:noescape
func oneF16AVX512(k int, x *float32, w *byte) float32

//go:noescape
func oneBF16AVX512(k int, x *float32, w *byte) float32

//go:noescape
func oneQ8AVX512(k int, x *float32, w *byte) float32

func hasAVX512() bool {
	x := cpu.X86
	return x.HasAVX512F && x.HasAVX512BW && x.HasAVX512VL && x.HasAVX512DQ && x.HasFMA && x.HasF16C && x.HasAVX2
}

var avx512 = &Variant{
	Name:  "avx512",
	Block: 16,
	Dot: [4]DotKernels{
		// f32 weights come straight from memory: 3×8 tiles load each
		// weight vector once for three activation rows (dot_avx512_amd64.s
		// has the measurements against 2×8). Converting weights costs per
		// weight row, so the other types keep 4×4 tiles, which convert each
		// row once for 4 tokens, or are widened for the f32 tiles.
		// Decode takes rows 4 far-apart at a time (FarDot), not 16
		// neighbours: four streams a core reads faster (8 were faster than
		// 16, 4 faster again). f32 gained only once the four streams were
		// prefetched (without: 0.92–1.01×; with, BenchmarkReadModel
		// gemv/read 0.86–0.90 → 0.93–0.99).
		F32:  {TileM: 3, TileN: 8, Tile: tile3x8F32AVX512, Tile2: tile8F32AVX512, Rows: 16, RowsDot: rowsF32AVX512, Far: 4, FarDot: far4F32AVX512, One: oneF32AVX512},
		F16:  {TileM: 4, TileN: 4, Tile: tileF16AVX512, Rows: 16, RowsDot: rowsF16AVX512, Far: 4, FarDot: far4F16AVX512, One: oneF16AVX512},
		BF16: {TileM: 4, TileN: 4, Tile: tileBF16AVX512, Rows: 16, RowsDot: rowsBF16AVX512, Far: 4, FarDot: far4BF16AVX512, One: oneBF16AVX512},
		Q8_0: {TileM: 4, TileN: 4, Tile: tileQ8AVX512, Rows: 16, RowsDot: rowsQ8AVX512, One: oneQ8AVX512},
	},
	Widen: [4]func(k int, src *byte, dst *float32){
		F16:  widenF16AVX512,
		BF16: widenBF16AVX512,
		Q8_0: widenQ8AVX512,
	},
	Pan:       &panelAVX512,
	DotF32:    dotF32AVX512,
	OuterK:    outerAVX512,
	KeysT:     keysTAVX512,
	Axpy:      axpyF32AVX512,
	Softmax:   softmaxF32AVX512,
	Gelu:      geluF32AVX512,
	LayerNorm: avx512Vec.LayerNorm,
	ReadSum:   avx512Vec.ReadSum,
	FMALoop:   fmaFlopsAVX512,
}
