//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// NEON versions of the q8 kernels with the dot-product extension (SDOT);
// each computes what its Go twin in q8act.go does, bit for bit.

// quantizeQ8ActNEON is quantizeQ8ActGeneric.
//
//go:noescape
func quantizeQ8ActNEON(k int, x *float32, dst *byte)

// tileQ8ActNEON is tileQ8ActGeneric for 2 activation rows.
//
//go:noescape
func tileQ8ActNEON(k int, x *byte, ldx int, packed *byte, out *float32, ldo int)

// tile1Q8ActNEON is tile1Q8ActGeneric.
//
//go:noescape
func tile1Q8ActNEON(k int, x *byte, packed *byte, out *float32)

// rowsQ8ActNEON is rowsQ8ActGeneric.
//
//go:noescape
func rowsQ8ActNEON(k int, x *byte, w *byte, ldw int, out *float32)

// dotLoopNEON runs iters rounds of 12 independent SDOTs.
//
//go:noescape
func dotLoopNEON(iters int)

var q8NEON = &Q8Kernels{
	Quantize: quantizeQ8ActNEON,
	Pack:     packQ8Generic,
	TileM:    2,
	Tile:     tileQ8ActNEON,
	Rows:     rowsQ8ActNEON,
	Tile1:    tile1Q8ActNEON,
	DotLoop:  func(iters int) int64 { dotLoopNEON(iters); return int64(iters) * 12 * 16 * 2 },
}

// neondot is neon with int8 dot products for q8_0 weights. Its speed has
// not been measured on arm64 hardware yet (only its results, under qemu),
// so it is not the default: GPT2_KERNELS=neondot selects it.
var neondot = func() *Variant {
	v := *neon
	v.Name = "neondot"
	v.Q8 = q8NEON
	return &v
}()

func hasNEONDot() bool { return cpu.ARM64.HasASIMDDP }
