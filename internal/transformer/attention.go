package transformer

import "math"

// attention writes each row's key and value into its sequence's cache,
// then computes, per row and head, softmax(q·Kᵀ/√d) over positions
// 0..Pos (the causal mask) and the weighted sum of the values into s.att.
func (s *State) attention(rows []Row, layer int) {
	c := s.m.Config
	e, d := c.NEmbd, c.HeadDim()
	for i, r := range rows {
		qkv := s.qkv[i*3*e : (i+1)*3*e]
		for h := 0; h < c.NHead; h++ {
			off := s.kvOffset(r.Seq, layer, h, r.Pos)
			copy(s.k[off:off+d], qkv[e+h*d:e+(h+1)*d])
			copy(s.v[off:off+d], qkv[2*e+h*d:2*e+(h+1)*d])
		}
	}
	j := &s.attJob
	j.rows, j.layer = rows, layer
	s.m.pool.Run(len(rows)*c.NHead, 1, j)
	j.rows = nil
}

type attentionJob struct {
	s      *State
	rows   []Row
	layer  int
	scale  float32
	scores [][]float32 // per worker, capacity long
}

func (j *attentionJob) init(s *State) {
	j.s = s
	j.scale = float32(1 / math.Sqrt(float64(s.m.Config.HeadDim())))
	for w := 0; w < s.m.pool.Threads(); w++ {
		j.scores = append(j.scores, make([]float32, s.capacity))
	}
}

// Run handles (row, head) pairs [lo, hi).
func (j *attentionJob) Run(worker, lo, hi int) {
	s := j.s
	c := s.m.Config
	e, d, nh := c.NEmbd, c.HeadDim(), c.NHead
	kern := s.m.kernels
	for p := lo; p < hi; p++ {
		i, h := p/nh, p%nh
		r := j.rows[i]
		q := s.qkv[i*3*e+h*d : i*3*e+(h+1)*d]
		base := s.kvOffset(r.Seq, j.layer, h, 0)
		n := r.Pos + 1
		scores := j.scores[worker][:n]
		keys := s.k[base : base+n*d]
		for t := 0; t < n; t++ {
			scores[t] = kern.DotF32(q, keys[t*d:(t+1)*d]) * j.scale
		}
		kern.Softmax(scores)
		out := s.att[i*e+h*d : i*e+(h+1)*d]
		clear(out)
		vals := s.v[base : base+n*d]
		for t := 0; t < n; t++ {
			kern.Axpy(out, scores[t], vals[t*d:(t+1)*d])
		}
	}
}
