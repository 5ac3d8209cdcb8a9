package kernels

import (
	"encoding/binary"
)

// MatMul multiplies activations by weight matrices, split over a pool's
// threads by output features (so each output value is computed by the same
// code in the same order whatever the thread count), with reusable scratch
// so that a forward pass allocates nothing.
type MatMul struct {
	v    *Variant
	pool *Pool

	gemv gemvJob
	gemm gemmJob
	pack packAJob
}

// NewMatMul prepares products for up to maxRows activation rows of up to
// maxCols values each.
func NewMatMul(v *Variant, pool *Pool, maxRows, maxCols int) *MatMul {
	m := &MatMul{v: v, pool: pool}
	mr, nr := v.MR, v.NR
	panels := (maxRows + mr - 1) / mr
	m.gemm.apack = make([]float32, panels*mr*maxCols)
	for w := 0; w < pool.Threads(); w++ {
		m.gemm.bpack = append(m.gemm.bpack, make([]float32, maxCols*nr))
		m.gemm.bias = append(m.gemm.bias, make([]float32, nr))
		m.gemm.tile = append(m.gemm.tile, make([]float32, mr*nr))
	}
	return m
}

// Variant is the kernel set in use.
func (m *MatMul) Variant() *Variant { return m.v }

// Pool is the thread pool in use.
func (m *MatMul) Pool() *Pool { return m.pool }

// Gemv computes, for each of rows activation vectors x[t·K:(t+1)·K],
// dst[t·N+n] = bias[n] + Σ_k w[n][k]·x[t·K+k], reading the weights as
// dot products along each row (the decode path: the weights stream from
// memory once per token, however many sequences share the pass).
// bias may be nil.
func (m *MatMul) Gemv(dst, x []float32, w Matrix, bias []float32, rows int) {
	j := &m.gemv
	j.v, j.dst, j.x, j.w, j.bias, j.rows = m.v, dst, x, w, bias, rows
	m.pool.Run(w.Rows, 16, j)
	j.dst, j.x, j.bias = nil, nil, nil
}

type gemvJob struct {
	v      *Variant
	dst, x []float32
	w      Matrix
	bias   []float32
	rows   int
	tmp    [64]float32
}

// gemvBlock is how many weight rows are multiplied against every
// activation vector before moving on, so that with several vectors the
// block is read from memory once and from cache after.
const gemvBlock = 64

func (j *gemvJob) Run(_, lo, hi int) {
	k, n := j.w.Cols, j.w.Rows
	for b := lo; b < hi; b += gemvBlock {
		e := min(b+gemvBlock, hi)
		for t := 0; t < j.rows; t++ {
			x := j.x[t*k : (t+1)*k]
			out := j.dst[t*n+b : t*n+e]
			switch j.w.Type {
			case F32:
				j.v.GemvF32(out, j.w.F32[b*k:e*k], x)
			case F16:
				j.v.GemvF16(out, j.w.U16[b*k:e*k], x)
			case BF16:
				j.v.GemvBF16(out, j.w.U16[b*k:e*k], x)
			case Q8_0:
				rb := j.w.RowBytes()
				j.v.GemvQ8(out, j.w.Q8[b*rb:e*rb], x)
			}
			if j.bias != nil {
				for i := range out {
					out[i] += j.bias[b+i]
				}
			}
		}
	}
}

// Gemm computes the same as Gemv, as a cache-blocked matrix product with
// a register-tiled micro-kernel (the prefill path: every weight read is
// used for many rows). The activations are packed once into MR-row
// panels; each thread packs, widened to f32, panels of NR weight rows.
func (m *MatMul) Gemm(dst, x []float32, w Matrix, bias []float32, rows int) {
	g := &m.gemm
	g.v, g.dst, g.x, g.w, g.rowBias, g.rows = m.v, dst, x, w, bias, rows
	k := w.Cols
	mr := m.v.MR
	panels := (rows + mr - 1) / mr
	p := &m.pack
	p.v, p.x, p.k, p.rows, p.apack = m.v, x, k, rows, g.apack
	m.pool.Run(panels, 1, p)
	// Rows of activations per block: as many as keep the block of packed
	// activations within about 256 KiB (in L2) while weight panels go by.
	g.mc = max(mr, (64*1024/k)/mr*mr)
	nPanels := (w.Rows + m.v.NR - 1) / m.v.NR
	m.pool.Run(nPanels, 1, g)
	g.dst, g.x, g.rowBias = nil, nil, nil
}

