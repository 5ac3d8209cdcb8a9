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
	// The kernels index without checks: these are the furthest elements
	// they touch.
	_ = src[(n-1)*lds+d-1]
	_ = dst[(d-1)*KeyBlock+n-1]
	n4, d16 := 0, 0
	if v.KeysT != nil {
		n4, d16 = n&^3, d&^15
		if n4 > 0 && d16 > 0 {
			v.KeysT(n4, d16, &src[0], lds, &dst[0], scale)
		}
	}
	packKeysRange(0, n4, d16, d, src, lds, dst, scale)
	packKeysRange(n4, n, 0, d, src, lds, dst, scale)
}

// packKeysRange is PackKeys for keys [t0, t1) and dimensions [i0, i1).
func packKeysRange(t0, t1, i0, i1 int, src []float32, lds int, dst []float32, scale float32) {
	for i := i0; i < i1; i++ {
		row := dst[i*KeyBlock:]
		for t := t0; t < t1; t++ {
			row[t] = src[t*lds+i] * scale
		}
	}
}
