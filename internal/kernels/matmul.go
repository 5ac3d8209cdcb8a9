package kernels

import (
	"encoding/binary"
	"unsafe"
)

// MatMul multiplies activations by weight matrices, split over a pool's
// threads by output features. Every output value is one dot product
// computed by the variant's kernels, which all sum in the same order, so
// the result is the same bits whatever the thread count, the batch, or
// whether the decode or the prefill path ran. (f32, f16 and bf16 matrices
// prepared as panels for the variant's PanelKernels sum in another order,
// the same on all of their paths: panel.go.)
type MatMul struct {
	v       *Variant
	pool    *Pool
	job     matJob
	streams streamJob // decode of q8_0 panels (matJob.q8 and one row)
	far     farJob    // decode of other types on kernels with a FarDot
	pan     panJob    // panels (Variant.Pan), many rows
	panRow  panRowJob // panels, one row
}

// NewMatMul prepares products for the variant on the pool.
func NewMatMul(v *Variant, pool *Pool) *MatMul {
	m := &MatMul{v: v, pool: pool}
	for w := 0; w < pool.Threads(); w++ {
		m.job.scratch = append(m.job.scratch, make([]float32, v.Dot[F32].TileN*kChunk))
	}
	m.job.packed = make([][]byte, pool.Threads())
	if v.Pan != nil {
		for w := 0; w < pool.Threads(); w++ {
			e := make([]float32, max(v.Pan.MR, 4)*PanelWidth)
			m.pan.edge = append(m.pan.edge, e)
			m.pan.edgeBias = append(m.pan.edgeBias, make([]float32, PanelWidth))
			m.panRow.edge = append(m.panRow.edge, e)
		}
	}
	return m
}

// Variant is the kernel set in use.
func (m *MatMul) Variant() *Variant { return m.v }

// Pool is the thread pool in use.
func (m *MatMul) Pool() *Pool { return m.pool }

// Mul computes, for each of rows activation vectors x[t·K:(t+1)·K],
// dst[t·N+n] = bias[n] + Σ_k w[n][k]·x[t·K+k] (bias may be nil). With
// several rows it is a matrix product of register tiles (every weight read
// serves several rows: prefill, batches); with one, a matrix-vector product
// of row groups (decode: the weights stream from memory once per pass).
// Both give the same bits.
func (m *MatMul) Mul(dst, x []float32, w Matrix, bias []float32, rows int) {
	if rows == 0 || w.Rows == 0 {
		return
	}
	if w.Type != Q8_0 && w.Panels != nil && m.v.Pan != nil {
		m.mulPanels(dst, x, w, bias, rows)
		return
	}
	j := &m.job
	j.v, j.k, j.dst, j.x, j.w, j.bias, j.rows = m.v, &m.v.Dot[w.Type], dst, x, w, bias, rows
	j.data, j.ldw = w.bytes()
	j.q8 = w.Type == Q8_0 && m.v.Q8 != nil
	if j.q8 {
		m.quantize(x, w.Cols, rows)
	}
	switch {
	case j.q8 && rows == 1 && w.Panels != nil && m.v.Q8.Streams > 1:
		m.pool.Run(m.streams.start(j), 1, &m.streams)
	case farDecode(m.v, w, rows):
		m.pool.Run(m.far.start(j), 1, &m.far)
	default:
		// Pieces of whole row groups (16 rows: a multiple of every tile
		// width), of pairs of panels where the q8 kernels have a wide tile
		// (else a piece of an odd number of panels does one with the
		// narrow tile: a ninth of the QKV product at two threads).
		grain := 16
		if j.q8 && rows > 1 && m.v.Q8.Wide != nil {
			grain = 32
		}
		m.pool.Run(w.Rows, grain, j)
	}
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
	q8   bool // q8_0 weights on the variant's int8 kernels

	scratch [][]float32 // per worker: widened weight rows
	packed  [][]byte    // per worker: a packed q8 weight panel
	quant   q8Job       // the activations of a q8 product, quantized
}

// quantize fills the job's quantized activation rows (reusing the buffer),
// over the pool's threads when there are many rows.
func (m *MatMul) quantize(x []float32, k, rows int) {
	q := &m.job.quant
	q.q, q.x, q.k, q.ldx = m.v.Q8, x, k, k/Q8Block*q8ActBytes
	if need := rows * q.ldx; len(q.xq) < need {
		q.xq = make([]byte, need)
	}
	if rows >= q8TileRows {
		m.pool.Run(rows, 4, q)
	} else {
		q.Run(0, 0, rows)
	}
	q.x = nil
}

