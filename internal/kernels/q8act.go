package kernels

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// Products of q8_0 weights with activations quantized to q8_0 as well, as
// llama.cpp does: the 32 products of a block are summed exactly in int32 by
// the CPU's int8 dot-product instructions (VPDPBUSD of AVX-512 VNNI or
// AVX-VNNI, SDOT on arm64: four times the multiply-adds of a float32 FMA of
// the same width), and only the block sums are scaled and added in float32. The activations' rounding (at most half a
// step of 1/127 of their block's largest value) is the price; the weights
// were rounded that way already.
//
// Every kernel computes each output as
//
//	acc := float32(0)
//	for b := range blocks {
//		s := Σ_{i<32} xq_b[i]·wq_b[i]            (exact, int32)
//		acc += float32(float32(s) * (dw_b * dx_b)) (each step rounded to float32)
//	}
//
// so tiles, row kernels and the Go reference give the same bits, whatever
// the split of rows, columns or threads.

// q8ActBytes is one block of a quantized activation row: the scale d
// (float32), c = −128·Σq (int32: kernels that add 128 to the weights to
// make them unsigned for VPDPBUSD subtract the 128·Σq this adds), and the
// 32 int8 values q.
const q8ActBytes = 8 + Q8Block

// q8PackBytes is one block of a packed panel of 16 weight rows: for each
// group of four columns j < 8, the four int8 of each of the 16 rows with
// 128 added (unsigned), then the 16 rows' scales (f16, as stored). That is
// the size of the 16 rows' own blocks, so panels prepared once at load
// (PreparePanels) take the bytes of the rows they replace, and a decode
// step streams no more than the stored matrix.
const q8PackBytes = 8*64 + 2*16

// Q8Kernels multiply q8_0 weights with q8-quantized activation rows. k is a
// multiple of 32 throughout.
type Q8Kernels struct {
	// Quantize writes the k values of x as k/32 activation blocks to dst.
	Quantize func(k int, x *float32, dst *byte)
	// Pack lays out 16 weight rows (at w + n·ldw bytes) for Tile:
	// k/32·q8PackBytes bytes.
	Pack func(k int, w *byte, ldw int, dst *byte)
	// Tile sets out[m·ldo+n] = x_m · w_n for m < TileM and n < 16, x_m the
	// activation row at x + m·ldx bytes, w a packed panel.
	TileM int
	Tile  func(k int, x *byte, ldx int, packed *byte, out *float32, ldo int)
	// Wide, where set, is Tile for WideM activation rows and two panels,
	// the second at p + pstride bytes, its outputs at out + 16: each load
	// of an activation's four bytes then feeds two products instead of
	// one, and the activation rows stream once per two panels.
	WideM int
	Wide  func(k int, x *byte, ldx int, p *byte, pstride int, out *float32, ldo int)
	// Rows sets out[n] = x · w_n for the 16 weight rows at w + n·ldw bytes,
	// as stored (decode of a matrix without panels).
	Rows func(k int, x *byte, w *byte, ldw int, out *float32)
	// Tile1 is Tile for one activation row: decode on panels prepared at
	// load (PreparePanels), which it reads as one stream with no
	// horizontal sums and no gathered scales.
	Tile1 func(k int, x *byte, packed *byte, out *float32)
	// Tile1Streams, where Streams > 1, is Tile1 for Streams panels at
	// once: panel s at p + s·stride bytes, its outputs at out + s·ostride
	// floats. A decode reads each matrix as that many streams far apart
	// (panels from its quarters, or halves, side by side), because a core
	// pulls several streams from memory much faster than one: about twice
	// as fast on the machine we measure (BenchmarkReadStreams).
	Streams      int
	Tile1Streams func(k int, x *byte, p *byte, stride int, out *float32, ostride int)

	// DotLoop, the roofline's probe, runs iters rounds of the widest
	// independent int8 dot products and returns the operations done (2
	// per multiply-add, as FLOPs count them).
	DotLoop func(iters int) int64
}

// q8Generic is the Go reference of the q8 kernels.
var q8Generic = &Q8Kernels{
	Quantize:     quantizeQ8ActGeneric,
	Pack:         packQ8Generic,
	TileM:        4,
	Tile:         tileQ8ActGeneric,
	WideM:        2,
	Wide:         tileWideQ8ActGeneric,
	Rows:         rowsQ8ActGeneric,
	Tile1:        tile1Q8ActGeneric,
	Streams:      4,
	Tile1Streams: tile1QuadQ8ActGeneric,
	DotLoop:      dotLoopGeneric,
}

