package transformer

import (
	"math"

	"gpt2/internal/kernels"
)

// planAttention cuts a pass's rows into the blocks attention works on; the
// blocks are the same for every layer, so a pass cuts them once.
//
// Rows of one sequence at consecutive positions form a block, and a block
// is done per head as two products in outer-product order
// (kernels.Outer): scores S = Q·Kᵀ, for which keys are stored transposed
// per block of kBlock positions ([d][pos]) and scaled by 1/√d, one
// product per key block;
// and output O = P·V (values stored [pos][d]) in chunks of kBlock
// positions, each chunk's sums added to O in order. Positions past a
// row's own get probability 0. With cached, the rows' keys and values are
// in the cache already and attention only reads them.
func (s *State) planAttention(rows []Row, cached bool) {
	j := &s.attJob
	j.blocks = j.blocks[:0]
	for i := 0; i < len(rows); {
		n := 1
		for i+n < len(rows) && n < attnBlock && rows[i+n].Seq == rows[i].Seq && rows[i+n].Pos == rows[i].Pos+n {
			n++
		}
		j.blocks = append(j.blocks, attnSpan{i, n})
		i += n
	}
	j.rows = rows
	j.cached = cached
	j.storeInRun = !cached && !seqHasTwoBlocks(rows, j.blocks)
}

// seqHasTwoBlocks reports whether two of the blocks belong to one sequence.
func seqHasTwoBlocks(rows []Row, blocks []attnSpan) bool {
	for i, b := range blocks {
		for _, a := range blocks[:i] {
			if rows[a.first].Seq == rows[b.first].Seq {
				return true
			}
		}
	}
	return false
}

// attention writes the planned rows' keys and values into their
// sequences' caches, then computes, per row and head, softmax(q·Kᵀ/√d)
// over positions 0..Pos (the causal mask) and the weighted sum of the
// values into s.att.
func (s *State) attention(layer int) {
	j := &s.attJob
	j.layer = layer
	// Every key and value enters the cache before any query reads it: a
	// block's queries also see earlier blocks of their sequence. When no
	// sequence has two blocks (always so in decode), a unit's queries read
	// only the keys its own unit stores, so one pass does both and saves
	// the pool a barrier per layer.
	if !j.storeInRun && !j.cached {
		s.storeKV(layer)
	}
	s.m.pool.Run(len(j.blocks)*s.m.Config.NHead, 1, j)
}

// storeKV writes the planned rows' keys and values of a layer into their
// sequences' caches.
func (s *State) storeKV(layer int) {
	j := &s.attJob
	j.layer = layer
	s.m.pool.Run(len(j.blocks)*s.m.Config.NHead, 1, &j.store)
}

// kvStore writes the keys and values of (block, head) units into the cache.
type kvStore struct{ j *attentionJob }

func (k *kvStore) Run(_, lo, hi int) {
	nh := k.j.s.m.Config.NHead
	for p := lo; p < hi; p++ {
		k.j.storeUnit(k.j.blocks[p/nh], p%nh)
	}
}

// storeUnit writes the keys and values of one block's rows for head h.
func (j *attentionJob) storeUnit(blk attnSpan, h int) {
	s := j.s
	c := s.m.Config
	e, d := c.NEmbd, c.HeadDim()
	first := j.rows[blk.first]
	// Keys are stored transposed (kernels.PackKeys), scaled by 1/√d so
	// that the queries need not be: for d = 64 the scale is a power of
	// two and q·(k/8) is q/8·k to the bit. A block's rows go in runs
	// that stay within one block of the cache.
	kt := s.k[s.kOffset(first.Seq, j.layer, h):]
	src := s.qkv[blk.first*3*e+e+h*d:]
	for a := 0; a < blk.n; {
		pos := first.Pos + a
		run := min(blk.n-a, kBlock-pos%kBlock)
		j.kern.PackKeys(run, d, src[a*3*e:], 3*e, kt[kIndex(d, pos, 0):], j.scale)
		a += run
	}
	for a := 0; a < blk.n; a++ {
		off := s.vOffset(first.Seq, j.layer, h, first.Pos+a)
		copy(s.v[off:off+d], s.qkv[(blk.first+a)*3*e+2*e+h*d:][:d])
	}
}