// Run computes output columns [lo, hi) for every activation row.
func (j *matJob) Run(worker, lo, hi int) {
	if j.q8 {
		j.mulQ8(worker, lo, hi)
	} else {
		mulRange(j.v, j.w.Type, j.scratch[worker], j.dst, j.w.Rows, j.x, j.w.Cols, j.rows, j.data, j.ldw, lo, hi, j.w.Cols, false)
	}
	addBias(j.v.Axpy, j.dst, j.w.Rows, j.rows, j.bias, lo, hi)
}

// addBias adds the bias to outputs [lo, hi) of a one-row product.
func (j *matJob) addBias(lo, hi int) {
	addBias(j.v.Axpy, j.dst, 0, 1, j.bias, lo, hi)
}

// addBias adds bias (if any) to outputs [lo, hi) of each of rows output
// rows, n apart in dst.
func addBias(axpy func(y []float32, alpha float32, x []float32), dst []float32, n, rows int, bias []float32, lo, hi int) {
	if bias == nil {
		return
	}
	// out + 1·bias is out + bias exactly, fused or not.
	for t := 0; t < rows; t++ {
		axpy(dst[t*n+lo:t*n+hi], 1, bias[lo:hi])
	}
}

// mulRange computes dst[t·ldd+n] = Σ_{c<k} x[t·ldx+c]·w_n[c] for t < rows
// and n in [lo, hi), w_n being the weight row at data[n·ldw:]. Columns go
// in chunks of kChunk, each a dot product of the variant's kernels (tiles,
// row groups or single), the chunks' sums added in order; the columns past
// the last whole block are then added one by one in Go. Every path makes
// the same sums in the same order, so any split gives the same bits. With
// add, the products are added to dst instead.
func mulRange(v *Variant, typ DType, scratch, dst []float32, ldd int, x []float32, ldx, rows int, data []byte, ldw, lo, hi, k int, add bool) {
	dk := &v.Dot[typ]
	main := k - k%v.Block
	widen := v.Widen[typ]
	tk := dk // the kernels whose tiles run
	if widen != nil && scratch != nil && rows >= widenRows {
		tk = &v.Dot[F32]
	} else {
		widen = nil
	}
	// Rows past the last whole tile take the weights row group by row group,
	// all columns at once (the row kernels add up their chunks themselves),
	// unless the tiles have a Tile2 for them.
	tiled := tk.tiledRows(rows)
	if tiled < rows {
		mulRows(dk, typ, dst[tiled*ldd:], ldd, x[tiled*ldx:], ldx, rows-tiled, data, ldw, lo, hi, main, add)
	}
	for c0 := 0; tiled > 0 && (c0 < main || c0 == 0); c0 += kChunk {
		kc := min(kChunk, main-c0)
		if widen != nil {
			mulWidened(v, dk, typ, widen, scratch, dst, ldd, x[c0:], ldx, tiled, data[colOffset(typ, c0):], ldw, lo, hi, kc, add || c0 > 0)
		} else {
			mulChunk(dk, typ, dst, ldd, x[c0:], ldx, tiled, data[colOffset(typ, c0):], ldw, lo, hi, kc, add || c0 > 0)
		}
	}
	addColumns(typ, dst, ldd, x, ldx, rows, data, ldw, lo, hi, main, k)
}

// addColumns adds columns [from, k) (those past the kernels' last whole
// block) to dst[t·ldd+n] one by one, for t < rows and n in [lo, hi).
func addColumns(typ DType, dst []float32, ldd int, x []float32, ldx, rows int, data []byte, ldw, lo, hi, from, k int) {
	if from == k {
		return
	}
	for n := lo; n < hi; n++ {
		row := data[n*ldw:]
		for t := 0; t < rows; t++ {
			xs := x[t*ldx : t*ldx+k]
			s := dst[t*ldd+n]
			for c := from; c < k; c++ {
				s += xs[c] * weightAt(typ, row, c)
			}
			dst[t*ldd+n] = s
		}
	}
}

// mulRows computes k columns (a multiple of the variant's Block) for each
// of rows activation rows, one row at a time: groups of dk.Rows weight rows
// with the row kernel, the rest with single dot products chunk by chunk.
func mulRows(dk *DotKernels, typ DType, dst []float32, ldd int, x []float32, ldx, rows int, data []byte, ldw, lo, hi, k int, add bool) {
	for t := 0; t < rows; t++ {
		n := lo
		for ; n+dk.Rows <= hi; n += dk.Rows {
			dk.RowsDot(k, &x[t*ldx], &data[n*ldw], ldw, &dst[t*ldd+n], add)
		}
		for ; n < hi; n++ {
			dotChunked(dk.One, typ, k, &x[t*ldx], &data[n*ldw], &dst[t*ldd+n], add)
		}
	}
}

