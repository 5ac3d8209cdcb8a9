package kernels

import (
	"fmt"
	"testing"
	"time"
)

// Go benchmarks of the matrix products on GPT-2 small's shapes (in → out),
// per variant and weight type: GB/s of weights for GEMV (one token), GFLOP/s
// for GEMM (128 tokens), single-threaded.
var benchShapes = []struct{ in, out int }{{768, 2304}, {768, 3072}, {3072, 768}, {768, 50257}}

// layouts are the ways a matrix of the type can be multiplied on v: as
// stored, and for q8_0 on int8 kernels also from prepared panels (what a
// model uses), so that one run compares the two.
func layouts(v *Variant, typ DType) []string {
	if typ == Q8_0 && v.Q8 != nil || typ != Q8_0 && v.Pan != nil && v.Pan.Row[typ] != nil {
		return []string{"rows", "panels"}
	}
	return []string{"rows"}
}

// prepared is w laid out for the named layout.
func prepared(v *Variant, pool *Pool, w Matrix, layout string) Matrix {
	if layout == "panels" {
		PreparePanels(v, pool, &w)
	}
	return w
}

func BenchmarkGemv(b *testing.B) {
	pool := NewPool(1)
	defer pool.Close()
	for _, v := range Variants() {
		for _, typ := range allTypes {
			for _, s := range benchShapes {
				for _, l := range layouts(v, typ) {
					b.Run(fmt.Sprintf("%s/%v/%s/%dx%d", v.Name, typ, l, s.in, s.out), func(b *testing.B) {
						w := prepared(v, pool, RandomMatrix(typ, s.out, s.in, 1), l)
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
}

func BenchmarkGemm(b *testing.B) {
	const rows = 128
	pool := NewPool(1)
	defer pool.Close()
	for _, v := range Variants() {
		for _, typ := range allTypes {
			for _, s := range benchShapes[:3] {
				for _, l := range layouts(v, typ) {
					b.Run(fmt.Sprintf("%s/%v/%s/%dx%d", v.Name, typ, l, s.in, s.out), func(b *testing.B) {
						w := prepared(v, pool, RandomMatrix(typ, s.out, s.in, 1), l)
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

// BenchmarkGemvModel streams GPT-2 small's 49 weight matrices in the order a
// decode step reads them (far more than any cache holds), one activation
// row each: GB/s of weights from memory, at 1 and 2 threads.
func BenchmarkGemvModel(b *testing.B) {
	for _, typ := range allTypes {
		stored := modelMatrices(typ)
		for _, v := range Variants() {
			for _, threads := range []int{1, 2} {
				for _, l := range layouts(v, typ) {
					b.Run(fmt.Sprintf("%s/%v/%s/threads=%d", v.Name, typ, l, threads), func(b *testing.B) {
						pool := NewPool(threads)
						defer pool.Close()
						ws := stored
						if l == "panels" {
							ws = withPanels(v, pool, stored)
						}
						mm := NewMatMul(v, pool)
						x, dst := modelVectors()
						b.SetBytes(matricesBytes(ws))
						for b.Loop() {
							for _, w := range ws {
								mm.Mul(dst, x[:w.Cols], w, nil, 1)
							}
						}
					})
				}
			}
		}
	}
}

// modelMatrices are GPT-2 small's 49 weight matrices of type typ, random,
// in the order a decode step multiplies by them.
func modelMatrices(typ DType) []Matrix {
	var ws []Matrix
	for l := 0; l < 12; l++ {
		for _, s := range [][2]int{{768, 2304}, {768, 768}, {768, 3072}, {3072, 768}} {
			ws = append(ws, RandomMatrix(typ, s[1], s[0], uint64(len(ws))))
		}
	}
	return append(ws, RandomMatrix(typ, 50257, 768, 99))
}

// withPanels is a copy of ws laid out as a model lays them out on v.
func withPanels(v *Variant, pool *Pool, ws []Matrix) []Matrix {
	ws = append([]Matrix(nil), ws...)
	ptrs := make([]*Matrix, len(ws))
	for i := range ws {
		ptrs[i] = &ws[i]
	}
	PreparePanels(v, pool, ptrs...)
	return ws
}

// modelVectors are an activation vector as wide as the widest input and
// an output as long as the longest output of modelMatrices.
func modelVectors() (x, dst []float32) {
	x = make([]float32, 3072)
	for i := range x {
		x[i] = float32(i%13) * 0.01
	}
	return x, make([]float32, 50257)
}

// matricesBytes is the weights' stored size.
func matricesBytes(ws []Matrix) int64 {
	var n int64
	for _, w := range ws {
		n += int64(w.Bytes())
	}
	return n
}

// BenchmarkReadModel sets the decode products of GPT-2 small's 49 matrices
// beside a plain read of the same bytes in the same pool jobs (each
// thread's part as the probe's four streams): one pass of each per round,
// alternated, so that the ratio gemv/read says how much of the memory's
// rate at that moment the kernels reach, whatever the neighbours do.
func BenchmarkReadModel(b *testing.B) {
	v := Default
	for _, typ := range []DType{F32, F16, Q8_0} {
		stored := modelMatrices(typ)
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/%v/threads=%d", v.Name, typ, threads), func(b *testing.B) {
				pool := NewPool(threads)
				defer pool.Close()
				ws := withPanels(v, pool, stored)
				reads := make([]*readJob, len(ws))
				for i, w := range ws {
					data, _ := w.bytes()
					if w.Panels != nil {
						data = w.Panels
					}
					// Whole 256-byte pieces per thread: ReadSum's four streams.
					data = data[:len(data)/(256*threads)*(256*threads)]
					reads[i] = &readJob{v: v, b: data, parts: threads, sums: make([]uint64, 8*threads)}
				}
				mm := NewMatMul(v, pool)
				x, dst := modelVectors()
				var read, gemv time.Duration
				for b.Loop() {
					start := time.Now()
					for _, j := range reads {
						pool.Run(threads, 1, j)
					}
					mid := time.Now()
					for _, w := range ws {
						mm.Mul(dst, x[:w.Cols], w, nil, 1)
					}
					read, gemv = read+mid.Sub(start), gemv+time.Since(mid)
				}
				n := float64(b.N) * float64(matricesBytes(ws)) / 1e9
				b.ReportMetric(n/read.Seconds(), "read-GB/s")
				b.ReportMetric(n/gemv.Seconds(), "gemv-GB/s")
				b.ReportMetric(read.Seconds()/gemv.Seconds(), "gemv/read")
			})
		}
	}
}

// BenchmarkPreparePanels measures the load-time layout of a q8_0 matrix
// (GPT-2's output layer) for the int8 kernels, MB/s of weights.
func BenchmarkPreparePanels(b *testing.B) {
	for _, typ := range []DType{Q8_0, F32} {
		w := RandomMatrix(typ, 50257, 768, 1)
		for _, v := range Variants() {
			if typ == Q8_0 && v.Q8 == nil || typ == F32 && v.Pan == nil {
				continue
			}
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%v/threads=%d", v.Name, typ, threads), func(b *testing.B) {
					pool := NewPool(threads)
					defer pool.Close()
					b.SetBytes(int64(w.Bytes()))
					for b.Loop() {
						w := w
						PreparePanels(v, pool, &w)
					}
				})
			}
		}
	}
}

// BenchmarkReadStreams reads 256 MiB from memory with the bandwidth
// probe's loop, each thread's share either as one sequential stream (the
// loop called on 2 KiB pieces in order, its four streams a page apart) or
// as the probe reads it (four streams a quarter of the share apart): why
// decode reads a matrix as several streams (Q8Kernels.Streams).
func BenchmarkReadStreams(b *testing.B) {
	v := Default
	buf := make([]byte, 256<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	for _, threads := range []int{1, 2} {
		for _, streams := range []string{"one", "four"} {
			b.Run(fmt.Sprintf("%s/threads=%d/%s", v.Name, threads, streams), func(b *testing.B) {
				pool := NewPool(threads)
				defer pool.Close()
				job := &readJob{v: v, b: buf, parts: threads, one: streams == "one", sums: make([]uint64, 8*threads)}
				b.SetBytes(int64(len(buf)))
				for b.Loop() {
					pool.Run(threads, 1, job)
				}
			})
		}
	}
}

// readJob reads part i of parts (one per thread) of b.
type readJob struct {
	v     *Variant
	b     []byte
	parts int
	one   bool
	sums  []uint64 // a cache line per worker
}

func (j *readJob) Run(worker, lo, hi int) {
	for i := lo; i < hi; i++ {
		part := j.b[i*len(j.b)/j.parts : (i+1)*len(j.b)/j.parts]
		if !j.one {
			j.sums[8*worker] += j.v.ReadSum(part)
			continue
		}
		for off := 0; off+2048 <= len(part); off += 2048 {
			j.sums[8*worker] += j.v.ReadSum(part[off : off+2048])
		}
	}
}
