package kernels

import (
	"encoding/binary"
	"math"
)

// Scalar conversions between float32 and the storage types of weights:
// IEEE half (f16), bfloat16 (bf16) and llama.cpp's q8_0 blocks. Rounding is
// to nearest, ties to even, as numpy, PyTorch and ggml do it, so files
// written here are bit-identical to theirs.

// F16ToF32 widens an IEEE half (exact).
func F16ToF32(h uint16) float32 { return f16Table[h] }

var f16Table = func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for i := range t {
		t[i] = f16ToF32Slow(uint16(i))
	}
	return &t
}()

func f16ToF32Slow(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // inf, nan
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: normalise
		e := uint32(127 - 15 + 1)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (mant&0x3ff)<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// F32ToF16 rounds to the nearest half, ties to even; overflow gives infinity.
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant != 0 {
			return sign | 0x7e00 | uint16(mant>>13) // NaN stays NaN
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 { // half subnormal or zero
		if e < -10 {
			return sign
		}
		m := mant | 0x800000
		shift := uint(14 - e)
		half := uint32(1) << (shift - 1)
		rem := m & (1<<shift - 1)
		q := m >> shift
		if rem > half || (rem == half && q&1 == 1) {
			q++
		}
		return sign | uint16(q)
	}
	h := sign | uint16(e)<<10 | uint16(mant>>13)
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
		h++ // may carry into the exponent, up to infinity: still correct
	}
	return h
}

// BF16ToF32 widens a bfloat16 (exact).
func BF16ToF32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// F32ToBF16 rounds to the nearest bfloat16, ties to even.
func F32ToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40 // quiet NaN
	}
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}

// Q8_0 is llama.cpp's 8-bit block format: per 32 weights, one f16 scale d
// and 32 int8 q, weight = d·q.
const (
	Q8Block      = 32
	Q8BlockBytes = 2 + Q8Block
)

// QuantizeQ8_0 writes the q8_0 blocks of src (len(src) a multiple of 32)
// into dst (len(src)/32*34 bytes), as ggml's reference quantizer does:
// d = max|x|/127 and q = round(x/d), half away from zero.
func QuantizeQ8_0(dst []byte, src []float32) {
	for b := 0; b*Q8Block < len(src); b++ {
		x := src[b*Q8Block : (b+1)*Q8Block]
		out := dst[b*Q8BlockBytes : (b+1)*Q8BlockBytes]
		var amax float32
		for _, v := range x {
			amax = max(amax, float32(math.Abs(float64(v))))
		}
		d := amax / 127
		var id float32
		if d != 0 {
			id = 1 / d
		}
		binary.LittleEndian.PutUint16(out, F32ToF16(d))
		for i, v := range x {
			out[2+i] = byte(int8(math.Round(float64(v * id))))
		}
	}
}

// DequantizeQ8_0 is the inverse of QuantizeQ8_0 (up to its rounding).
func DequantizeQ8_0(dst []float32, src []byte) {
	for b := 0; b*Q8Block < len(dst); b++ {
		blk := src[b*Q8BlockBytes : (b+1)*Q8BlockBytes]
		d := F16ToF32(binary.LittleEndian.Uint16(blk))
		for i := 0; i < Q8Block; i++ {
			dst[b*Q8Block+i] = d * float32(int8(blk[2+i]))
		}
	}
}

func float32frombits(b uint32) float32 { return math.Float32frombits(b) }
