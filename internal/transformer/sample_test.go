package transformer

import (
	"math"
	"testing"
)

func probsLogits(ps ...float64) []float32 {
	out := make([]float32, len(ps))
	for i, p := range ps {
		out[i] = float32(math.Log(p))
	}
	return out
}

func checkFilter(t *testing.T, name string, p SamplingParams, logits []float32, ids []int32, probs []float64) {
	t.Helper()
	s := NewSampler(p, len(logits), NewRNG(1, 0))
	gotIDs, gotP := s.Filter(logits)
	if len(gotIDs) != len(ids) {
		t.Fatalf("%s: kept %v, want %v", name, gotIDs, ids)
	}
	for i := range ids {
		if gotIDs[i] != ids[i] || math.Abs(gotP[i]-probs[i]) > 1e-6 {
			t.Fatalf("%s: kept %v %v, want %v %v", name, gotIDs, gotP, ids, probs)
		}
	}
}

// Each filter on a distribution worked out by hand: p = .5, .3, .15, .05.
func TestSamplingFilters(t *testing.T) {
	l := probsLogits(0.5, 0.3, 0.15, 0.05)
	checkFilter(t, "none", SamplingParams{Temperature: 1}, l, []int32{0, 1, 2, 3}, []float64{0.5, 0.3, 0.15, 0.05})
	checkFilter(t, "top-k 2", SamplingParams{Temperature: 1, TopK: 2}, l, []int32{0, 1}, []float64{0.625, 0.375})
	// top-p 0.8: 0.5+0.3 reaches 0.8 exactly; a hair more needs the third
	checkFilter(t, "top-p .79", SamplingParams{Temperature: 1, TopP: 0.79}, l, []int32{0, 1}, []float64{0.625, 0.375})
	checkFilter(t, "top-p .81", SamplingParams{Temperature: 1, TopP: 0.81}, l, []int32{0, 1, 2}, []float64{0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95})
	// min-p 0.2: keep p >= 0.1
	checkFilter(t, "min-p .2", SamplingParams{Temperature: 1, MinP: 0.2}, l, []int32{0, 1, 2}, []float64{0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95})
	// typical 0.5: entropy 1.1422; |−ln p − H| = .449, .062, .755, 1.854;
	// by that order the mass passes 0.5 at the second: keep {.3, .5}
	checkFilter(t, "typical .5", SamplingParams{Temperature: 1, TypicalP: 0.5}, l, []int32{0, 1}, []float64{0.625, 0.375})
	// temperature 0.5 squares the probabilities (then renormalises)
	sq := []float64{0.25, 0.09, 0.0225, 0.0025}
	tot := sq[0] + sq[1] + sq[2] + sq[3]
	checkFilter(t, "temperature .5", SamplingParams{Temperature: 0.5}, l, []int32{0, 1, 2, 3}, []float64{sq[0] / tot, sq[1] / tot, sq[2] / tot, sq[3] / tot})
	// ties at the k-th logit are all kept
	checkFilter(t, "top-k ties", SamplingParams{Temperature: 1, TopK: 1}, probsLogits(0.4, 0.4, 0.2), []int32{0, 1}, []float64{0.5, 0.5})
}

func TestPenalties(t *testing.T) {
	l := probsLogits(0.5, 0.3, 0.15, 0.05)
	// repetition 2 on token 0 (a negative logit: multiplied) and 2 (also negative)
	s := NewSampler(SamplingParams{Temperature: 1, RepetitionPenalty: 2}, 4, NewRNG(1, 0))
	s.Context([]int{0, 2})
	w := s.penalized(l)
	if w[0] != l[0]*2 || w[1] != l[1] || w[2] != l[2]*2 {
		t.Fatalf("repetition: %v from %v", w, l)
	}
	pos := []float32{2, 1}
	s = NewSampler(SamplingParams{Temperature: 1, RepetitionPenalty: 2}, 2, NewRNG(1, 0))
	s.Context([]int{0})
	if w := s.penalized(pos); w[0] != 1 || w[1] != 1 {
		t.Fatalf("repetition of a positive logit divides: %v", w)
	}
	// presence 0.5 and frequency 0.25 count generated tokens only
	s = NewSampler(SamplingParams{Temperature: 1, PresencePenalty: 0.5, FrequencyPenalty: 0.25}, 4, NewRNG(1, 0))
	s.Context([]int{3})
	s.Accept(1)
	s.Accept(1)
	w = s.penalized(l)
	if w[3] != l[3] || math.Abs(float64(w[1]-(l[1]-0.5-0.5))) > 1e-6 {
		t.Fatalf("presence/frequency: %v from %v", w, l)
	}
	// greedy takes the penalised argmax
	s = NewSampler(SamplingParams{RepetitionPenalty: 10}, 4, NewRNG(1, 0))
	s.Context([]int{0})
	if got := s.Sample(l); got != 1 {
		t.Fatalf("greedy after penalty picked %d", got)
	}
}

// Sampling follows the probabilities: 20,000 draws land within a few
// standard deviations of p.
func TestSampleDistribution(t *testing.T) {
	l := probsLogits(0.5, 0.3, 0.15, 0.05)
	s := NewSampler(SamplingParams{Temperature: 1}, 4, NewRNG(7, 0))
	var counts [4]int
	const n = 20000
	for i := 0; i < n; i++ {
		counts[s.Sample(l)]++
	}
	for i, p := range []float64{0.5, 0.3, 0.15, 0.05} {
		sd := math.Sqrt(p * (1 - p) / n)
		if got := float64(counts[i]) / n; math.Abs(got-p) > 5*sd {
			t.Fatalf("token %d drawn %.4f of the time, p = %v", i, got, p)
		}
	}
}
