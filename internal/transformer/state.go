package transformer

import (
	"fmt"

	"gpt2/internal/kernels"
)

// State is the running memory of up to Seqs sequences: their KV caches
// and every buffer a forward pass needs, allocated once so that decoding
// allocates nothing per token. A State is used by one goroutine at a time.
type State struct {
	m         *Model
	seqs      int
	capacity  int // positions per sequence
	maxRows   int
	maxLogits int

	// KV cache. Keys are transposed within blocks of kBlock positions,
	// [seq][layer][head][pos/kBlock][headDim][kBlock], and values are rows,
	// [seq][layer][head][pos][vrow], vrow the head dimension rounded up to
	// the width Outer reads (kernels.OuterWidth): attention's two products then both run in outer-product order
	// (kernels.Outer), their second factor's rows contiguous (a block's
	// keys by dimension, a position's values), and a token's keys land in a
	// few pages rather than one page per dimension. bcap is the capacity
	// rounded up to whole blocks.
	k, v []float32
	bcap int
	vrow int

	x, h, att, tmp []float32 // rows × embd
	qkv            []float32 // rows × 3·embd
	up             []float32 // rows × inner
	final          []float32 // logit rows × embd
	// Logits holds one row of vocabulary logits per row asked for in the
	// last Forward, in the order asked.
	Logits []float32

	mm      *kernels.MatMul
	attJob  attentionJob
	normJob normJob
	geluJob geluJob
	addJob  addJob
	logRows []int // indices of the rows asked for logits in this pass
	outRows []Row // those rows
}

// Row is one token of one sequence to run through the model.
type Row struct {
	Seq, Pos, Token int
	Logits          bool // compute this position's logits
}

// NewState makes room for seqs sequences of up to capacity positions each
// (at most the model's context), forward passes of up to maxRows rows, and
// logits for up to maxLogits rows at a time.
func (m *Model) NewState(seqs, capacity, maxRows, maxLogits int) *State {
	c := m.Config
	capacity = min(max(capacity, 1), c.NCtx)
	maxRows = max(maxRows, 1)
	maxLogits = min(max(maxLogits, 1), maxRows)
	s := &State{m: m, seqs: seqs, capacity: capacity, maxRows: maxRows, maxLogits: maxLogits}
	s.bcap = (capacity + kBlock - 1) / kBlock * kBlock
	// Outer reads b's rows in runs of its width: a value row must be
	// readable up to the head dimension rounded up to that.
	w := kernels.OuterWidth(m.kernels)
	s.vrow = (c.HeadDim() + w - 1) / w * w
	s.k = make([]float32, seqs*c.NLayer*s.bcap*c.NEmbd)
	s.v = make([]float32, seqs*c.NLayer*c.NHead*s.bcap*s.vrow)
	e := c.NEmbd
	s.x = make([]float32, maxRows*e)
	s.h = make([]float32, maxRows*e)
	s.att = make([]float32, maxRows*e)
	s.tmp = make([]float32, maxRows*e)
	s.qkv = make([]float32, maxRows*3*e)
	s.up = make([]float32, maxRows*c.NInner)
	s.final = make([]float32, maxLogits*e)
	s.Logits = make([]float32, maxLogits*c.VocabSize)
	s.mm = kernels.NewMatMul(m.kernels, m.pool)
	s.attJob.init(s)
	s.logRows = make([]int, 0, maxLogits)
	s.outRows = make([]Row, 0, maxLogits)
	return s
}

// Capacity is the number of positions each sequence can hold.
func (s *State) Capacity() int { return s.capacity }

// MaxRows is the most rows one Forward takes.
func (s *State) MaxRows() int { return s.maxRows }

// MaxLogits is the most rows one Forward can return logits for.
func (s *State) MaxLogits() int { return s.maxLogits }

// Seqs is the number of sequences the state holds.
func (s *State) Seqs() int { return s.seqs }

// kBlock is the positions of one block of transposed keys, and the most
// columns (keys) or rows (values) of one of attention's products. It is a
// multiple of every variant's OuterWidth (at most 64), so that Outer reads
// within a key block's rows.
const kBlock = kernels.KeyBlock

// kOffset is where the transposed keys of (seq, layer, head) start.
func (s *State) kOffset(seq, layer, head int) int {
	c := s.m.Config
	return ((seq*c.NLayer+layer)*c.NHead + head) * c.HeadDim() * s.bcap
}

// kIndex is where dimension i of the key at position pos is, from kOffset.
func kIndex(d, pos, i int) int {
	return pos/kBlock*kBlock*d + i*kBlock + pos%kBlock
}

// vOffset is where the values of (seq, layer, head) at position pos start.
func (s *State) vOffset(seq, layer, head, pos int) int {
	c := s.m.Config
	return (((seq*c.NLayer+layer)*c.NHead+head)*s.bcap + pos) * s.vrow
}

// CopySeq copies the first n cached positions of sequence src to dst, so
// that several samples of one prompt share one prefill.
func (s *State) CopySeq(dst, src, n int) {
	c := s.m.Config
	d := c.HeadDim()
	for l := 0; l < c.NLayer; l++ {
		for h := 0; h < c.NHead; h++ {
			ka, kb := s.kOffset(src, l, h), s.kOffset(dst, l, h)
			for p := 0; p < n; p += kBlock {
				m := min(kBlock, n-p)
				for i := 0; i < d; i++ {
					at := kIndex(d, p, i)
					copy(s.k[kb+at:kb+at+m], s.k[ka+at:ka+at+m])
				}
			}
			va, vb := s.vOffset(src, l, h, 0), s.vOffset(dst, l, h, 0)
			copy(s.v[vb:vb+n*s.vrow], s.v[va:va+n*s.vrow])
		}
	}
}

func (s *State) checkRows(rows []Row) error {
	if len(rows) > s.maxRows {
		return fmt.Errorf("transformer: %d rows in one pass, room for %d", len(rows), s.maxRows)
	}
	n := 0
	for _, r := range rows {
		if r.Seq < 0 || r.Seq >= s.seqs || r.Pos < 0 || r.Pos >= s.capacity || r.Token < 0 || r.Token >= s.m.Config.VocabSize {
			return fmt.Errorf("transformer: row %+v is outside the state (%d sequences, %d positions, %d tokens)", r, s.seqs, s.capacity, s.m.Config.VocabSize)
		}
		if r.Logits {
			n++
		}
	}
	if n > s.maxLogits {
		return fmt.Errorf("transformer: logits for %d rows asked, room for %d", n, s.maxLogits)
	}
	return nil
}
