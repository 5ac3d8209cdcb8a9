package transformer

import (
	"math"
	"slices"
)

// SamplingParams choose how the next token is picked from the logits.
// Zero values of the filters mean "off" except where noted.
type SamplingParams struct {
	Temperature       float64 // 0 = greedy argmax
	TopK              int     // 0 = off
	TopP              float64 // 1 (or 0) = off
	MinP              float64 // 0 = off
	TypicalP          float64 // 1 (or 0) = off
	RepetitionPenalty float64 // 1 (or 0) = off; Hugging Face semantics
	PresencePenalty   float64 // 0 = off; OpenAI semantics
	FrequencyPenalty  float64 // 0 = off; OpenAI semantics
}

// Sampler picks tokens for one sequence. It keeps the counts the penalties
// need and scratch the size of the vocabulary, so that sampling allocates
// nothing per token.
type Sampler struct {
	p   SamplingParams
	rng *RNG

	seen    []bool  // token in the prompt or generated: repetition penalty
	counts  []int32 // times generated: presence and frequency penalties
	touched []int32 // ids with seen or counts set

	work  []float32
	cand  []cand
	probs []float64
	typ   []surprise // typical-p scratch
}

// surprise is a candidate's distance from the entropy, for typical-p.
type surprise struct {
	shift float64
	i     int
}

type cand struct {
	id    int32
	logit float32
}

// NewSampler returns a sampler over a vocabulary of vocab tokens.
func NewSampler(p SamplingParams, vocab int, rng *RNG) *Sampler {
	return &Sampler{
		p: p, rng: rng,
		seen: make([]bool, vocab), counts: make([]int32, vocab),
		work: make([]float32, vocab), cand: make([]cand, 0, vocab), probs: make([]float64, 0, vocab),
	}
}

// Reset forgets the penalty history and takes new parameters and a new
// random stream.
func (s *Sampler) Reset(p SamplingParams, rng *RNG) {
	for _, id := range s.touched {
		s.seen[id], s.counts[id] = false, 0
	}
	s.touched = s.touched[:0]
	s.p, s.rng = p, rng
}

// Context records prompt tokens (the repetition penalty covers them).
func (s *Sampler) Context(ids []int) {
	for _, id := range ids {
		if !s.seen[id] {
			s.seen[id] = true
			s.touched = append(s.touched, int32(id))
		}
	}
}

// Accept records a generated token.
func (s *Sampler) Accept(id int) {
	if !s.seen[id] {
		s.seen[id] = true
		s.touched = append(s.touched, int32(id))
	}
	s.counts[id]++
}

// Sample picks the next token from logits (which are not modified).
func (s *Sampler) Sample(logits []float32) int {
	w := s.penalized(logits)
	if s.p.Temperature <= 0 {
		return argmax(w)
	}
	s.filter(w)
	u := s.rng.Float64()
	var cum float64
	for i, p := range s.probs {
		cum += p
		if u < cum {
			return int(s.cand[i].id)
		}
	}
	return int(s.cand[len(s.cand)-1].id) // rounding left u past the end
}

// Filter returns the candidates that survive the filters, most probable
// first, and their renormalised probabilities (valid until the next call).
func (s *Sampler) Filter(logits []float32) ([]int32, []float64) {
	s.filter(s.penalized(logits))
	ids := make([]int32, len(s.cand))
	for i, c := range s.cand {
		ids[i] = c.id
	}
	return ids, s.probs
}

