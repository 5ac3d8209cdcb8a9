package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Outer on every variant: against a float64 reference; a block of rows
// the same bits as each row alone (prefill against decode); add the same
// bits as c plus the stored sum; nothing written past n columns of a row
// or outside c.
func TestOuter(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, v := range append(Variants(), generic) {
		w := OuterWidth(v)
		for _, m := range []int{1, 2, 3, 4, 5, 6, 7, 8, 10, 13, 64} {
			for _, n := range []int{1, 5, 16, 21, 32, 48, 64, 80, 128} {
				for _, k := range []int{0, 1, 7, 16, 63, 64, 100} {
					name := fmt.Sprintf("%s m=%d n=%d k=%d", v.Name, m, n, k)
					lda, ldb, ldc := k+3, (n+w-1)/w*w+5, n+8
					a := randVec(rng, m*lda)
					b := randVec(rng, max(k, 1)*ldb)
					c, check := guarded(m * ldc)
					v.Outer(m, n, k, a, lda, b, ldb, c, ldc, false)
					check(t)
					for i := 0; i < m; i++ {
						for j := 0; j < ldc; j++ {
							got := c[i*ldc+j]
							if j >= n {
								if got != guard {
									t.Fatalf("%s: wrote c[%d][%d], past n", name, i, j)
								}
								continue
							}
							var s, mag float64
							for p := 0; p < k; p++ {
								x := float64(a[i*lda+p]) * float64(b[p*ldb+j])
								s, mag = s+x, mag+math.Abs(x)
							}
							if d := math.Abs(float64(got) - s); d > 1e-5*mag+1e-30 {
								t.Fatalf("%s: c[%d][%d] = %v, want %v", name, i, j, got, s)
							}
						}
					}
					for i := 0; i < m; i++ {
						row, checkRow := guarded(n)
						v.Outer(1, n, k, a[i*lda:], lda, b, ldb, row, n, false)
						checkRow(t)
						sameBits(t, name+" one row", row, c[i*ldc:i*ldc+n])
					}
					c0 := randVec(rng, m*ldc)
					sum := append([]float32(nil), c0...)
					v.Outer(m, n, k, a, lda, b, ldb, sum, ldc, true)
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							want := c0[i*ldc+j] + c[i*ldc+j]
							sameBits(t, name+" add", sum[i*ldc+j:i*ldc+j+1], []float32{want})
						}
						sameBits(t, name+" add past n", sum[i*ldc+n:(i+1)*ldc], c0[i*ldc+n:(i+1)*ldc])
					}
				}
			}
		}
	}
}
