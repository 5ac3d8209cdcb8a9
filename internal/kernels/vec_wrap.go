//go:build !purego && (amd64 || arm64)

package kernels

import (
	"math"
	"unsafe"
)

// vecKernels are a variant's assembly vector kernels that take lengths in
// multiples of lanes; the methods finish the last few values in Go.
type vecKernels struct {
	lanes   int
	dot     func(n int, a, b *float32) float32
	axpy    func(n int, alpha float32, x, y *float32)
	max     func(n int, x *float32) float32
	expSub  func(n int, x *float32, m float32) float32 // x[i] = exp(x[i]-m), returns the sum
	scale   func(n int, x *float32, s float32)
	gelu    func(n int, x *float32)
	sum     func(n int, x *float32) float32
	sqDiff  func(n int, x *float32, m float32) float32 // Σ (x[i]-m)²
	norm    func(n int, x, dst, g, b *float32, m, inv float32)
	readSum func(n int, b *byte) uint64 // n a multiple of 512
}

func (k *vecKernels) whole(n int) int { return n / k.lanes * k.lanes }

func (k *vecKernels) Dot(a, b []float32) float32 {
	n := k.whole(len(a))
	var s float32
	if n > 0 {
		_ = b[len(a)-1]
		s = k.dot(n, &a[0], &b[0])
	}
	for i := n; i < len(a); i++ {
		s += a[i] * b[i]
	}
	return s
}

func (k *vecKernels) Axpy(y []float32, alpha float32, x []float32) {
	n := k.whole(len(y))
	if n > 0 {
		_ = x[len(y)-1]
		k.axpy(n, alpha, &x[0], &y[0])
	}
	for i := n; i < len(y); i++ {
		y[i] += alpha * x[i]
	}
}

func (k *vecKernels) Softmax(x []float32) {
	if len(x) == 0 {
		return
	}
	n := k.whole(len(x))
	m := x[0]
	if n > 0 {
		m = k.max(n, &x[0])
	}
	for _, v := range x[n:] {
		m = max(m, v)
	}
	var sum float32
	if n > 0 {
		sum = k.expSub(n, &x[0], m)
	}
	for i := n; i < len(x); i++ {
		x[i] = float32(math.Exp(float64(x[i] - m)))
		sum += x[i]
	}
	inv := 1 / sum
	if n > 0 {
		k.scale(n, &x[0], inv)
	}
	for i := n; i < len(x); i++ {
		x[i] *= inv
	}
}

func (k *vecKernels) Gelu(x []float32) {
	n := k.whole(len(x))
	if n > 0 {
		k.gelu(n, &x[0])
	}
	geluGeneric(x[n:])
}

func (k *vecKernels) ReadSum(b []byte) uint64 {
	n := len(b) &^ 511
	sum := readSumGeneric(b[n:])
	if n > 0 {
		sum += k.readSum(n, unsafe.SliceData(b))
	}
	return sum
}

// LayerNorm is the variant's LayerNorm: float32 sums over the kernels'
// lanes, the last few values in Go.
func (k *vecKernels) LayerNorm(dst, x, g, b []float32, eps float32) {
	n := len(x)
	if n == 0 {
		return
	}
	_, _, _ = dst[n-1], g[n-1], b[n-1]
	w := k.whole(n)
	var s float32
	if w > 0 {
		s = k.sum(w, &x[0])
	}
	for _, v := range x[w:] {
		s += v
	}
	m := s / float32(n)
	var ss float32
	if w > 0 {
		ss = k.sqDiff(w, &x[0], m)
	}
	for _, v := range x[w:] {
		ss += (v - m) * (v - m)
	}
	inv := float32(1 / math.Sqrt(float64(ss/float32(n)+eps)))
	if w > 0 {
		k.norm(w, &x[0], &dst[0], &g[0], &b[0], m, inv)
	}
	for i := w; i < n; i++ {
		dst[i] = (x[i]-m)*inv*g[i] + b[i]
	}
}
