package kernels

import (
	"encoding/binary"
	"unsafe"
)

// MatMul multiplies activations by weight matrices, split over a pool's
// threads by output features. Every output value is one dot product
// computed by the variant's kernels, which all sum in the same order, so
// the result is the same bits whatever the thread count, the batch, or
// whether the decode or the prefill path ran.
type MatMul struct {
	v    *Variant
	pool *Pool
	job  matJob
}

// NewMatMul prepares products for the variant on the pool.
func NewMatMul(v *Variant, pool *Pool, maxRows, maxCols int) *MatMul {
	return &MatMul{v: v, pool: pool, job: matJob{tiles: make([][16]float32, pool.Threads())}}
}

// Variant is the kernel set in use.
func (m *MatMul) Variant() *Variant { return m.v }

// Pool is the thread pool in use.
func (m *MatMul) Pool() *Pool { return m.pool }

// Gemv computes, for each of rows activation vectors x[t·K:(t+1)·K],
// dst[t·N+n] = bias[n] + Σ_k w[n][k]·x[t·K+k] (bias may be nil). It is
// the decode path: the weights stream from memory once per pass.
func (m *MatMul) Gemv(dst, x []float32, w Matrix, bias []float32, rows int) {
	m.run(dst, x, w, bias, rows)
}

// Gemm computes the same as Gemv with register tiles of several
// activation rows by several weight rows (the prefill path: every weight
// read serves many rows). The values are identical to Gemv's.
func (m *MatMul) Gemm(dst, x []float32, w Matrix, bias []float32, rows int) {
	m.run(dst, x, w, bias, rows)
}

func (m *MatMul) run(dst, x []float32, w Matrix, bias []float32, rows int) {
	if rows == 0 || w.Rows == 0 {
		return
	}
	j := &m.job
	j.v, j.k, j.dst, j.x, j.w, j.bias, j.rows = m.v, &m.v.Dot[w.Type], dst, x, w, bias, rows
	j.data, j.ldw = w.bytes()
	// Chunks of 64 weight rows: whole tiles and row groups, small enough
	// to balance two or more threads on the output layer.
	m.pool.Run(w.Rows, 64, j)
	j.dst, j.x, j.bias, j.data = nil, nil, nil, nil
}

// bytes is the matrix's storage as raw bytes and its row stride.
func (m Matrix) bytes() ([]byte, int) {
	switch m.Type {
	case F32:
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(m.F32))), 4*len(m.F32)), 4 * m.Cols
	case F16, BF16:
		return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(m.U16))), 2*len(m.U16)), 2 * m.Cols
	}
	return m.Q8, m.RowBytes()
}

type matJob struct {
	v    *Variant
	k    *DotKernels
	dst  []float32
	x    []float32
	w    Matrix
	data []byte
	ldw  int
	bias []float32
	rows int

	tiles [][16]float32 // per worker
}

func (j *matJob) wrow(n int) *byte    { return &j.data[n*j.ldw] }
func (j *matJob) xrow(t int) *float32 { return &j.x[t*j.w.Cols] }

// Run computes output columns [lo, hi) for every activation row.
func (j *matJob) Run(worker, lo, hi int) {
	K, N := j.w.Cols, j.w.Rows
	main := K - K%j.v.Block
	tile := &j.tiles[worker]
	wrow, xrow := j.wrow, j.xrow
	t := 0
	if j.rows >= j.k.TileM {
		tm, tn := j.k.TileM, j.k.TileN
		for ; t+tm <= j.rows; t += tm {
			n := lo
			for ; n+tn <= hi; n += tn {
				j.k.Tile(main, xrow(t), K, wrow(n), j.ldw, &tile[0])
				for a := 0; a < tm; a++ {
					copy(j.dst[(t+a)*N+n:(t+a)*N+n+tn], tile[a*tn:(a+1)*tn])
				}
			}
			for a := 0; a < tm; a++ {
				for c := n; c < hi; c++ {
					j.dst[(t+a)*N+c] = j.k.One(main, xrow(t+a), wrow(c))
				}
			}
		}
	}
	for ; t < j.rows; t++ {
		out := j.dst[t*N : (t+1)*N]
		n := lo
		for ; n+j.k.Rows <= hi; n += j.k.Rows {
			j.k.RowsDot(main, xrow(t), wrow(n), j.ldw, &out[n])
		}
		for ; n < hi; n++ {
			out[n] = j.k.One(main, xrow(t), wrow(n))
		}
	}
	if main < K {
		j.tail(lo, hi, main)
	}
	if j.bias != nil {
		for t := 0; t < j.rows; t++ {
			out := j.dst[t*N+lo : t*N+hi]
			for i := range out {
				out[i] += j.bias[lo+i]
			}
		}
	}
}

// tail adds the columns past the last whole block, in order, one by one.
func (j *matJob) tail(lo, hi, from int) {
	K, N := j.w.Cols, j.w.Rows
	for n := lo; n < hi; n++ {
		row := j.data[n*j.ldw:]
		for t := 0; t < j.rows; t++ {
			x := j.x[t*K : (t+1)*K]
			s := j.dst[t*N+n]
			for c := from; c < K; c++ {
				s += x[c] * weightAt(j.w.Type, row, c)
			}
			j.dst[t*N+n] = s
		}
	}
}

// weightAt is column c of a weight row (any type), widened.
func weightAt(t DType, row []byte, c int) float32 {
	switch t {
	case F32:
		return float32frombits(binary.LittleEndian.Uint32(row[4*c:]))
	case F16:
		return f16Table[binary.LittleEndian.Uint16(row[2*c:])]
	case BF16:
		return BF16ToF32(binary.LittleEndian.Uint16(row[2*c:]))
	}
	blk := row[c/Q8Block*Q8BlockBytes:]
	return f16Table[binary.LittleEndian.Uint16(blk)] * float32(int8(blk[2+c%Q8Block]))
}
