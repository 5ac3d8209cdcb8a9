//go:build !purego

package kernels

// keysTAVX512 computes, for t < n (a multiple of 4) and i < d (a multiple
// of 16),
//
//	dst[i*KeyBlock+t] = src[t*lds+i] * scale
//
//go:noescape
func keysTAVX512(n, d int, src *float32, lds int, dst *float32, scale float32)
