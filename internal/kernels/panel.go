package kernels

import (
	"math"
	"unsafe"
)

// f32, f16 and bf16 weights prepared as panels, for variants with
// PanelKernels.
//
// As dot products (DotKernels) each output is 16 partial sums along k,
// added across at the end, and a tile's weight rows are as many streams
// as it has columns. In outer-product order each output is one running
// fused sum over k instead, 16 outputs to a vector: a panel holds
// PanelWidth weight rows transposed (k rows of PanelWidth floats, one
// stream), and the activations of a tile are packed the same way (k rows
// of MR floats), so that a tile is two streams of contiguous loads and
// broadcasts and nothing is added across. The decode kernel reads the
// same panels and sums in the same order, so a prompt's bits do not
// depend on the path, the batch or the thread count. f16 and bf16 panels
// keep their type; prefill widens a group of them to f32 (exactly) for
// the tiles, and decode converts as it reads.

// PanelWidth is the weight rows (output features) of a panel.
const PanelWidth = 32

// PanelKernels multiply f32 activations with weight panels. Every output
// is Σ_{p<k} x[p]·w[p], one fused multiply-add at a time in order of p,
// from +0 (or from the value in c, which continues the same sum), the
// weights widened to f32.
type PanelKernels struct {
	// Tile: for r < m ≤ MR and j < PanelWidth, c[r·ldc+j] = (load ?
	// c[r·ldc+j] : 0) + Σ_{p<k} a[p·MR+r]·b[p·PanelWidth+j], then
	// + bias[j] where bias is not nil: MR packed activation rows (rows
	// past m zero) by one panel. The bias is added to the finished sum, as
	// a separate pass over the outputs would add it, while they are still
	// in registers.
	MR   int
	Tile func(k int, a, b, c *float32, ldc, m int, load bool, bias *float32)
	// Row, per weight type (F32, F16, BF16; the panels of a type are
	// prepared only where it has one): for q < 4 and j < PanelWidth,
	// c[q·PanelWidth+j] = Σ_{p<k} x[p]·b_q[p·PanelWidth+j], b_q the
	// panel at b + q·ldb bytes: one activation row by four panels
	// (decode).
	Row [3]func(k int, x *float32, b *byte, ldb int, c *float32)
	// Pack, where set, packs MR activation rows for Tile: for p below k
	// rounded down to 16 and r < MR, dst[p·MR+r] = x[r·ldx+p].
	Pack func(k int, x *float32, ldx int, dst *float32)
	// PackPanel, where set, lays out a whole panel of f32 weights (all
	// PanelWidth rows present) when a model loads: for p below k rounded
	// down to 16 and r < PanelWidth, dst[p·PanelWidth+r] = src[r·lds+p].
	PackPanel func(k int, src *float32, lds int, dst *float32)
	// PackPanel16 is PackPanel for f16 and bf16 weights (any 16-bit
	// values), for p below k rounded down to 32.
	PackPanel16 func(k int, src *uint16, lds int, dst *uint16)
}

// panelGeneric is PanelKernels in Go: the reference the assembly is
// tested against bit for bit, and a variant for tests of the drivers on
// any machine.
var panelGeneric = PanelKernels{MR: panGenericMR, Tile: panTileGeneric, Row: [3]func(k int, x *float32, b *byte, ldb int, c *float32){
	F32:  func(k int, x *float32, b *byte, ldb int, c *float32) { panRowGeneric(F32, k, x, b, ldb, c) },
	F16:  func(k int, x *float32, b *byte, ldb int, c *float32) { panRowGeneric(F16, k, x, b, ldb, c) },
	BF16: func(k int, x *float32, b *byte, ldb int, c *float32) { panRowGeneric(BF16, k, x, b, ldb, c) },
}}

const panGenericMR = 4

func panTileGeneric(k int, a, b, c *float32, ldc, m int, load bool, bias *float32) {
	panTileMR(panGenericMR, k, a, b, c, ldc, m, load, bias)
}

