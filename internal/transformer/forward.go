package transformer

// Forward runs rows through the model, in order: each row's key and value
// enter its sequence's cache at its position, and its query attends to
// positions 0..Pos of that sequence (rows of one sequence must come in
// position order; earlier positions must be cached or in this pass).
// Logits of the rows marked Logits are left in s.Logits, in row order.
//
// This is GPT-2 as the paper draws it: token and position embeddings, then
// per block x += attn(ln_1(x)) and x += mlp(ln_2(x)), then ln_f and the
// output projection tied to the token embeddings. The last block goes past
// its keys and values only for the rows asked for logits.
func (s *State) Forward(rows []Row) error {
	if err := s.checkRows(rows); err != nil {
		return err
	}
	m, c := s.m, s.m.Config
	n, e := len(rows), c.NEmbd
	x := s.x[:n*e]
	s.embed(rows, x)
	s.planAttention(rows, false)
	k := s.findOutputRows(rows)
	last := len(m.blocks) - 1
	for l := range m.blocks {
		b := &m.blocks[l]
		h := s.h[:n*e]
		s.layerNorm(h, x, b.ln1G, b.ln1B, n)
		s.matmul(s.qkv[:n*3*e], h, b.qkv, n)
		if l == last && k < n {
			// Past the last block's keys and values only the rows asked
			// for logits matter: the others' part in later positions is
			// what the cache now holds. (llama.cpp drops them after
			// attention; here their queries are dropped too.)
			s.storeKV(l)
			n = s.keepOutputRows()
			if n == 0 {
				break
			}
			x, h = s.x[:n*e], s.h[:n*e]
		}
		s.attention(l)
		s.matmul(s.tmp[:n*e], s.att[:n*e], b.proj, n)
		s.addResidual(x, s.tmp[:n*e])
		s.layerNorm(h, x, b.ln2G, b.ln2B, n)
		up := s.up[:n*c.NInner]
		s.matmul(up, h, b.fc, n)
		s.gelu(up)
		s.matmul(s.tmp[:n*e], up, b.fcProj, n)
		s.addResidual(x, s.tmp[:n*e])
	}
	s.attJob.rows = nil // the caller's, or of this pass
	if k == 0 {
		return nil
	}
	// The rows asked for logits are now x's first k.
	final := s.final[:k*e]
	s.layerNorm(final, s.x[:k*e], m.lnfG, m.lnfB, k)
	logits := s.Logits[:k*c.VocabSize]
	s.mm.Mul(logits, final, m.out, nil, k)
	return nil
}

// findOutputRows notes the rows asked for logits (their indices in
// s.logRows, themselves in s.outRows) and returns how many there are.
func (s *State) findOutputRows(rows []Row) int {
	s.logRows, s.outRows = s.logRows[:0], s.outRows[:0]
	for i, r := range rows {
		if r.Logits {
			s.logRows = append(s.logRows, i)
			s.outRows = append(s.outRows, r)
		}
	}
	return len(s.logRows)
}

// keepOutputRows moves the residual stream and the queries of the rows
// asked for logits to the front of x and qkv, in order, and plans
// attention for them alone (their keys and values already cached). It
// returns their count.
func (s *State) keepOutputRows() int {
	e := s.m.Config.NEmbd
	for j, i := range s.logRows {
		copy(s.x[j*e:(j+1)*e], s.x[i*e:(i+1)*e])
		copy(s.qkv[j*3*e:j*3*e+e], s.qkv[i*3*e:i*3*e+e])
	}
	s.planAttention(s.outRows, true)
	return len(s.outRows)
}

// LogitsRow returns the logits of the i-th row asked for in the last Forward.
func (s *State) LogitsRow(i int) []float32 {
	v := s.m.Config.VocabSize
	return s.Logits[i*v : (i+1)*v]
}

func (s *State) embed(rows []Row, x []float32) {
	e := s.m.Config.NEmbd
	for i, r := range rows {
		xi := x[i*e : (i+1)*e]
		s.m.wte.Row(xi, r.Token)
		pos := s.m.wpe[r.Pos*e : (r.Pos+1)*e]
		for j := range xi {
			xi[j] += pos[j]
		}
	}
}

func (s *State) matmul(dst, x []float32, l linear, n int) {
	s.mm.Mul(dst, x, l.w, l.b, n)
}

// addResidual adds a sublayer's output y to the residual stream x, over
// the pool's threads. Axpy with α = 1 adds each value with one rounding,
// as x[i] += y[i] does (a scalar loop took 1.3 % of a 512-token prefill
// on one thread, and did not divide over two).
func (s *State) addResidual(x, y []float32) {
	j := &s.addJob
	j.x, j.y, j.f = x, y[:len(x)], s.m.kernels.Axpy
	s.m.pool.Run(len(x), 16384, j)
}

type addJob struct {
	x, y []float32
	f    func(y []float32, alpha float32, x []float32)
}

func (j *addJob) Run(_, lo, hi int) { j.f(j.x[lo:hi], 1, j.y[lo:hi]) }

// layerNorm normalises each of n rows of x into dst (which may be x):
// (x - mean) / sqrt(var + eps) · g + b, with biased variance as PyTorch.
func (s *State) layerNorm(dst, x, g, b []float32, n int) {
	j := &s.normJob
	j.dst, j.x, j.g, j.b, j.e, j.eps, j.f = dst, x, g, b, s.m.Config.NEmbd, s.m.Config.Eps, s.m.kernels.LayerNorm
	s.m.pool.Run(n, 8, j)
}

type normJob struct {
	dst, x, g, b []float32
	e            int
	eps          float32
	f            func(dst, x, g, b []float32, eps float32)
}

func (j *normJob) Run(_, lo, hi int) {
	e := j.e
	for r := lo; r < hi; r++ {
		j.f(j.dst[r*e:(r+1)*e], j.x[r*e:(r+1)*e], j.g, j.b, j.eps)
	}
}

func (s *State) gelu(x []float32) {
	j := &s.geluJob
	j.x, j.f = x, s.m.kernels.Gelu
	s.m.pool.Run(len(x), 16384, j) // one token's 3072 values are not worth a dispatch
}

type geluJob struct {
	x []float32
	f func([]float32)
}

func (j *geluJob) Run(_, lo, hi int) { j.f(j.x[lo:hi]) }
