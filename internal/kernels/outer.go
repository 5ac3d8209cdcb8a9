package kernels

import "unsafe"

// Attention's products (scores Q·Kᵀ and output P·V, with keys stored
// transposed) are small: k = 64, n ≤ 64. As dot products each output's 16
// lanes must be added across at the end, which at k = 64 cost about as
// much as the multiply-adds. In outer-product order each output is one
// running sum instead: for p < k, acc += a[i][p]·b[p][j], j along the
// vector lanes, a[i][p] broadcast. Every path of a variant (the tile for
// prefill's rows, the row kernel for decode's one) sums in that order, so
// a row's outputs do not depend on how many rows came with it.

// OuterKernels compute c[i·ldc+j] = Σ_{p<k} a[i·lda+p]·b[p·ldb+j], summed
// from 0 in order of p (one multiply-add at a time, fused where the
// variant has FMA), then stored, or with add added to c. Columns come in
// vectors of 16: nv of them are stored.
type OuterKernels struct {
	// Tile computes TileM rows and nv ≤ TileN/16 column vectors, reading
	// TileN columns of each row of b.
	TileM, TileN int
	Tile         func(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, nv int, add bool)
	// Small, where set, is Tile for SmallM < TileM rows, for the rows
	// left below TileM: a block of 64 is ten tiles of six and one of four.
	SmallM int
	Small  func(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, nv int, add bool)
	// Row computes one row and nv ≤ RowN/16 column vectors, reading RowN
	// columns of each row of b.
	RowN int
	Row  func(k int, a *float32, b *float32, ldb int, c *float32, nv int, add bool)
}

// Outer computes, for i < m and j < n, c[i·ldc+j] = Σ_{p<k}
// a[i·lda+p]·b[p·ldb+j] in outer-product order (OuterKernels), or adds it
// to c with add. The kernels take the columns below the last multiple of
// 16, and each row of b must be readable up to that rounded up to their
// width (OuterWidth): they may read columns they do not store. Columns
// past it are summed in Go (in the same order, unfused), whichever rows
// come together, so that a row's bits never depend on its company.
func (v *Variant) Outer(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, add bool) {
	if m == 0 || n == 0 {
		return
	}
	o := &v.OuterK
	if o.Tile == nil {
		outerGeneric(m, n, k, a, lda, b, ldb, c, ldc, add)
		return
	}
	if n16 := n &^ 15; n16 < n {
		outerGeneric(m, n-n16, k, a, lda, b[n16:], ldb, c[n16:], ldc, add)
		if n = n16; n == 0 {
			return
		}
	}
	// The kernels index without checks: these are the furthest elements
	// they touch.
	_ = c[(m-1)*ldc+n-1]
	if k > 0 {
		w := OuterWidth(v)
		_ = a[(m-1)*lda+k-1]
		_ = b[(k-1)*ldb+(n+w-1)/w*w-1]
	}
	tiled := m - m%o.TileM
	small := tiled
	if o.Small != nil {
		small += (m - tiled) / o.SmallM * o.SmallM
	}
	for j := 0; j < n; j += o.TileN {
		nv := min(o.TileN, n-j) / 16
		for i := 0; i < tiled; i += o.TileM {
			o.Tile(k, ptr(a, i*lda), lda, ptr(b, j), ldb, &c[i*ldc+j], ldc, nv, add)
		}
		for i := tiled; i < small; i += o.SmallM {
			o.Small(k, ptr(a, i*lda), lda, ptr(b, j), ldb, &c[i*ldc+j], ldc, nv, add)
		}
	}
	for i := small; i < m; i++ {
		for j := 0; j < n; j += o.RowN {
			o.Row(k, ptr(a, i*lda), ptr(b, j), ldb, &c[i*ldc+j], min(o.RowN, n-j)/16, add)
		}
	}
}

// OuterWidth is the columns of b the variant's products read at a time:
// b's rows must be readable up to a multiple of it.
func OuterWidth(v *Variant) int {
	if v.OuterK.Tile == nil {
		return 16
	}
	return max(v.OuterK.TileN, v.OuterK.RowN)
}

// ptr is &s[i], allowed one past the end (for k = 0).
func ptr(s []float32, i int) *float32 {
	return (*float32)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s)), 4*i))
}

// outerGeneric is Outer in plain Go.
func outerGeneric(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, add bool) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += a[i*lda+p] * b[p*ldb+j]
			}
			if add {
				c[i*ldc+j] += s
			} else {
				c[i*ldc+j] = s
			}
		}
	}
}