// panTileMR is PanelKernels.Tile for any MR.
func panTileMR(mr, k int, a, b, c *float32, ldc, m int, load bool, bias *float32) {
	as := unsafe.Slice(a, k*mr)
	bs := unsafe.Slice(b, k*PanelWidth)
	cs := unsafe.Slice(c, (m-1)*ldc+PanelWidth)
	var bv []float32
	if bias != nil {
		bv = unsafe.Slice(bias, PanelWidth)
	}
	for r := 0; r < m; r++ {
		for j := 0; j < PanelWidth; j++ {
			var s float32
			if load {
				s = cs[r*ldc+j]
			}
			for p := 0; p < k; p++ {
				s = fma32(as[p*mr+r], bs[p*PanelWidth+j], s)
			}
			if bv != nil {
				s += bv[j]
			}
			cs[r*ldc+j] = s
		}
	}
}

// panRowGeneric is PanelKernels.Row for weights of type t.
func panRowGeneric(t DType, k int, x *float32, b *byte, ldb int, c *float32) {
	xs := unsafe.Slice(x, k)
	cs := unsafe.Slice(c, 4*PanelWidth)
	size := panelElem(t)
	for q := 0; q < 4; q++ {
		bs := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(b), q*ldb)), k*PanelWidth*size)
		for j := 0; j < PanelWidth; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s = fma32(xs[p], weightAt(t, bs, p*PanelWidth+j), s)
			}
			cs[q*PanelWidth+j] = s
		}
	}
}

// fma32 is a·b + c rounded once to float32, as a fused multiply-add
// instruction computes it. a·b is exact in float64; the sum is rounded to
// float64 by rounding to odd (the nearest float64 toward zero, its last
// bit set when inexact), which then rounds to float32 as the exact sum
// would: float64 has more than twice float32's precision plus two bits.
func fma32(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	z := float64(c)
	s := p + z
	if math.IsInf(s, 0) || math.IsNaN(s) {
		return float32(s)
	}
	// s + e = p + z exactly (Knuth's two-sum).
	bb := s - p
	e := (p - (s - bb)) + (z - bb)
	if e != 0 && math.Float64bits(s)&1 == 0 {
		s = math.Nextafter(s, math.Copysign(math.Inf(1), e))
	}
	return float32(s)
}

// panelElem is the bytes of a weight of type t in a panel.
func panelElem(t DType) int {
	if t == F32 {
		return 4
	}
	return 2
}

// panelSize is the bytes of one panel.
func (m Matrix) panelSize() int { return m.Cols * PanelWidth * panelElem(m.Type) }

// panelCount is the panels of a matrix: the last one padded with zero
// rows.
func (m Matrix) panelCount() int { return (m.Rows + PanelWidth - 1) / PanelWidth }

// packPanelJob lays out panels [lo, hi) of an f32, f16 or bf16 matrix.
type packPanelJob struct {
	w      Matrix
	pack   func(k int, src *float32, lds int, dst *float32) // PanelKernels.PackPanel
	pack16 func(k int, src *uint16, lds int, dst *uint16)   // PanelKernels.PackPanel16
}

func (j *packPanelJob) Run(_, lo, hi int) {
	w := j.w
	if w.Type == F32 {
		dst := unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(w.Panels))), len(w.Panels)/4)
		packPanels(dst, w.F32, w.Rows, w.Cols, lo, hi, j.pack, 16)
	} else {
		dst := unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(w.Panels))), len(w.Panels)/2)
		packPanels(dst, w.U16, w.Rows, w.Cols, lo, hi, j.pack16, 32)
	}
}

