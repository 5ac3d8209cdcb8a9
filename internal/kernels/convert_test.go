package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Every half value survives f16 -> f32 -> f16, and rounding of values in
// between goes to the nearest half, ties to even.
func TestF16AllValues(t *testing.T) {
	for i := 0; i < 1<<16; i++ {
		h := uint16(i)
		f := F16ToF32(h)
		if math.IsNaN(float64(f)) {
			if F32ToF16(f)&0x7c00 != 0x7c00 || F32ToF16(f)&0x3ff == 0 {
				t.Fatalf("NaN %04x lost", h)
			}
			continue
		}
		if back := F32ToF16(f); back != h {
			t.Fatalf("%04x -> %v -> %04x", h, f, back)
		}
		// halfway to the next half up (positive finite values, below max)
		if h < 0x7bff {
			next := F16ToF32(h + 1)
			mid := float32((float64(f) + float64(next)) / 2)
			want := h
			if h&1 == 1 {
				want = h + 1
			}
			if got := F32ToF16(mid); got != want {
				t.Fatalf("tie between %04x and %04x rounds to %04x, want %04x", h, h+1, got, want)
			}
			above := math.Nextafter32(mid, float32(math.Inf(1)))
			if got := F32ToF16(above); got != h+1 {
				t.Fatalf("just above the tie of %04x rounds to %04x", h, got)
			}
		}
	}
	if F32ToF16(70000) != 0x7c00 || F32ToF16(-70000) != 0xfc00 {
		t.Fatal("overflow does not give infinity")
	}
	if F32ToF16(1e-9) != 0 {
		t.Fatal("underflow does not give zero")
	}
}

func TestBF16(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for n := 0; n < 100000; n++ {
		f := math.Float32frombits(rng.Uint32())
		if math.IsNaN(float64(f)) {
			if !math.IsNaN(float64(BF16ToF32(F32ToBF16(f)))) {
				t.Fatal("NaN lost")
			}
			continue
		}
		h := F32ToBF16(f)
		got := float64(BF16ToF32(h))
		// the neighbours of h must not be closer
		for _, other := range []uint16{h - 1, h + 1} {
			o := float64(BF16ToF32(other))
			if math.IsInf(got, 0) || math.IsNaN(o) || math.IsInf(o, 0) || (other^h)&0x8000 != 0 {
				continue
			}
			if d1, d2 := math.Abs(got-float64(f)), math.Abs(o-float64(f)); d2 < d1 || (d2 == d1 && h&1 == 1) {
				t.Fatalf("%v -> %04x (%v), but %04x (%v) is nearer or the even tie", f, h, got, other, o)
			}
		}
	}
}

func TestQ8_0(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, scale := range []float64{0, 1e-3, 1, 50} {
		x := make([]float32, 32*8)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * scale)
		}
		q := make([]byte, len(x)/32*34)
		QuantizeQ8_0(q, x)
		y := make([]float32, len(x))
		DequantizeQ8_0(y, q)
		for b := 0; b < 8; b++ {
			var amax float64
			for _, v := range x[b*32 : b*32+32] {
				amax = math.Max(amax, math.Abs(float64(v)))
			}
			d := amax / 127
			d16 := float64(F16ToF32(F32ToF16(float32(d))))
			bound := d/2 + 127*math.Abs(d-d16) + 1e-6*amax
			for i := b * 32; i < b*32+32; i++ {
				if e := math.Abs(float64(x[i] - y[i])); e > bound {
					t.Fatalf("scale %v block %d: error %g > bound %g", scale, b, e, bound)
				}
			}
		}
	}
}