// quantizeQ8ActGeneric: per block d = max|x|/127, q = x·(1/d) rounded to
// nearest even (what the vector conversion instructions do), c = −128·Σq.
func quantizeQ8ActGeneric(k int, x *float32, dst *byte) {
	xs := unsafe.Slice(x, k)
	out := unsafe.Slice(dst, k/Q8Block*q8ActBytes)
	for b := 0; b < k/Q8Block; b++ {
		v := xs[b*Q8Block : (b+1)*Q8Block]
		o := out[b*q8ActBytes : (b+1)*q8ActBytes]
		var amax float32
		for _, f := range v {
			amax = max(amax, math.Float32frombits(math.Float32bits(f)&^(1<<31)))
		}
		d := amax / 127
		var id float32
		if d != 0 {
			id = 1 / d
		}
		var sum int32
		for i, f := range v {
			q := int8(math.RoundToEven(float64(f * id)))
			o[8+i] = byte(q)
			sum += int32(q)
		}
		binary.LittleEndian.PutUint32(o, math.Float32bits(d))
		binary.LittleEndian.PutUint32(o[4:], uint32(-128*sum))
	}
}

// dotQ8Act is one output of the contract above: activation row x (q8
// blocks) with the q8_0 weight row w.
func dotQ8Act(k int, x, w *byte) float32 {
	xs := unsafe.Slice(x, k/Q8Block*q8ActBytes)
	ws := unsafe.Slice(w, k/Q8Block*Q8BlockBytes)
	var acc float32
	for b := 0; b < k/Q8Block; b++ {
		xb := xs[b*q8ActBytes:]
		wb := ws[b*Q8BlockBytes:]
		var s int32
		for i := 0; i < Q8Block; i++ {
			s += int32(int8(xb[8+i])) * int32(int8(wb[2+i]))
		}
		dx := math.Float32frombits(binary.LittleEndian.Uint32(xb))
		dw := f16Table[binary.LittleEndian.Uint16(wb)]
		acc += float32(float32(s) * (dw * dx))
	}
	return acc
}

func rowsQ8ActGeneric(k int, x *byte, w *byte, ldw int, out *float32) {
	o := unsafe.Slice(out, 16)
	for n := range o {
		o[n] = dotQ8Act(k, x, (*byte)(unsafe.Add(unsafe.Pointer(w), n*ldw)))
	}
}

func packQ8Generic(k int, w *byte, ldw int, dst *byte) {
	nb := k / Q8Block
	out := unsafe.Slice(dst, nb*q8PackBytes)
	for n := 0; n < 16; n++ {
		row := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(w), n*ldw)), nb*Q8BlockBytes)
		for b := 0; b < nb; b++ {
			blk := row[b*Q8BlockBytes:]
			p := out[b*q8PackBytes:]
			for c := 0; c < Q8Block; c++ {
				p[(c/4)*64+n*4+c%4] = blk[2+c] ^ 0x80
			}
			copy(p[8*64+2*n:8*64+2*n+2], blk[:2])
		}
	}
}

// tileQ8ActGeneric computes the tile from the packed panel the way the
// assembly does (unsigned weights, the c correction), so that it checks
// the packing as well.
func tileQ8ActGeneric(k int, x *byte, ldx int, packed *byte, out *float32, ldo int) {
	tileQ8Rows(4, k, x, ldx, packed, out, ldo)
}

// tileWideQ8ActGeneric is the tile of two rows with two panels.
func tileWideQ8ActGeneric(k int, x *byte, ldx int, p *byte, pstride int, out *float32, ldo int) {
	tileQ8Rows(2, k, x, ldx, p, out, ldo)
	tileQ8Rows(2, k, x, ldx, (*byte)(unsafe.Add(unsafe.Pointer(p), pstride)), (*float32)(unsafe.Add(unsafe.Pointer(out), 4*16)), ldo)
}

func tile1Q8ActGeneric(k int, x *byte, packed *byte, out *float32) {
	tileQ8Rows(1, k, x, 0, packed, out, 0)
}

