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
// per block of kBlock positions ([d][pos]), one product per key block;
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
	// Keys are stored transposed: for each of the head's d dimensions, a
	// block's positions are contiguous. Row by row, a row's keys are
	// kBlock apart (a decode step's attention took 10 % longer, 151–158
	// against 136–138 µs at one thread, computing each key's place).
	kt := s.k[s.kOffset(first.Seq, j.layer, h):]
	for a := 0; a < blk.n; a++ {
		src := s.qkv[(blk.first+a)*3*e+e+h*d:][:d]
		at := kIndex(d, first.Pos+a, 0)
		dst := kt[at : at+(d-1)*kBlock+1]
		for i, v := range src {
			dst[i*kBlock] = v
		}
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
	q      [][]float32 // attnBlock × d, the scaled queries
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
		j.q = append(j.q, make([]float32, attnBlock*d))
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
		q := j.q[worker][:b*d]
		for a := 0; a < b; a++ {
			src := s.qkv[(blk.first+a)*3*e+h*d:]
			for k := 0; k < d; k++ {
				q[a*d+k] = src[k] * j.scale
			}
		}
		sc := j.scores[worker][:b*padded]
		kt := s.k[s.kOffset(first.Seq, j.layer, h):][:s.bcap*d]
		for p := 0; p < padded; p += kBlock {
			j.kern.Outer(b, min(kBlock, padded-p), d, q, d, kt[p*d:], kBlock, sc[p:], padded, false)
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
			j.kern.Outer(b, d, min(kBlock, padded-p), sc[p:], padded, vs[p*s.vrow:], s.vrow, out, e, p > 0)
		}
	}
}