type packAJob struct {
	v       *Variant
	x       []float32
	k, rows int
	apack   []float32
}

// Run packs activation panels [lo, hi): panel p holds rows p·MR.. as
// apack[p·MR·k + kk·MR + i] = x[(p·MR+i)·k + kk], zero past the last row.
func (j *packAJob) Run(_, lo, hi int) {
	mr, k := j.v.MR, j.k
	for p := lo; p < hi; p++ {
		dst := j.apack[p*mr*k : (p+1)*mr*k]
		for i := 0; i < mr; i++ {
			r := p*mr + i
			if r >= j.rows {
				for kk := 0; kk < k; kk++ {
					dst[kk*mr+i] = 0
				}
				continue
			}
			src := j.x[r*k : (r+1)*k]
			for kk, v := range src {
				dst[kk*mr+i] = v
			}
		}
	}
}

type gemmJob struct {
	v       *Variant
	dst, x  []float32
	w       Matrix
	rowBias []float32
	rows    int
	mc      int

	apack []float32
	bpack [][]float32 // per worker
	bias  [][]float32 // per worker
	tile  [][]float32 // per worker
}

// Run computes the output columns of weight panels [lo, hi).
func (j *gemmJob) Run(worker, lo, hi int) {
	mr, nr, k, n := j.v.MR, j.v.NR, j.w.Cols, j.w.Rows
	bp, bias, tile := j.bpack[worker][:k*nr], j.bias[worker], j.tile[worker]
	for m0 := 0; m0 < j.rows; m0 += j.mc {
		m1 := min(m0+j.mc, j.rows)
		for p := lo; p < hi; p++ {
			n0 := p * nr
			cols := min(nr, n-n0)
			j.packB(worker, bp, n0, cols)
			for c := 0; c < nr; c++ {
				bias[c] = 0
				if c < cols && j.rowBias != nil {
					bias[c] = j.rowBias[n0+c]
				}
			}
			for r0 := m0; r0 < m1; r0 += mr {
				a := j.apack[r0*k : (r0+mr)*k]
				if r0+mr <= j.rows && cols == nr {
					j.v.Micro(k, a, bp, bias, j.dst[r0*n+n0:], n)
					continue
				}
				j.v.Micro(k, a, bp, bias, tile, nr)
				for i := 0; i < mr && r0+i < j.rows; i++ {
					copy(j.dst[(r0+i)*n+n0:(r0+i)*n+n0+cols], tile[i*nr:i*nr+cols])
				}
			}
		}
	}
}

// packB widens weight rows n0..n0+cols into bp[kk·NR + c], zero past cols.
func (j *gemmJob) packB(worker int, bp []float32, n0, cols int) {
	nr, k := j.v.NR, j.w.Cols
	if cols < nr {
		clear(bp)
	}
	for c := 0; c < cols; c++ {
		r := n0 + c
		switch j.w.Type {
		case F32:
			for kk, v := range j.w.F32[r*k : (r+1)*k] {
				bp[kk*nr+c] = v
			}
		case F16:
			for kk, h := range j.w.U16[r*k : (r+1)*k] {
				bp[kk*nr+c] = f16Table[h]
			}
		case BF16:
			for kk, h := range j.w.U16[r*k : (r+1)*k] {
				bp[kk*nr+c] = BF16ToF32(h)
			}
		case Q8_0:
			rb := j.w.RowBytes()
			row := j.w.Q8[r*rb : (r+1)*rb]
			for b := 0; b < k/Q8Block; b++ {
				blk := row[b*Q8BlockBytes:]
				d := f16Table[binary.LittleEndian.Uint16(blk)]
				for i := 0; i < Q8Block; i++ {
					bp[(b*Q8Block+i)*nr+c] = d * float32(int8(blk[2+i]))
				}
			}
		}
	}
}