// tile1QuadQ8ActGeneric is Tile1Streams for four streams.
func tile1QuadQ8ActGeneric(k int, x *byte, p *byte, stride int, out *float32, ostride int) {
	for s := 0; s < 4; s++ {
		tile1Q8ActGeneric(k, x, (*byte)(unsafe.Add(unsafe.Pointer(p), s*stride)), (*float32)(unsafe.Add(unsafe.Pointer(out), 4*s*ostride)))
	}
}

// tileQ8Rows is the tile of rows activation rows.
func tileQ8Rows(rows, k int, x *byte, ldx int, packed *byte, out *float32, ldo int) {
	nb := k / Q8Block
	p := unsafe.Slice(packed, nb*q8PackBytes)
	o := unsafe.Slice(out, (rows-1)*ldo+16)
	for m := 0; m < rows; m++ {
		xs := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(x), m*ldx)), nb*q8ActBytes)
		for n := 0; n < 16; n++ {
			var acc float32
			for b := 0; b < nb; b++ {
				xb, pb := xs[b*q8ActBytes:], p[b*q8PackBytes:]
				s := int32(binary.LittleEndian.Uint32(xb[4:]))
				for c := 0; c < Q8Block; c++ {
					s += int32(pb[(c/4)*64+n*4+c%4]) * int32(int8(xb[8+c]))
				}
				dx := math.Float32frombits(binary.LittleEndian.Uint32(xb))
				dw := f16Table[binary.LittleEndian.Uint16(pb[8*64+2*n:])]
				acc += float32(float32(s) * (dw * dx))
			}
			o[m*ldo+n] = acc
		}
	}
}

// q8Job quantizes activation rows [lo, hi) for a q8 product.
type q8Job struct {
	q   *Q8Kernels
	x   []float32
	xq  []byte
	k   int
	ldx int
}

func (j *q8Job) Run(_, lo, hi int) {
	for t := lo; t < hi; t++ {
		j.q.Quantize(j.k, &j.x[t*j.k], &j.xq[t*j.ldx])
	}
}

// mulQ8 computes output columns [lo, hi) of a q8_0 product for every
// activation row, from the quantized rows in j.xq: with prepared panels,
// tiles for whole tiles of rows and Tile1 for the rest; otherwise panels
// packed here and tiles for whole tiles of rows, the row kernel for the
// rest. Pairs of panels go through the wide tiles where the kernels have
// them. Weight rows past the last group of 16 take dotQ8Act.
func (j *matJob) mulQ8(worker, lo, hi int) {
	q, k, N := j.v.Q8, j.w.Cols, j.w.Rows
	ldx := k / Q8Block * q8ActBytes
	xq := j.quant.xq
	tm := q.TileM
	last := lo + (hi-lo)/16*16
	if j.w.Panels != nil {
		tiled := j.rows - j.rows%tm
		pb := j.w.panelBytes()
		n := lo
		if q.Wide != nil {
			for ; n+32 <= last; n += 32 {
				j.wide(&j.w.Panels[n/16*pb], pb, n)
			}
		}
		for ; n < last; n += 16 {
			panel := &j.w.Panels[n/16*pb]
			for t := 0; t < tiled; t += tm {
				q.Tile(k, &xq[t*ldx], ldx, panel, &j.dst[t*N+n], N)
			}
			for t := tiled; t < j.rows; t++ {
				q.Tile1(k, &xq[t*ldx], panel, &j.dst[t*N+n])
			}
		}
		j.mulQ8Tail(last, hi)
		return
	}
	tiled := 0
	if j.rows >= q8TileRows {
		tiled = j.rows - j.rows%tm
	}
	wideEnd := lo // columns [lo, wideEnd) are done for every row
	if tiled > 0 && last > lo {
		pb := k / Q8Block * q8PackBytes
		if len(j.packed[worker]) < 2*pb {
			j.packed[worker] = make([]byte, 2*pb)
		}
		packed := &j.packed[worker][0]
		// Each panel is packed once and meets every activation row: the
		// quantized rows are a quarter of their float32 size (512 rows of
		// 3072 take 1.9 MB), so streaming them from L2 or L3 per panel
		// costs less than packing a panel again per block of rows.
		n := lo
		if q.Wide != nil {
			for ; n+32 <= last; n += 32 {
				q.Pack(k, &j.data[n*j.ldw], j.ldw, packed)
				q.Pack(k, &j.data[(n+16)*j.ldw], j.ldw, &j.packed[worker][pb])
				j.wide(packed, pb, n)
			}
		}
		wideEnd = n
		for ; n < last; n += 16 {
			q.Pack(k, &j.data[n*j.ldw], j.ldw, packed)
			for t := 0; t < tiled; t += tm {
				q.Tile(k, &xq[t*ldx], ldx, packed, &j.dst[t*N+n], N)
			}
		}
	}
	for t := tiled; t < j.rows; t++ {
		for n := wideEnd; n < last; n += 16 {
			q.Rows(k, &xq[t*ldx], &j.data[n*j.ldw], j.ldw, &j.dst[t*N+n])
		}
	}
	j.mulQ8Tail(last, hi)
}

