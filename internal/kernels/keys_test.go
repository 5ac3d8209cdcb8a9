package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// PackKeys on every variant: each key's dimension in its place, scaled
// with one rounding, bit for bit; nothing else of the block written, and
// nothing outside it.
func TestPackKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, v := range append(Variants(), generic) {
		for _, n := range []int{1, 3, 4, 5, 8, 15, 16, 17, 63, 64} {
			for _, d := range []int{1, 15, 16, 17, 32, 63, 64, 80} {
				for _, scale := range []float32{0.125, float32(rng.Float64() + 0.5)} {
					lds := d + 7
					src := randVec(rng, n*lds)
					dst, check := guarded(d * KeyBlock)
					v.PackKeys(n, d, src, lds, dst, scale)
					check(t)
					for i := 0; i < d; i++ {
						for p := 0; p < KeyBlock; p++ {
							want := guard
							if p < n {
								want = src[p*lds+i] * scale
							}
							if got := dst[i*KeyBlock+p]; math.Float32bits(got) != math.Float32bits(want) {
								t.Fatalf("%s n=%d d=%d scale=%v: dst[%d·KeyBlock+%d] = %v, want %v", v.Name, n, d, scale, i, p, got, want)
							}
						}
					}
				}
			}
		}
	}
}
