package kernels

// KeyBlock is the positions of a block of the key cache: a block's keys
// are stored transposed (dimension by dimension, KeyBlock positions
// each), so that attention's scores are a product in outer-product order
// (Outer) with positions along the vector lanes.
const KeyBlock = 64

// PackKeys stores n ≤ KeyBlock keys of d dimensions, scaled, transposed
// into a block of the key cache: dst[i·KeyBlock+t] = src[t·lds+i]·scale
// for t < n and i < d, one rounding each. Variants with a KeysT kernel
// transpose four keys by 16 dimensions in registers; a scalar loop spent
// about 2 ns a value here, on loads or stores a cache line apart.
func (v *Variant) PackKeys(n, d int, src []float32, lds int, dst []float32, scale float32) {
	if n == 0 || d == 0 {
		return
	}
	n4, d16 := 0, 0
	if v.KeysT != nil && n >= 4 && d >= 16 {
		n4, d16 = n&^3, d&^15
		// The kernel indexes without checks: these are the furthest
		// elements it touches.
		_ = src[(n4-1)*lds+d16-1]
		_ = dst[(d16-1)*KeyBlock+n4-1]
		v.KeysT(n4, d16, &src[0], lds, &dst[0], scale)
		packKeysRange(0, n4, d16, d, src, lds, dst, scale)
	}
	packKeysRange(n4, n, 0, d, src, lds, dst, scale)
}

// packKeysRange is PackKeys for keys [t0, t1) and dimensions [i0, i1),
// key by key: a decode step stores one key, and slicing a row of the
// block per dimension made its store three times as long.
func packKeysRange(t0, t1, i0, i1 int, src []float32, lds int, dst []float32, scale float32) {
	if i0 >= i1 {
		return
	}
	for t := t0; t < t1; t++ {
		out := dst[i0*KeyBlock+t : (i1-1)*KeyBlock+t+1]
		for i, v := range src[t*lds+i0 : t*lds+i1] {
			out[i*KeyBlock] = v * scale
		}
	}
}
