//go:build !purego

package kernels

// outer4x64AVX512 computes, for r < 4, j < 16·nv (nv ≤ 4),
//
//	s := float32(0)
//	for p := 0; p < k; p++ { s = fma(a[r*lda+p], b[p*ldb+j], s) }
//	if add { c[r*ldc+j] += s } else { c[r*ldc+j] = s }
//
// reading columns j < 64 of b's rows.
//
//go:noescape
func outer4x64AVX512(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, nv int, add bool)

// outer6x64AVX512 is outer4x64AVX512 for six rows: 24 sums in registers
// to the four rows' 16, each row of b loaded once for six rows instead of
// four. A block of 64 rows by 64 columns in L1, k = 64: 1.10× the four-row
// tile's rate (medians of 101 alternating rounds, 118 against 107
// GFLOP/s).
//
//go:noescape
func outer6x64AVX512(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, nv int, add bool)

// outer1x64AVX512 is outer4x64AVX512 for one row.
//
//go:noescape
func outer1x64AVX512(k int, a *float32, b *float32, ldb int, c *float32, nv int, add bool)

var outerAVX512 = OuterKernels{TileM: 6, TileN: 64, Tile: outer6x64AVX512, SmallM: 4, Small: outer4x64AVX512, RowN: 64, Row: outer1x64AVX512}

// outer4x16AVX2 is outer4x64AVX512 for 16 columns (nv is 1), reading
// columns j < 16 of b's rows.
//
//go:noescape
func outer4x16AVX2(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, nv int, add bool)

// outer1x32AVX2 is outer1x64AVX512 for up to 32 columns (nv ≤ 2), reading
// columns j < 32 of b's rows.
//
//go:noescape
func outer1x32AVX2(k int, a *float32, b *float32, ldb int, c *float32, nv int, add bool)

var outerAVX2 = OuterKernels{TileM: 4, TileN: 16, Tile: outer4x16AVX2, RowN: 32, Row: outer1x32AVX2}
