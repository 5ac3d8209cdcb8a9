package kernels

import (
	"math/rand/v2"
	"time"
)

// Kernel figures for `gpt2 bench`: one matrix product on random data,
// timed over enough repetitions to take about a tenth of a second.

// RandomMatrix makes a rows×cols matrix of type t with random values.
func RandomMatrix(t DType, rows, cols int, seed uint64) Matrix {
	rng := rand.New(rand.NewPCG(seed, seed))
	v := make([]float32, rows*cols)
	for i := range v {
		v[i] = float32(rng.Float64()*2-1) * 0.05
	}
	m := Matrix{Type: t, Rows: rows, Cols: cols}
	switch t {
	case F32:
		m.F32 = v
	case F16, BF16:
		m.U16 = make([]uint16, len(v))
		for i, x := range v {
			if t == F16 {
				m.U16[i] = F32ToF16(x)
			} else {
				m.U16[i] = F32ToBF16(x)
			}
		}
	case Q8_0:
		m.Q8 = make([]byte, len(v)/Q8Block*Q8BlockBytes)
		QuantizeQ8_0(m.Q8, v)
	}
	return m
}

// MeasureGemv returns the weight bytes streamed per second by Gemv of w
// against one vector.
func MeasureGemv(v *Variant, pool *Pool, w Matrix) float64 {
	mm := NewMatMul(v, pool)
	x := make([]float32, w.Cols)
	for i := range x {
		x[i] = 1
	}
	dst := make([]float32, w.Rows)
	el := timeRepeated(func() { mm.Mul(dst, x, w, nil, 1) })
	return float64(w.Bytes()) / el.Seconds()
}

// MeasureGemm returns the FLOP/s of Gemm of w against rows activation rows.
func MeasureGemm(v *Variant, pool *Pool, w Matrix, rows int) float64 {
	mm := NewMatMul(v, pool)
	x := make([]float32, rows*w.Cols)
	for i := range x {
		x[i] = float32(i%7) * 0.1
	}
	dst := make([]float32, rows*w.Rows)
	el := timeRepeated(func() { mm.Mul(dst, x, w, nil, rows) })
	return 2 * float64(rows) * float64(w.Rows) * float64(w.Cols) / el.Seconds()
}

// timeRepeated runs f once to warm up, then as often as fits in ~100 ms
// (at least 3 times), and returns the best time of one run.
func timeRepeated(f func()) time.Duration {
	f()
	best := time.Duration(1<<63 - 1)
	total := time.Duration(0)
	reps := 0
	for reps < 3 || total < 100*time.Millisecond {
		start := time.Now()
		f()
		el := time.Since(start)
		best = min(best, el)
		total += el
		reps++
	}
	return best
}
