//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// The avx512amx variant: avx512vnni whose q8 prefill tiles run on AMX, the
// matrix unit of Intel's Xeons since Sapphire Rapids. One TDPBSUD multiplies
// a 16×32 tile of int8 activations with a 32×16 tile of int8 weights into
// 16×16 int32 sums, 8192 multiply-adds, where a VPDPBUSD does 64. The block
// sums are the same exact integers as VPDPBUSD's, and they are scaled and
// added in float32 in the same order, so the bits are those of every other
// q8 kernel.

// tileQ8ActAMX is tileQ8ActGeneric for 16 activation rows: for m < 16 and
// n < 16, out[m*ldo+n] = dotQ8Act(k, x+m*ldx, w_n), w_n row n of the panel.
// A panel block's eight groups of four columns are, as laid out for
// VPDPBUSD, the 8×64-byte weight tile that TDPBSUD takes (signed
// activations, weights with 128 added); the block's c takes the 128 off.
//
//go:noescape
func tileQ8ActAMX(k int, x *byte, ldx int, packed *byte, out *float32, ldo int)

// amxTileConfig is the palette-1 configuration LDTILECFG loads: for each
// tile register its rows (byte 48+i) and bytes per row (uint16 at 16+2i).
// tmm0–tmm3: 16×16 int32 block sums; tmm4, tmm5: one block's 32 int8 of
// 16 activation rows; tmm6, tmm7: a panel block's 8 groups of four columns
// (16 rows × 4 bytes).
var amxTileConfig = [64]byte{
	0:  1,
	16: 64, 18: 64, 20: 64, 22: 64, 24: 32, 26: 32, 28: 64, 30: 64,
	48: 16, 49: 16, 50: 16, 51: 16, 52: 16, 53: 16, 54: 8, 55: 8,
}

var q8AMX = func() *Q8Kernels {
	q := *q8AVX512
	q.TileM = 16
	q.Tile = tileQ8ActAMX
	return &q
}()

var avx512amx = func() *Variant {
	v := *avx512vnni
	v.Name = "avx512amx"
	v.Q8 = q8AMX
	return &v
}()

// hasAMX reports whether the CPU has AMX's int8 tiles and the kernel lets
// this process use them: Linux keeps the 8 KiB of tile state off until a
// process asks (amxPermit), and a tile instruction before that is SIGILL.
func hasAMX() bool {
	return hasAVX512VNNI() && cpu.X86.HasAMXTile && cpu.X86.HasAMXInt8 && amxPermit()
}