// penalized copies logits into the work buffer with the penalties applied:
// the repetition penalty divides positive logits and multiplies negative
// ones by R for every token seen (Hugging Face); the presence and frequency
// penalties subtract P·[count>0] + F·count for generated tokens (OpenAI).
func (s *Sampler) penalized(logits []float32) []float32 {
	w := s.work[:len(logits)]
	copy(w, logits)
	r := s.p.RepetitionPenalty
	for _, id := range s.touched {
		v := w[id]
		if r > 0 && r != 1 && s.seen[id] {
			if v < 0 {
				v = float32(float64(v) * r)
			} else {
				v = float32(float64(v) / r)
			}
		}
		if c := s.counts[id]; c > 0 {
			v -= float32(s.p.PresencePenalty + s.p.FrequencyPenalty*float64(c))
		}
		w[id] = v
	}
	return w
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// filter leaves in s.cand (most probable first) and s.probs the tokens that
// survive temperature, top-k, top-p, min-p and typical-p, in that order,
// as Hugging Face's warpers apply them.
func (s *Sampler) filter(w []float32) {
	p := s.p
	invT := float32(1 / p.Temperature)
	if p.Temperature <= 0 {
		invT = 1
	}
	s.cand = s.cand[:0]
	if p.TopK > 0 && p.TopK < len(w) {
		s.topK(w, p.TopK, invT)
	} else {
		for i, v := range w {
			s.cand = append(s.cand, cand{int32(i), v * invT})
		}
		sortCands(s.cand)
	}
	s.softmax()
	if p.TopP > 0 && p.TopP < 1 {
		cum := 0.0
		keep := len(s.cand)
		for i, pr := range s.probs {
			cum += pr
			if cum >= p.TopP {
				keep = i + 1
				break
			}
		}
		s.truncate(keep)
	}
	if p.MinP > 0 {
		limit := p.MinP * s.probs[0]
		keep := 1
		for keep < len(s.probs) && s.probs[keep] >= limit {
			keep++
		}
		s.truncate(keep)
	}
	if p.TypicalP > 0 && p.TypicalP < 1 {
		s.typical(p.TypicalP)
	}
}

// topK keeps the candidates whose logit is at least the k-th largest
// (ties at the boundary are all kept, as torch.topk-based masking does).
func (s *Sampler) topK(w []float32, k int, invT float32) {
	// A min-heap of the k largest seen so far.
	h := s.cand[:0]
	for i, v := range w {
		c := cand{int32(i), v * invT}
		if len(h) < k {
			h = append(h, c)
			for j := len(h) - 1; j > 0; {
				parent := (j - 1) / 2
				if !less(h[j], h[parent]) {
					break
				}
				h[j], h[parent] = h[parent], h[j]
				j = parent
			}
			continue
		}
		if !less(h[0], c) {
			continue
		}
		h[0] = c
		for j := 0; ; {
			l, r, m := 2*j+1, 2*j+2, j
			if l < k && less(h[l], h[m]) {
				m = l
			}
			if r < k && less(h[r], h[m]) {
				m = r
			}
			if m == j {
				break
			}
			h[j], h[m] = h[m], h[j]
			j = m
		}
	}
	kth := h[0].logit
	for i, v := range w {
		if x := v * invT; x == kth && !inHeap(h, int32(i)) {
			h = append(h, cand{int32(i), x}) // a tie with the k-th
		}
	}
	s.cand = h
	sortCands(s.cand)
}

func inHeap(h []cand, id int32) bool {
	for _, c := range h {
		if c.id == id {
			return true
		}
	}
	return false
}

// less orders candidates from least to most probable; among equal logits
// the higher id counts as less probable, so the order is total.
func less(a, b cand) bool { return a.logit < b.logit || (a.logit == b.logit && a.id > b.id) }

// sortCands orders candidates most probable first.
func sortCands(c []cand) {
	slices.SortFunc(c, func(a, b cand) int {
		switch {
		case less(b, a):
			return -1
		case less(a, b):
			return 1
		}
		return 0
	})
}

// softmax fills s.probs from s.cand (sorted, so the first is the largest).
func (s *Sampler) softmax() {
	s.probs = s.probs[:len(s.cand)]
	if len(s.cand) == 0 {
		return
	}
	mx := float64(s.cand[0].logit)
	var sum float64
	for i, c := range s.cand {
		e := math.Exp(float64(c.logit) - mx)
		s.probs[i] = e
		sum += e
	}
	for i := range s.probs {
		s.probs[i] /= sum
	}
}

func (s *Sampler) truncate(keep int) {
	keep = max(1, min(keep, len(s.cand)))
	s.cand = s.cand[:keep]
	s.probs = s.probs[:keep]
	var sum float64
	for _, p := range s.probs {
		sum += p
	}
	for i := range s.probs {
		s.probs[i] /= sum
	}
}

// typical keeps the tokens whose surprise is closest to the entropy, until
// their probability reaches mass (Meister et al.; Hugging Face's warper).
func (s *Sampler) typical(mass float64) {
	var ent float64
	for _, p := range s.probs {
		if p > 0 {
			ent -= p * math.Log(p)
		}
	}
	n := len(s.cand)
	order := s.typ[:0]
	for i, p := range s.probs {
		order = append(order, surprise{math.Abs(-math.Log(p) - ent), i})
	}
	s.typ = order
	slices.SortStableFunc(order, func(a, b surprise) int {
		switch {
		case a.shift < b.shift:
			return -1
		case a.shift > b.shift:
			return 1
		}
		return 0
	})
	cum, last := 0.0, 0
	for k, o := range order {
		cum += s.probs[o.i]
		if cum < mass {
			last = k + 1
		}
	}
	last = min(last, n-1)
	limit := order[last].shift
	kept := s.cand[:0]
	keptP := s.probs[:0]
	for i := 0; i < n; i++ {
		if math.Abs(-math.Log(s.probs[i])-ent) <= limit {
			kept = append(kept, s.cand[i])
			keptP = append(keptP, s.probs[i])
		}
	}
	s.cand, s.probs = kept, keptP
	s.truncate(len(s.cand))
}
