//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// AVX-512 VNNI versions of the q8 kernels (q8act.go); each computes what its
// Go twin there does, bit for bit.

// quantizeQ8ActAVX512 is quantizeQ8ActGeneric.
//
//go:noescape
func quantizeQ8ActAVX512(k int, x *float32, dst *byte)

// packQ8AVX512 is packQ8Generic.
//
//go:noescape
func packQ8AVX512(k int, w *byte, ldw int, dst *byte)

// tileQ8ActAVX512 is tileQ8ActGeneric for 8 activation rows: for m < 8 and
// n < 16, out[m*ldo+n] = dotQ8Act(k, x+m*ldx, w_n), w_n row n of the panel.
//
//go:noescape
func tileQ8ActAVX512(k int, x *byte, ldx int, packed *byte, out *float32, ldo int)

// tileWideQ8ActAVX512 is tileWideQ8ActGeneric for 4 activation rows: for
// m < 4 and n < 32, out[m*ldo+n] = dotQ8Act(k, x+m*ldx, w_n), w_n row n of
// the panel at p for n < 16, row n−16 of the panel at p+pstride after.
//
//go:noescape
func tileWideQ8ActAVX512(k int, x *byte, ldx int, p *byte, pstride int, out *float32, ldo int)

// tile1Q8ActAVX512 is tile1Q8ActGeneric: for n < 16,
// out[n] = dotQ8Act(k, x, w_n), w_n row n of the panel.
//
//go:noescape
func tile1Q8ActAVX512(k int, x *byte, packed *byte, out *float32)

// tile1QuadQ8ActAVX512 is tile1QuadQ8ActGeneric.
//
//go:noescape
func tile1QuadQ8ActAVX512(k int, x *byte, p *byte, stride int, out *float32, ostride int)

// rowsQ8ActAVX512 is rowsQ8ActGeneric: for n < 16,
// out[n] = dotQ8Act(k, x, w+n*ldw).
//
//go:noescape
func rowsQ8ActAVX512(k int, x *byte, w *byte, ldw int, out *float32)

// dotLoopAVX512 runs iters rounds of 12 independent 64-byte VPDPBUSD.
//
//go:noescape
func dotLoopAVX512(iters int)

var q8AVX512 = &Q8Kernels{
	Quantize:     quantizeQ8ActAVX512,
	Pack:         packQ8AVX512,
	TileM:        8,
	Tile:         tileQ8ActAVX512,
	WideM:        4,
	Wide:         tileWideQ8ActAVX512,
	Rows:         rowsQ8ActAVX512,
	Tile1:        tile1Q8ActAVX512,
	Streams:      4,
	Tile1Streams: tile1QuadQ8ActAVX512,
	DotLoop:      func(iters int) int64 { dotLoopAVX512(iters); return int64(iters) * 12 * 64 * 2 },
}

// avx512vnni is avx512 with int8 dot products for q8_0 weights.
var avx512vnni = func() *Variant {
	v := *avx512
	v.Name = "avx512vnni"
	v.Q8 = q8AVX512
	return &v
}()

func hasAVX512VNNI() bool { return hasAVX512() && cpu.X86.HasAVX512VNNI }

// The same kernels for AVX2 with AVX-VNNI (VEX-encoded VPDPBUSD on 8 lanes).

// quantizeQ8ActAVX2 is quantizeQ8ActGeneric.
//
//go:noescape
func quantizeQ8ActAVX2(k int, x *float32, dst *byte)

// packQ8AVX2 is packQ8Generic.
//
//go:noescape
func packQ8AVX2(k int, w *byte, ldw int, dst *byte)

// tileQ8ActAVX2 is tileQ8ActGeneric for 2 activation rows.
//
//go:noescape
func tileQ8ActAVX2(k int, x *byte, ldx int, packed *byte, out *float32, ldo int)

// tile1Q8ActAVX2 is tile1Q8ActGeneric.
//
//go:noescape
func tile1Q8ActAVX2(k int, x *byte, packed *byte, out *float32)

// tile1PairQ8ActAVX2 is tile1PairQ8ActGeneric: two streams, as AVX2's 16
// registers hold the sums of two panels (four would need 16 for the sums).
//
//go:noescape
func tile1PairQ8ActAVX2(k int, x *byte, p *byte, stride int, out *float32, ostride int)

// rowsQ8ActAVX2 is rowsQ8ActGeneric.
//
//go:noescape
func rowsQ8ActAVX2(k int, x *byte, w *byte, ldw int, out *float32)

// dotLoopAVX2 runs iters rounds of 12 independent 32-byte VPDPBUSD.
//
//go:noescape
func dotLoopAVX2(iters int)

var q8AVX2 = &Q8Kernels{
	Quantize:     quantizeQ8ActAVX2,
	Pack:         packQ8AVX2,
	TileM:        2,
	Tile:         tileQ8ActAVX2,
	Rows:         rowsQ8ActAVX2,
	Tile1:        tile1Q8ActAVX2,
	Streams:      2,
	Tile1Streams: tile1PairQ8ActAVX2,
	DotLoop:      func(iters int) int64 { dotLoopAVX2(iters); return int64(iters) * 12 * 32 * 2 },
}

// avx2vnni is avx2 with int8 dot products for q8_0 weights.
var avx2vnni = func() *Variant {
	v := *avx2
	v.Name = "avx2vnni"
	v.Q8 = q8AVX2
	return &v
}()

func hasAVX2VNNI() bool { return hasAVX2() && cpu.X86.HasAVXVNNI }
