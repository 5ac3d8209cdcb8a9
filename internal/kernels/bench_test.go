package kernels

import (
	"fmt"
	"testing"
)

// Go benchmarks of the matrix products on GPT-2 small's shapes (in → out),
// per variant and weight type: GB/s of weights for GEMV (one token), GFLOP/s
// for GEMM (128 tokens), single-threaded.
var benchShapes = []struct{ in, out int }{{768, 2304}, {768, 3072}, {3072, 768}, {768, 50257}}

func BenchmarkGemv(b *testing.B) {
	pool := NewPool(1)
	defer pool.Close()
	for _, v := range Variants() {
		for _, typ := range allTypes {
			for _, s := range benchShapes {
				b.Run(fmt.Sprintf("%s/%v/%dx%d", v.Name, typ, s.in, s.out), func(b *testing.B) {
					w := RandomMatrix(typ, s.out, s.in, 1)
					mm := NewMatMul(v, pool)
					x := make([]float32, s.in)
					dst := make([]float32, s.out)
					b.SetBytes(int64(w.Bytes()))
					for b.Loop() {
						mm.Mul(dst, x, w, nil, 1)
					}
				})
			}
		}
	}
}

func BenchmarkGemm(b *testing.B) {
	const rows = 128
	pool := NewPool(1)
	defer pool.Close()
	for _, v := range Variants() {
		for _, typ := range allTypes {
			for _, s := range benchShapes[:3] {
				b.Run(fmt.Sprintf("%s/%v/%dx%d", v.Name, typ, s.in, s.out), func(b *testing.B) {
					w := RandomMatrix(typ, s.out, s.in, 1)
					mm := NewMatMul(v, pool)
					x := make([]float32, rows*s.in)
					for i := range x {
						x[i] = float32(i%7) * 0.1
					}
					dst := make([]float32, rows*s.out)
					for b.Loop() {
						mm.Mul(dst, x, w, nil, rows)
					}
					b.ReportMetric(2*rows*float64(s.in)*float64(s.out)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

func BenchmarkSoftmax(b *testing.B) {
	for _, v := range Variants() {
		b.Run(v.Name, func(b *testing.B) {
			x := make([]float32, 1024)
			b.SetBytes(4 * 1024)
			for b.Loop() {
				for i := range x {
					x[i] = float32(i%37) * 0.1
				}
				v.Softmax(x)
			}
		})
	}
}