// dotChunked is what a row kernel computes for one weight row: the single
// dot products of each kChunk columns, added in order to *out (which the
// first replaces unless add).
func dotChunked(one func(k int, x *float32, w *byte) float32, typ DType, k int, x *float32, w *byte, out *float32, add bool) {
	for c0 := 0; c0 < k || c0 == 0; c0 += kChunk {
		v := one(min(kChunk, k-c0), (*float32)(unsafe.Add(unsafe.Pointer(x), 4*c0)), (*byte)(unsafe.Add(unsafe.Pointer(w), colOffset(typ, c0))))
		if add || c0 > 0 {
			*out += v
		} else {
			*out = v
		}
	}
}

// widenRows is the fewest activation rows for which widening the weight
// rows first pays.
const widenRows = 16

// mulWidened is mulChunk for a product whose weight rows are widened to
// f32, a tile's width of rows at a time, and multiplied with the f32 tiles
// (rows is a multiple of their height). Weight rows past the last whole
// group go through the type's own kernels (dk), which give the same values.
func mulWidened(v *Variant, dk *DotKernels, typ DType, widen func(k int, src *byte, dst *float32), scratch, dst []float32, ldd int, x []float32, ldx, rows int, data []byte, ldw, lo, hi, k int, add bool) {
	fk := &v.Dot[F32]
	tm, tn := fk.TileM, fk.TileN
	block := max(tm, (l2Block/(4*max(k, 1)))/tm*tm)
	wide := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(scratch))), 4*len(scratch))
	last := lo + (hi-lo)/tn*tn
	for t0 := 0; t0 < rows; t0 += block {
		t1 := min(t0+block, rows)
		for n := lo; n < last; n += tn {
			for r := 0; r < tn; r++ {
				widen(k, &data[(n+r)*ldw], &scratch[r*k])
			}
			for t := t0; t < t1; t += tm {
				tile(fk, min(tm, t1-t), k, &x[t*ldx], ldx, &wide[0], 4*k, &dst[t*ldd+n], ldd, add)
			}
		}
	}
	if last < hi {
		mulChunk(dk, typ, dst, ldd, x, ldx, rows, data, ldw, last, hi, k, add)
	}
}

// kChunk is the columns one dot-product pass covers: a 4-row group of
// activations or weights of this width stays in L1 (12 KiB in f32).
const kChunk = 768

// colOffset is the byte offset of column c (a multiple of the q8_0 block)
// in a weight row.
func colOffset(t DType, c int) int {
	switch t {
	case F32:
		return 4 * c
	case F16, BF16:
		return 2 * c
	}
	return c / Q8Block * Q8BlockBytes
}

// mulChunk computes one column chunk (k ≤ kChunk): dst is set, or with add
// increased.
func mulChunk(dk *DotKernels, typ DType, dst []float32, ldd int, x []float32, ldx, rows int, data []byte, ldw, lo, hi, k int, add bool) {
	wrow := func(n int) *byte { return &data[n*ldw] }
	// Tiles sweep a block of activation rows that stays in L2 while each
	// group of weight rows (a few KiB, in L1) meets all of them.
	tm, tn := dk.TileM, dk.TileN
	full := dk.tiledRows(rows)
	block := max(tm, (l2Block/(4*max(k, 1)))/tm*tm)
	for t0 := 0; t0 < full; t0 += block {
		t1 := min(t0+block, full)
		n := lo
		for ; n+tn <= hi; n += tn {
			w := wrow(n)
			for t := t0; t < t1; t += tm {
				tile(dk, min(tm, t1-t), k, &x[t*ldx], ldx, w, ldw, &dst[t*ldd+n], ldd, add)
			}
		}
		for t := t0; t < t1; t++ {
			for c := n; c < hi; c++ {
				dotChunked(dk.One, typ, k, &x[t*ldx], wrow(c), &dst[t*ldd+c], add)
			}
		}
	}
	if full < rows {
		mulRows(dk, typ, dst[full*ldd:], ldd, x[full*ldx:], ldx, rows-full, data, ldw, lo, hi, k, add)
	}
}

// tiledRows is how many of rows activation rows the tiles take: all of
// them with a Tile2, else the whole tiles'.
func (dk *DotKernels) tiledRows(rows int) int {
	if dk.Tile2 != nil {
		return rows
	}
	return rows - rows%dk.TileM
}

// tile runs m ≤ dk.TileM activation rows through dk's tiles: fewer than
// TileM only with a Tile2, which takes two rows, or one given twice.
func tile(dk *DotKernels, m, k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool) {
	switch m {
	case dk.TileM:
		dk.Tile(k, x, ldx, w, ldw, out, ldo, add)
	case 2:
		dk.Tile2(k, x, ldx, w, ldw, out, ldo, add)
	default:
		dk.Tile2(k, x, 0, w, ldw, out, 0, add)
	}
}

// l2Block is the bytes of activations a tile sweep keeps in L2.
const l2Block = 384 << 10

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