// streamJob is the decode of a q8_0 matrix with panels on kernels that read
// several streams (Q8Kernels.Streams = S): the matrix's whole panels are cut
// into S parts of R panels, and index i < R of the job is panel i of every
// part, read side by side. With the pool's contiguous shares, each thread
// then streams S far-apart runs of panels. Index R is the panels past the
// S·R and the rows past the last whole panel. Every output is still one
// Tile1 sum, so the bits are those of any other path.
type streamJob struct {
	j *matJob
	r int // panels per part
}

// start sets the job up for j's matrix and returns its index count.
func (s *streamJob) start(j *matJob) int {
	s.j, s.r = j, j.w.Rows/16/j.v.Q8.Streams
	return s.r + 1
}

// Run computes the outputs of indices [lo, hi), bias added.
func (s *streamJob) Run(_, lo, hi int) {
	j, q := s.j, s.j.v.Q8
	k, pb, xq := j.w.Cols, j.w.panelBytes(), &j.quant.xq[0]
	parts := min(hi, s.r) // indices [lo, parts) are panels of every part
	for i := lo; i < parts; i++ {
		q.Tile1Streams(k, xq, &j.w.Panels[i*pb], s.r*pb, &j.dst[16*i], 16*s.r)
	}
	for p := 0; lo < parts && p < q.Streams; p++ {
		j.addBias(16*(p*s.r+lo), 16*(p*s.r+parts))
	}
	if hi <= s.r {
		return
	}
	first, whole := q.Streams*s.r*16, j.w.Rows/16*16
	for n := first; n < whole; n += 16 {
		q.Tile1(k, xq, &j.w.Panels[n/16*pb], &j.dst[n])
	}
	j.mulQ8Tail(whole, j.w.Rows)
	j.addBias(first, j.w.Rows)
}

// wide computes output columns [n, n+32) for every activation row from
// the two panels at p and p+pstride: the wide tiles, then Tile1 for the
// rows past the last whole one.
func (j *matJob) wide(p *byte, pstride, n int) {
	q, k, N := j.v.Q8, j.w.Cols, j.w.Rows
	ldx := k / Q8Block * q8ActBytes
	xq := j.quant.xq
	tiled := j.rows - j.rows%q.WideM
	for t := 0; t < tiled; t += q.WideM {
		q.Wide(k, &xq[t*ldx], ldx, p, pstride, &j.dst[t*N+n], N)
	}
	for t := tiled; t < j.rows; t++ {
		q.Tile1(k, &xq[t*ldx], p, &j.dst[t*N+n])
		q.Tile1(k, &xq[t*ldx], (*byte)(unsafe.Add(unsafe.Pointer(p), pstride)), &j.dst[t*N+n+16])
	}
}

// mulQ8Tail computes output columns [lo, hi) one dot product at a time.
func (j *matJob) mulQ8Tail(lo, hi int) {
	k, N := j.w.Cols, j.w.Rows
	ldx := k / Q8Block * q8ActBytes
	for n := lo; n < hi; n++ {
		for t := 0; t < j.rows; t++ {
			j.dst[t*N+n] = dotQ8Act(k, &j.quant.xq[t*ldx], &j.data[n*j.ldw])
		}
	}
}

// q8TileRows is the fewest activation rows for which packing weight panels
// for the tiles pays.
const q8TileRows = 16

// dotLoopGeneric runs iters rounds of 8 independent int32 multiply-adds.
func dotLoopGeneric(iters int) int64 {
	a := [8]int32{1, 2, 3, 4, 5, 6, 7, 8}
	for i := 0; i < iters; i++ {
		for j := range a {
			a[j] = a[j]*3 + int32(j)
		}
	}
	dotSink = a[0] + a[1] + a[2] + a[3] + a[4] + a[5] + a[6] + a[7]
	return int64(iters) * 8 * 2
}

// dotSink keeps the loop's results observable.
var dotSink int32
