package kernels

import (
	"encoding/binary"
	"math"
)

// The generic variant: plain Go, the reference every assembly kernel is
// tested against, and the code path of the purego build.
var generic = &Variant{
	Name:     "generic",
	GemvF32:  gemvF32Generic,
	GemvF16:  gemvF16Generic,
	GemvBF16: gemvBF16Generic,
	GemvQ8:   gemvQ8Generic,
	MR:       4,
	NR:       4,
	Micro:    microGeneric,
	Dot:      dotGeneric,
	Axpy:     axpyGeneric,
	Softmax:  softmaxGeneric,
	Gelu:     geluGeneric,
	ReadSum:  readSumGeneric,
	FMALoop:  fmaLoopGeneric,
}

func dotGeneric(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func axpyGeneric(y []float32, alpha float32, x []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += alpha * x[i]
	}
}

func gemvF32Generic(dst []float32, w []float32, x []float32) {
	k := len(x)
	for r := range dst {
		dst[r] = dotGeneric(w[r*k:(r+1)*k], x)
	}
}

func gemvF16Generic(dst []float32, w []uint16, x []float32) {
	k := len(x)
	for r := range dst {
		row := w[r*k : (r+1)*k]
		var s0, s1, s2, s3 float32
		i := 0
		for ; i+4 <= k; i += 4 {
			s0 += f16Table[row[i]] * x[i]
			s1 += f16Table[row[i+1]] * x[i+1]
			s2 += f16Table[row[i+2]] * x[i+2]
			s3 += f16Table[row[i+3]] * x[i+3]
		}
		for ; i < k; i++ {
			s0 += f16Table[row[i]] * x[i]
		}
		dst[r] = (s0 + s1) + (s2 + s3)
	}
}

func gemvBF16Generic(dst []float32, w []uint16, x []float32) {
	k := len(x)
	for r := range dst {
		row := w[r*k : (r+1)*k]
		var s0, s1 float32
		i := 0
		for ; i+2 <= k; i += 2 {
			s0 += math.Float32frombits(uint32(row[i])<<16) * x[i]
			s1 += math.Float32frombits(uint32(row[i+1])<<16) * x[i+1]
		}
		for ; i < k; i++ {
			s0 += math.Float32frombits(uint32(row[i])<<16) * x[i]
		}
		dst[r] = s0 + s1
	}
}

func gemvQ8Generic(dst []float32, w []byte, x []float32) {
	k := len(x)
	rb := k / Q8Block * Q8BlockBytes
	for r := range dst {
		row := w[r*rb : (r+1)*rb]
		var sum float32
		for b := 0; b < k/Q8Block; b++ {
			blk := row[b*Q8BlockBytes : (b+1)*Q8BlockBytes]
			xs := x[b*Q8Block : (b+1)*Q8Block]
			var s0, s1 float32
			for i := 0; i < Q8Block; i += 2 {
				s0 += float32(int8(blk[2+i])) * xs[i]
				s1 += float32(int8(blk[3+i])) * xs[i+1]
			}
			sum += f16Table[binary.LittleEndian.Uint16(blk)] * (s0 + s1)
		}
		dst[r] = sum
	}
}

// microGeneric is the 4×4 register tile in Go, with the accumulators in
// named variables so that the compiler keeps them in registers.
func microGeneric(k int, a, b, bias, c []float32, ldc int) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	a = a[:k*4]
	b = b[:k*4]
	for p := 0; p+4 <= len(a); p += 4 {
		ap := a[p : p+4 : p+4]
		bp := b[p : p+4 : p+4]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	store := func(row []float32, x0, x1, x2, x3 float32) {
		row = row[:4]
		row[0], row[1], row[2], row[3] = bias[0]+x0, bias[1]+x1, bias[2]+x2, bias[3]+x3
	}
	store(c[0:], c00, c01, c02, c03)
	store(c[ldc:], c10, c11, c12, c13)
	store(c[2*ldc:], c20, c21, c22, c23)
	store(c[3*ldc:], c30, c31, c32, c33)
}

func softmaxGeneric(x []float32) {
	if len(x) == 0 {
		return
	}
	m := x[0]
	for _, v := range x {
		m = max(m, v)
	}
	var sum float64
	for i, v := range x {
		e := float32(math.Exp(float64(v - m)))
		x[i] = e
		sum += float64(e)
	}
	inv := float32(1 / sum)
	for i := range x {
		x[i] *= inv
	}
}

// geluGeneric is gelu_new: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
func geluGeneric(x []float32) {
	const c = 0.7978845608028654 // √(2/π)
	for i, v := range x {
		u := float64(v)
		x[i] = float32(0.5 * u * (1 + math.Tanh(c*(u+0.044715*u*u*u))))
	}
}