// packPanels lays out panels [lo, hi) of the rows×k matrix src in dst:
// the columns below k rounded down to width with pack (where set, for
// panels with all their rows), the rest with the Go loop (packRows, the
// panel's rows past the matrix zero).
func packPanels[T float32 | uint16](dst, src []T, rows, k, lo, hi int, pack func(k int, src *T, lds int, dst *T), width int) {
	pf := k * PanelWidth
	for q := lo; q < hi; q++ {
		p0 := 0
		if pack != nil && (q+1)*PanelWidth <= rows && k >= width {
			pack(k, &src[q*PanelWidth*k], k, &dst[q*pf])
			p0 = k / width * width
		}
		m := min(PanelWidth, rows-q*PanelWidth)
		packRows(dst[q*pf:(q+1)*pf], src[q*PanelWidth*k:], k, m, PanelWidth, p0)
	}
}

// panelBlock is the columns of a tile pass: the activation rows' packed
// block (MR·panelBlock floats) stays in L1 while the panels' slices
// stream through it.
const panelBlock = 384

// panJob is a product of many activation rows with a matrix prepared as
// panels: the rows packed for the tiles (packA), then Run over output
// features.
type panJob struct {
	pk     *PanelKernels
	widen  func(k int, src *byte, dst *float32) // f16 and bf16
	w      Matrix
	x      []float32
	rows   int
	dst    []float32
	bias   []float32
	packed []float32 // activation rows, MR at a time: k rows of MR floats
	// Per worker: the last, padded panel's outputs and bias (PanelWidth
	// floats; past the matrix's last row they are never stored).
	edge, edgeBias [][]float32
	wide           [][]float32 // per worker: a group of f16 or bf16 slices widened
}

// packA packs the activation rows, MR at a time (the last block's missing
// rows zero), over the pool's threads.
func (j *panJob) packA(pool *Pool) {
	mr, k := j.pk.MR, j.w.Cols
	blocks := (j.rows + mr - 1) / mr
	if need := blocks * mr * k; len(j.packed) < need {
		j.packed = make([]float32, need)
	}
	pool.Run(blocks, 1, (*packAJob)(j))
}

type packAJob panJob

func (j *packAJob) Run(_, lo, hi int) {
	mr, k := j.pk.MR, j.w.Cols
	for b := lo; b < hi; b++ {
		blk := j.packed[b*mr*k : (b+1)*mr*k]
		m := min(mr, j.rows-b*mr)
		p0 := 0
		if j.pk.Pack != nil && m == mr {
			j.pk.Pack(k, &j.x[b*mr*k], k, ptr(blk, 0))
			p0 = k &^ 15
		}
		packRows(blk, j.x[b*mr*k:], k, m, mr, p0)
	}
}

// packRows is PanelKernels.Pack for columns [p0, k) of m rows (those
// past m, up to mr, zero): dst[p·mr+r] = x[r·k+p]. It also lays out the
// weight panels' last columns (mr = PanelWidth).
func packRows[T float32 | uint16](dst, x []T, k, m, mr, p0 int) {
	// 16 columns at a time: their block of dst (at most 2 KiB) stays in L1
	// while the rows' cache lines are copied in.
	for ; p0 < k; p0 += 16 {
		p1 := min(p0+16, k)
		out := dst[p0*mr : p1*mr]
		for r := 0; r < m; r++ {
			for i, v := range x[r*k+p0 : r*k+p1] {
				out[i*mr+r] = v
			}
		}
		for r := m; r < mr; r++ {
			for i := 0; i < p1-p0; i++ {
				out[i*mr+r] = 0
			}
		}
	}
}

