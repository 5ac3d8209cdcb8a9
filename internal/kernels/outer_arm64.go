//go:build !purego

package kernels

// outer4x16NEON computes, for r < 4, j < 16 (nv is 1),
//
//	s := float32(0)
//	for p := 0; p < k; p++ { s = fma(a[r*lda+p], b[p*ldb+j], s) }
//	if add { c[r*ldc+j] += s } else { c[r*ldc+j] = s }
//
// reading columns j < 16 of b's rows.
//
//go:noescape
func outer4x16NEON(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, nv int, add bool)

// outer1x32NEON is outer4x16NEON for one row and up to 32 columns (nv ≤
// 2), reading columns j < 32 of b's rows.
//
//go:noescape
func outer1x32NEON(k int, a *float32, b *float32, ldb int, c *float32, nv int, add bool)

var outerNEON = OuterKernels{TileM: 4, TileN: 16, Tile: outer4x16NEON, RowN: 32, Row: outer1x32NEON}
