package kernels

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// The generic variant: plain Go, the reference every assembly kernel is
// tested against, and the code path of the purego build. Its dot product
// keeps four partial sums (one per column modulo 4), added pairwise at
// the end; the tile and row kernels are made of it, so they agree exactly.
var generic = &Variant{
	Name:  "generic",
	Block: 1,
	Dot: [4]DotKernels{
		F32:  genericDot(F32, oneF32),
		F16:  genericDot(F16, oneF16),
		BF16: genericDot(BF16, oneBF16),
		Q8_0: genericDot(Q8_0, oneQ8),
	},
	DotF32:    dotGeneric,
	Axpy:      axpyGeneric,
	Softmax:   softmaxGeneric,
	Gelu:      geluGeneric,
	LayerNorm: layerNormGeneric,
	ReadSum:   readSumGeneric,
	FMALoop:   fmaLoopGeneric,
}

func genericDot(typ DType, one func(k int, x *float32, w *byte) float32) DotKernels {
	return DotKernels{
		TileM: 4, TileN: 4,
		Tile: func(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool) {
			o := unsafe.Slice(out, 3*ldo+4)
			for m := 0; m < 4; m++ {
				xm := (*float32)(unsafe.Add(unsafe.Pointer(x), 4*m*ldx))
				for n := 0; n < 4; n++ {
					v := one(k, xm, (*byte)(unsafe.Add(unsafe.Pointer(w), n*ldw)))
					if add {
						o[m*ldo+n] += v
					} else {
						o[m*ldo+n] = v
					}
				}
			}
		},
		Rows: 16,
		RowsDot: func(k int, x *float32, w *byte, ldw int, out *float32, add bool) {
			for n := 0; n < 16; n++ {
				o := (*float32)(unsafe.Add(unsafe.Pointer(out), 4*n))
				dotChunked(one, typ, k, x, (*byte)(unsafe.Add(unsafe.Pointer(w), n*ldw)), o, add)
			}
		},
		One: one,
	}
}

func oneF32(k int, x *float32, w *byte) float32 {
	return dotGeneric(unsafe.Slice(x, k), unsafe.Slice((*float32)(unsafe.Pointer(w)), k))
}

func oneF16(k int, x *float32, w *byte) float32 {
	xs, ws := unsafe.Slice(x, k), unsafe.Slice((*uint16)(unsafe.Pointer(w)), k)
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= k; i += 4 {
		s0 += xs[i] * f16Table[ws[i]]
		s1 += xs[i+1] * f16Table[ws[i+1]]
		s2 += xs[i+2] * f16Table[ws[i+2]]
		s3 += xs[i+3] * f16Table[ws[i+3]]
	}
	for ; i < k; i++ {
		s0 += xs[i] * f16Table[ws[i]]
	}
	return (s0 + s1) + (s2 + s3)
}

func oneBF16(k int, x *float32, w *byte) float32 {
	xs, ws := unsafe.Slice(x, k), unsafe.Slice((*uint16)(unsafe.Pointer(w)), k)
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= k; i += 4 {
		s0 += xs[i] * math.Float32frombits(uint32(ws[i])<<16)
		s1 += xs[i+1] * math.Float32frombits(uint32(ws[i+1])<<16)
		s2 += xs[i+2] * math.Float32frombits(uint32(ws[i+2])<<16)
		s3 += xs[i+3] * math.Float32frombits(uint32(ws[i+3])<<16)
	}
	for ; i < k; i++ {
		s0 += xs[i] * math.Float32frombits(uint32(ws[i])<<16)
	}
	return (s0 + s1) + (s2 + s3)
}

// oneQ8 dequantizes each block (d·q is exact in float32) and takes the
// dot product with four partial sums.
func oneQ8(k int, x *float32, w *byte) float32 {
	xs := unsafe.Slice(x, k)
	row := unsafe.Slice(w, k/Q8Block*Q8BlockBytes)
	var s0, s1, s2, s3 float32
	for b := 0; b < k/Q8Block; b++ {
		blk := row[b*Q8BlockBytes : (b+1)*Q8BlockBytes]
		d := f16Table[binary.LittleEndian.Uint16(blk)]
		xb := xs[b*Q8Block : (b+1)*Q8Block]
		for i := 0; i < Q8Block; i += 4 {
			s0 += xb[i] * (d * float32(int8(blk[2+i])))
			s1 += xb[i+1] * (d * float32(int8(blk[3+i])))
			s2 += xb[i+2] * (d * float32(int8(blk[4+i])))
			s3 += xb[i+3] * (d * float32(int8(blk[5+i])))
		}
	}
	return (s0 + s1) + (s2 + s3)
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

// layerNormGeneric sums in float64, one value after another: the reference
// the vector kernels' float32 lane sums are tested against.
func layerNormGeneric(dst, x, g, b []float32, eps float32) {
	n := len(x)
	if n == 0 {
		return
	}
	dst, g, b = dst[:n], g[:n], b[:n]
	var sum float64
	for _, v := range x {
		sum += float64(v)
	}
	mean := sum / float64(n)
	var ss float64
	for _, v := range x {
		d := float64(v) - mean
		ss += d * d
	}
	inv := 1 / math.Sqrt(ss/float64(n)+float64(eps))
	for i, v := range x {
		dst[i] = float32((float64(v)-mean)*inv)*g[i] + b[i]
	}
}