// Run computes outputs [lo, hi) (a multiple of PanelWidth, or up to Rows)
// of every activation row. For each slice of panelBlock columns, the
// panels go in groups that stay in L2 (the weights come from memory once
// a product; f16 and bf16 are widened to f32 a group at a time), and each
// block of MR activation rows (in L1) meets every panel of the group.
func (j *panJob) Run(worker, lo, hi int) {
	mr, k := j.pk.MR, j.w.Cols
	size, psize := panelElem(j.w.Type), j.w.panelSize()
	for p0 := 0; p0 < k || p0 == 0; p0 += panelBlock {
		kc := min(panelBlock, k-p0)
		group := max(1, panelGroupBytes/(4*PanelWidth*max(kc, 1))) * PanelWidth
		for g := lo; g < hi; g += group {
			end := min(g+group, hi)
			// The group's slices: panel q's at b + (q-g)/PanelWidth·ldb.
			b := unsafe.Add(unsafe.Pointer(unsafe.SliceData(j.w.Panels)), g/PanelWidth*psize+p0*PanelWidth*size)
			ldb := psize
			if j.w.Type != F32 {
				wide := j.wide[worker][:(end-g+PanelWidth-1)/PanelWidth*PanelWidth*kc]
				for q := g; q < end; q += PanelWidth {
					j.widen(kc*PanelWidth, (*byte)(unsafe.Add(b, (q-g)/PanelWidth*psize)), ptr(wide, (q-g)*kc))
				}
				b, ldb = unsafe.Pointer(unsafe.SliceData(wide)), 4*kc*PanelWidth
			}
			for t := 0; t < j.rows; t += mr {
				j.tiles(worker, p0, kc, t, g, end, (*float32)(b), ldb)
			}
		}
	}
}

// tiles computes columns [p0, p0+kc) of outputs [lo, hi) for activation
// rows [t, t+MR), the panels' f32 slices at b, ldb bytes apart; the last
// slice's tiles add the bias.
func (j *panJob) tiles(worker, p0, kc, t, lo, hi int, b *float32, ldb int) {
	mr, k, n := j.pk.MR, j.w.Cols, j.w.Rows
	m := min(mr, j.rows-t)
	a := ptr(j.packed, t*k+p0*mr)
	last := p0+kc == k && j.bias != nil
	for q := lo; q < hi; q += PanelWidth {
		bq := (*float32)(unsafe.Add(unsafe.Pointer(b), (q-lo)/PanelWidth*ldb))
		if q+PanelWidth <= n {
			var bias *float32
			if last {
				bias = &j.bias[q]
			}
			j.pk.Tile(kc, a, bq, &j.dst[t*n+q], n, m, p0 > 0, bias)
			continue
		}
		// The last panel's padding rows have no outputs: its tile runs on
		// a scratch block, with the bias copied to scratch as well (what
		// the tile adds past the matrix's end is not copied back).
		e := j.edge[worker]
		for r := 0; p0 > 0 && r < m; r++ {
			copy(e[r*PanelWidth:(r+1)*PanelWidth], j.dst[(t+r)*n+q:(t+r)*n+n])
		}
		var bias *float32
		if last {
			eb := j.edgeBias[worker]
			copy(eb, j.bias[q:n])
			bias = &eb[0]
		}
		j.pk.Tile(kc, a, bq, &e[0], PanelWidth, m, p0 > 0, bias)
		for r := 0; r < m; r++ {
			copy(j.dst[(t+r)*n+q:(t+r)*n+n], e[r*PanelWidth:(r+1)*PanelWidth])
		}
	}
}

// panelGroupBytes is the size of the panels' slices a tile pass keeps
// in L2 while every block of activation rows meets them.
const panelGroupBytes = 512 << 10

// panRowJob is a product of one activation row with a matrix prepared as
// panels (decode), the weights streaming from memory once.
//
// The row kernel reads four panels at a time, one stream each. Four
// neighbouring panels would end all four streams every call, and each
// call would start four new ones cold: the kernel asks for the lines a
// few KiB ahead of each stream, and past a panel's end that is the next
// panel of the same call, already read. So the matrix's first 4·quads
// panels are read as four runs of quads panels: call i takes panel i of
// each run, and a thread's calls, in order, continue its four streams
// from one call to the next (as streamJob reads q8_0 panels). Decode
// steps at positions 0–127 (GPT-2 small), alternate rounds in one
// process, median new/old speed: f16 1.024 and 1.034 at one thread, 1.018
// and 1.015 at two; f32 1.024 and 1.010.
type panRowJob struct {
	pk   *PanelKernels
	w    Matrix
	x    []float32
	dst  []float32
	bias []float32
	axpy func(y []float32, alpha float32, x []float32)
	edge [][]float32
}

