//go:build !purego

package kernels

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

// sumAVX512 returns Σ_{i<n} x[i] (n a multiple of 16).
//
//go:noescape
func sumAVX512(n int, x *float32) float32

// sqDiffAVX512 returns Σ_{i<n} (x[i]-m)² (n a multiple of 16).
//
//go:noescape
func sqDiffAVX512(n int, x *float32, m float32) float32

// normAVX512 sets dst[i] = (x[i]-m)*inv*gain[i] + bias[i] for i < n (a multiple
// of 16).
//
//go:noescape
func normAVX512(n int, x, dst, gain, bias *float32, m, inv float32)

// readSumAVX512 returns the sum of the n/8 uint64 words at b (n a multiple of 512).
//
//go:noescape
func readSumAVX512(n int, b *byte) uint64

// avx512Vec wraps the AVX-512 kernels that take whole vectors of 16 (the
// others mask their last chunk), the last few values in Go.
var avx512Vec = &vecKernels{lanes: 16, sum: sumAVX512, sqDiff: sqDiffAVX512, norm: normAVX512, readSum: readSumAVX512}

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

func fmaFlopsAVX512(iters int) int64 {
	fmaLoopAVX512(iters)
	return int64(iters) * 12 * 16 * 2
}
