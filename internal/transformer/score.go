package transformer

import (
	"context"
	"fmt"
)

// Score returns, for i = 0..len(tokens)-2, the natural-log probability of
// tokens[i+1] given tokens[:i+1]. Texts longer than the window are scored
// in windows of the model's context that move by stride tokens, each
// window scoring only the tokens the previous ones did not, with as much
// context before them as fits (Hugging Face's perplexity recipe). A stride
// of the whole window or more acts as window-1.
func (m *Model) Score(ctx context.Context, tokens []int, stride int) ([]float64, error) {
	window := m.Config.NCtx
	if stride <= 0 {
		return nil, fmt.Errorf("stride %d is not positive", stride)
	}
	// Windows overlap by at least one token, so that the first token of a
	// window has context and every token is scored.
	stride = min(stride, window-1)
	out := make([]float64, 0, max(len(tokens)-1, 0))
	if len(tokens) < 2 {
		return out, nil
	}
	const chunk = 128
	st := m.NewState(1, min(window, len(tokens)), chunk, chunk)
	rows := make([]Row, 0, chunk)
	prevEnd := 0
	for begin := 0; ; begin += stride {
		end := min(begin+window, len(tokens))
		// Positions whose next token is scored in this window.
		firstScored := max(prevEnd, begin+1) - 1
		for lo := begin; lo < end; lo += chunk {
			rows = rows[:0]
			for pos := lo; pos < min(lo+chunk, end); pos++ {
				scored := pos >= firstScored && pos+1 < end
				rows = append(rows, Row{Seq: 0, Pos: pos - begin, Token: tokens[pos], Logits: scored})
			}
			if err := st.Forward(rows); err != nil {
				return nil, err
			}
			j := 0
			for _, r := range rows {
				if !r.Logits {
					continue
				}
				lg := st.LogitsRow(j)
				j++
				next := tokens[begin+r.Pos+1]
				out = append(out, float64(lg[next])-LogSumExp(lg))
			}
			if err := ctx.Err(); err != nil {
				return out, err
			}
		}
		prevEnd = end
		if end == len(tokens) {
			return out, nil
		}
	}
}
