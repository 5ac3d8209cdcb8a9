//go:build !purego

package kernels

import "unsafe"

// dotAVX512 returns Σ_{i<n} a[i]*b[i].
//
//go:noescape
func dotAVX512(n int, a, b *float32) float32

// axpyAVX512 does y[i] += alpha*x[i] for i < n.
//
//go:noescape
func axpyAVX512(n int, alpha float32, x, y *float32)

// softmaxAVX512 replaces x[:n] (n >= 1) by exp(x[i]-max)/Σ exp(x[j]-max).
//
//go:noescape
func softmaxAVX512(n int, x *float32)

// geluAVX512 replaces x[i] by x[i]/(1+exp(-2c(x[i]+0.044715x[i]³))), c = √(2/π),
// for i < n: GPT-2's gelu_new.
//
//go:noescape
func geluAVX512(n int, x *float32)

// readSumAVX512 returns the sum of the n/8 uint64 words at b (n a multiple of 512).
//
//go:noescape
func readSumAVX512(n int, b *byte) uint64

// fmaLoopAVX512 runs iters rounds of 12 independent 16-lane FMAs.
//
//go:noescape
func fmaLoopAVX512(iters int)

func dotF32AVX512(a, b []float32) float32 {
	if len(a) == 0 {
		return 0
	}
	_ = b[len(a)-1]
	return dotAVX512(len(a), &a[0], &b[0])
}

func axpyF32AVX512(y []float32, alpha float32, x []float32) {
	if len(y) == 0 {
		return
	}
	_ = x[len(y)-1]
	axpyAVX512(len(y), alpha, &x[0], &y[0])
}

func softmaxF32AVX512(x []float32) {
	if len(x) > 0 {
		softmaxAVX512(len(x), &x[0])
	}
}

func geluF32AVX512(x []float32) {
	if len(x) > 0 {
		geluAVX512(len(x), &x[0])
	}
}

func readSumBytesAVX512(b []byte) uint64 {
	n := len(b) &^ 511
	sum := readSumGeneric(b[n:])
	if n > 0 {
		sum += readSumAVX512(n, unsafe.SliceData(b))
	}
	return sum
}

func fmaFlopsAVX512(iters int) int64 {
	fmaLoopAVX512(iters)
	return int64(iters) * 12 * 16 * 2
}
