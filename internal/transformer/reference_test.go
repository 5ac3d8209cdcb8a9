package transformer

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"gpt2/internal/checkpoint"
	"gpt2/internal/kernels"
)

const tinyDir = "../../testdata/tiny-gpt2"

type refPrompt struct {
	Name       string `json:"name"`
	Text       string `json:"text"`
	TokenIDs   []int  `json:"token_ids"`
	LastLogits struct {
		TopIDs         []int     `json:"top_ids"`
		TopLogits      []float64 `json:"top_logits"`
		Logsumexp      float64   `json:"logsumexp"`
		FixedIDsLogits []float64 `json:"fixed_ids_logits"`
		Mean, Std      float64
	} `json:"last_logits"`
	NextTokenLogprobs []float64 `json:"next_token_logprobs"`
	TotalLogprob      *float64  `json:"total_logprob"`
	Perplexity        *float64  `json:"perplexity"`
	WithBOS           struct {
		NextTokenLogprobs []float64 `json:"next_token_logprobs"`
		TotalLogprob      float64   `json:"total_logprob"`
		Perplexity        float64   `json:"perplexity"`
	} `json:"with_bos"`
	Greedy struct {
		NNew         int       `json:"n_new"`
		IDs          []int     `json:"ids"`
		Text         string    `json:"text"`
		BytesHex     string    `json:"bytes_hex"`
		StepLogprob  []float64 `json:"step_logprob"`
		StepTopLogit []float64 `json:"step_top1_logit"`
	} `json:"greedy"`
}

type reference struct {
	FixedIDs       []int       `json:"fixed_ids"`
	Prompts        []refPrompt `json:"prompts"`
	SamplingFilter struct {
		Prompt      string    `json:"prompt"`
		Temperature float64   `json:"temperature"`
		TopK        int       `json:"top_k"`
		TopP        float64   `json:"top_p"`
		TopKIDs     []int     `json:"top_k_ids"`
		AllowedIDs  []int     `json:"allowed_ids"`
		Probs       []float64 `json:"probs"`
	} `json:"sampling_filter"`
}

func loadReference(t testing.TB) *reference {
	t.Helper()
	b, err := os.ReadFile(tinyDir + "/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func loadTinyModel(t testing.TB, path string, v *kernels.Variant, threads int) *Model {
	t.Helper()
	ck, err := checkpoint.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(ck, Options{Threads: threads, Kernels: v})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); ck.Close() })
	return m
}

func logSoftmax(logits []float32) (lse float64) {
	mx := math.Inf(-1)
	for _, v := range logits {
		mx = math.Max(mx, float64(v))
	}
	var s float64
	for _, v := range logits {
		s += math.Exp(float64(v) - mx)
	}
	return mx + math.Log(s)
}

// TestForwardMatchesReference runs every reference prompt through one full
// prefill and compares last-position logits and every next-token logprob.
func TestForwardMatchesReference(t *testing.T) {
	ref := loadReference(t)
	m := loadTinyModel(t, tinyDir, nil, 2)
	worst := 0.0
	for _, p := range ref.Prompts {
		n := len(p.TokenIDs)
		st := m.NewState(1, n, n, n)
		rows := make([]Row, n)
		for i, id := range p.TokenIDs {
			rows[i] = Row{Seq: 0, Pos: i, Token: id, Logits: true}
		}
		if err := st.Forward(rows); err != nil {
			t.Fatal(err)
		}
		last := st.LogitsRow(n - 1)
		for i, id := range p.LastLogits.TopIDs {
			d := math.Abs(float64(last[id]) - p.LastLogits.TopLogits[i])
			worst = math.Max(worst, d)
			if d > 1e-3 {
				t.Errorf("%s: logit[%d] = %v, want %v", p.Name, id, last[id], p.LastLogits.TopLogits[i])
			}
		}
		for i, id := range ref.FixedIDs {
			if d := math.Abs(float64(last[id]) - p.LastLogits.FixedIDsLogits[i]); d > 1e-3 {
				t.Errorf("%s: fixed logit[%d] = %v, want %v", p.Name, id, last[id], p.LastLogits.FixedIDsLogits[i])
			}
		}
		if d := math.Abs(logSoftmax(last) - p.LastLogits.Logsumexp); d > 1e-3 {
			t.Errorf("%s: logsumexp off by %g", p.Name, d)
		}
		for i := 0; i+1 < n; i++ {
			row := st.LogitsRow(i)
			lp := float64(row[p.TokenIDs[i+1]]) - logSoftmax(row)
			d := math.Abs(lp - p.NextTokenLogprobs[i])
			worst = math.Max(worst, d)
			if d > 1e-3 {
				t.Errorf("%s: logprob[%d] = %v, want %v", p.Name, i, lp, p.NextTokenLogprobs[i])
			}
		}
	}
	t.Logf("largest difference from the float64 reference: %.2g", worst)
}
