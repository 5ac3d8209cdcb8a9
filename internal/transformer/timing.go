package transformer

import "time"

// Timing runs of the model for `gpt2 bench`, measured the way llama-bench
// measures: a prefill of n tokens from an empty cache (logits for the last
// only), and n decode steps one token at a time after a one-token prompt.

// Timer times runs of a model with one state, allocated once (as a server
// or llama-bench keeps its KV cache), so that runs measure computation and
// not fresh memory.
type Timer struct {
	m  *Model
	st *State
}

// NewTimer prepares runs of up to n positions.
func (m *Model) NewTimer(n int) *Timer {
	n = min(n, m.Config.NCtx)
	return &Timer{m: m, st: m.NewState(1, n, min(n, prefillChunk), 1)}
}

// TimePrefill returns the time of one prefill of n tokens.
func (tm *Timer) TimePrefill(n int) (time.Duration, error) {
	st := tm.st
	n = min(n, st.Capacity())
	rows := make([]Row, 0, st.MaxRows())
	start := time.Now()
	for lo := 0; lo < n; lo += st.MaxRows() {
		rows = rows[:0]
		for pos := lo; pos < min(lo+st.MaxRows(), n); pos++ {
			rows = append(rows, Row{Pos: pos, Token: benchToken(pos), Logits: pos == n-1})
		}
		if err := st.Forward(rows); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// TimeDecode returns the time of n greedy decode steps (forward pass and
// argmax of the logits) after a one-token prompt.
func (tm *Timer) TimeDecode(n int) (time.Duration, error) {
	st := tm.st
	n = min(n, st.Capacity()-1)
	row := []Row{{Pos: 0, Token: benchToken(0), Logits: true}}
	if err := st.Forward(row); err != nil {
		return 0, err
	}
	start := time.Now()
	for pos := 1; pos <= n; pos++ {
		row[0] = Row{Pos: pos, Token: argmax(st.LogitsRow(0)), Logits: true}
		if err := st.Forward(row); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// benchToken is a fixed, spread-out token sequence.
func benchToken(i int) int { return (i*7919 + 464) % 50257 }

// PrefillFlops is the floating-point work of a prefill of n tokens (as
// Forward does it, logits for the last only): the weight matrices for
// every token, except that past the last block's keys and values only the
// last token goes on; attention over the causal triangle in every block
// but the last, where only the last token attends; and the output layer
// for the last token.
func (m *Model) PrefillFlops(n int) float64 {
	c := m.Config
	e, nf := float64(c.NEmbd), float64(n)
	attn := 4*e*nf*(nf+1)/2*float64(c.NLayer-1) + 4*e*nf
	return nf*float64(m.FlopsPerToken()) - (nf-1)*float64(m.tailFlops()) + attn + 2*float64(c.VocabSize)*e
}

// DecodeCacheBytes is the mean number of bytes of key/value cache that
// attention reads in each of n decode steps after a one-token prompt (as
// TimeDecode runs them): at position p, every layer and head reads the keys
// of positions 0..p and its transposed values padded to the kernels'
// 16-position blocks. With the weights, these are the bytes a step must
// bring from memory. For GPT-2 small they are 5.1 MB at tg128 (2 % of the
// f16 weights) and 74 MB at position 1000 (30 % of f16's, 56 % of q8_0's).
func (m *Model) DecodeCacheBytes(n int) float64 {
	c := m.Config
	n = min(n, c.NCtx-1)
	if n < 1 {
		return 0
	}
	var sum float64
	for p := 1; p <= n; p++ {
		keys := p + 1
		padded := (keys + 15) &^ 15
		sum += float64(keys + padded)
	}
	perPos := 4 * float64(c.NLayer*c.NEmbd) // one position's keys or values, all layers and heads
	return perPos * sum / float64(n)
}