// attnBlock is the most query rows done together.
const attnBlock = 64

type attnSpan struct{ first, n int }

type attentionJob struct {
	s      *State
	store  kvStore
	rows   []Row
	layer  int
	scale  float32
	blocks []attnSpan
	// storeInRun is set when each unit stores its own keys and values
	// before it attends (no sequence has two blocks in this call), cached
	// when they are stored already.
	storeInRun, cached bool
	// per worker scratch
	scores [][]float32 // attnBlock × bcap
	kern   *kernels.Variant
}

func (j *attentionJob) init(s *State) {
	j.s = s
	j.store.j = j
	d := s.m.Config.HeadDim()
	j.scale = float32(1 / math.Sqrt(float64(d)))
	j.kern = s.m.kernels
	j.blocks = make([]attnSpan, 0, s.maxRows)
	for w := 0; w < s.m.pool.Threads(); w++ {
		j.scores = append(j.scores, make([]float32, attnBlock*s.bcap))
	}
}

// Run handles (block, head) pairs [lo, hi), counted from the last block:
// later blocks attend to more keys, and starting with them balances the
// threads.
func (j *attentionJob) Run(worker, lo, hi int) {
	s := j.s
	c := s.m.Config
	e, d, nh := c.NEmbd, c.HeadDim(), c.NHead
	for p := lo; p < hi; p++ {
		blk, h := j.blocks[len(j.blocks)-1-p/nh], p%nh
		if j.storeInRun {
			j.storeUnit(blk, h)
		}
		first := j.rows[blk.first]
		b := blk.n
		keys := first.Pos + b // positions 0..keys-1 are needed
		// Pad to the kernels' block with zero probabilities, so that a
		// row's sums do not depend on how many keys its block has.
		padded := (keys + 15) &^ 15
		// The queries are read where the QKV product left them, 3e
		// apart: the keys were stored scaled by 1/√d instead.
		q := s.qkv[blk.first*3*e+h*d:]
		sc := j.scores[worker][:b*padded]
		kt := s.k[s.kOffset(first.Seq, j.layer, h):][:s.bcap*d]
		for p := 0; p < padded; p += kBlock {
			w := min(kBlock, padded-p)
			for a0, a1 := range bands(first.Pos, b, p, w) {
				// Score columns up to the band's last row's position, in
				// whole vectors: past them the row is cleared below.
				n := min(w, (first.Pos+a1-p+15)&^15)
				j.kern.Outer(a1-a0, n, d, q[a0*3*e:], 3*e, kt[p*d:], kBlock, sc[a0*padded+p:], padded, false)
			}
		}
		for a := 0; a < b; a++ {
			row := sc[a*padded : (a+1)*padded]
			valid := first.Pos + a + 1
			j.kern.Softmax(row[:valid])
			clear(row[valid:])
		}
		vs := s.v[s.vOffset(first.Seq, j.layer, h, 0):][:s.bcap*s.vrow]
		out := s.att[blk.first*e+h*d:]
		for p := 0; p < padded; p += kBlock {
			w := min(kBlock, padded-p)
			for a0, a1 := range bands(first.Pos, b, p, w) {
				// The values past the band's last row's position have
				// probability 0 for every row of it: 0·v adds nothing.
				k := min(w, first.Pos+a1-p)
				j.kern.Outer(a1-a0, d, k, sc[a0*padded+p:], padded, vs[p*s.vrow:], s.vrow, out[a0*e:], e, p > 0)
			}
		}
	}
}

// attnBand is the query rows that share a count of keys in a block of
// keys that some of the block's rows see only in part (the diagonal of
// the causal mask): two tiles of six, three of four.
const attnBand = 12

// bands yields the query rows [a0, a1) of a block of b rows from position
// pos that meet keys [p, p+w): all of them at once if the first row sees
// every key, else in bands of attnBand, skipping rows that see none.
func bands(pos, b, p, w int) func(yield func(a0, a1 int) bool) {
	return func(yield func(a0, a1 int) bool) {
		if pos+1-p >= w {
			yield(0, b)
			return
		}
		for a0 := max(0, p-pos) / attnBand * attnBand; a0 < b; a0 += attnBand {
			if !yield(a0, min(a0+attnBand, b)) {
				return
			}
		}
	}
}