// quads is the calls of four panels, one from each run; only whole panels
// go in the runs (the last, padded one has fewer outputs).
func (j *panRowJob) quads() int { return j.w.Rows / PanelWidth / 4 }

// calls is the job's index count: the quads, then each panel past the
// runs alone.
func (j *panRowJob) calls() int { return j.w.panelCount() - 3*j.quads() }

// Run computes calls [lo, hi): call i < quads is panels i, i+quads,
// i+2·quads and i+3·quads; call quads+r is panel 4·quads+r alone.
func (j *panRowJob) Run(worker, lo, hi int) {
	k, n, quads := j.w.Cols, j.w.Rows, j.quads()
	row, psize, e := j.pk.Row[j.w.Type], j.w.panelSize(), j.edge[worker]
	end := min(hi, quads)
	for i := lo; i < end; i++ {
		row(k, &j.x[0], &j.w.Panels[i*psize], quads*psize, &e[0])
		for s := range 4 {
			q := i + s*quads
			copy(j.dst[q*PanelWidth:(q+1)*PanelWidth], e[s*PanelWidth:(s+1)*PanelWidth])
		}
	}
	for s := 0; lo < end && s < 4; s++ {
		addBias(j.axpy, j.dst, 0, 1, j.bias, (lo+s*quads)*PanelWidth, (end+s*quads)*PanelWidth)
	}
	// Panels past the runs: the kernel reads each one four times (ldb 0).
	first, last := 3*quads+max(lo, quads), 3*quads+hi
	for q := first; q < last; q++ {
		row(k, &j.x[0], &j.w.Panels[q*psize], 0, &e[0])
		copy(j.dst[q*PanelWidth:min((q+1)*PanelWidth, n)], e)
	}
	if first < last {
		addBias(j.axpy, j.dst, 0, 1, j.bias, first*PanelWidth, min(last*PanelWidth, n))
	}
}

// mulPanels is Mul for a matrix prepared as panels.
func (m *MatMul) mulPanels(dst, x []float32, w Matrix, bias []float32, rows int) {
	pk := m.v.Pan
	_ = x[rows*w.Cols-1]
	_ = dst[rows*w.Rows-1]
	if rows == 1 {
		j := &m.panRow
		j.pk, j.w, j.x, j.dst, j.bias, j.axpy = pk, w, x, dst, bias, m.v.Axpy
		m.pool.Run(j.calls(), 1, j)
		j.w, j.x, j.dst, j.bias = Matrix{}, nil, nil, nil
		return
	}
	j := &m.pan
	j.pk, j.w, j.x, j.rows, j.dst, j.bias = pk, w, x, rows, dst, bias
	if w.Type != F32 {
		if j.widen = m.v.Widen[w.Type]; j.widen == nil {
			j.widen = widenGeneric[w.Type]
		}
		if j.wide == nil {
			for range m.pool.Threads() {
				j.wide = append(j.wide, make([]float32, panelGroupBytes/4))
			}
		}
	}
	j.packA(m.pool)
	m.pool.Run(w.Rows, PanelWidth, j)
	j.w, j.x, j.dst, j.bias = Matrix{}, nil, nil, nil
}

// widenGeneric are Widen kernels in Go for f16 and bf16, for variants
// without their own.
var widenGeneric = [4]func(k int, src *byte, dst *float32){
	F16:  func(k int, src *byte, dst *float32) { widenWith(F16, k, src, dst) },
	BF16: func(k int, src *byte, dst *float32) { widenWith(BF16, k, src, dst) },
}

func widenWith(t DType, k int, src *byte, dst *float32) {
	b, d := unsafe.Slice(src, 2*k), unsafe.Slice(dst, k)
	for i := range d {
		d[i] = weightAt(t, b, i)
	}
}
