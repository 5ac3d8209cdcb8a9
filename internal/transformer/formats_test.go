package transformer

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"gpt2/internal/checkpoint"
)

// The reference results from every storage path: the HF directory, GGUF
// f32 (exact: the fixture's weights are f16), llama.cpp's own f16 GGUF
// (exact), and bf16 and q8_0 GGUF within looser bounds, with how many
// greedy tokens still agree.
func TestFormatsAgreeWithReference(t *testing.T) {
	ref := loadReference(t)
	hf, err := checkpoint.LoadHF(tinyDir)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	paths := map[string]string{"hf": tinyDir, "f16 (llama.cpp)": filepath.Join(tinyDir, "tiny-gpt2.llamacpp.gguf")}
	for _, dt := range []checkpoint.DType{checkpoint.F32, checkpoint.BF16, checkpoint.Q8_0} {
		conv, _ := hf.Retyped(dt)
		p := filepath.Join(dir, dt.String()+".gguf")
		if err := conv.WriteFile(context.Background(), p, dt); err != nil {
			t.Fatal(err)
		}
		paths["gguf "+dt.String()] = p
	}
	// Bounds on |Δ logprob|: exact formats as the reference; bf16 keeps 8
	// bits of mantissa and q8_0 about 7, on weights of a model whose logits
	// have a spread of ~4.
	tolerance := map[string]float64{"hf": 1e-3, "gguf f32": 1e-3, "f16 (llama.cpp)": 1e-3, "gguf bf16": 0.25, "gguf q8_0": 0.25}
	for name, path := range paths {
		m := loadTinyModel(t, path, nil, 2)
		worst, agree, total := 0.0, 0, 0
		for _, p := range ref.Prompts {
			lps, err := m.Score(context.Background(), p.TokenIDs, 32)
			if err != nil {
				t.Fatal(err)
			}
			for i := range lps {
				worst = math.Max(worst, math.Abs(lps[i]-p.NextTokenLogprobs[i]))
			}
			res, err := m.Generate(context.Background(), []Request{greedyRequest(p.TokenIDs, p.Greedy.NNew)}, GenerateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for i := range p.Greedy.IDs {
				if res[0].Tokens[i] != p.Greedy.IDs[i] {
					break
				}
				agree++
			}
			total += len(p.Greedy.IDs)
			if tolerance[name] <= 1e-3 && !slices.Equal(res[0].Tokens, p.Greedy.IDs) {
				t.Errorf("%s %s: greedy differs", name, p.Name)
			}
		}
		t.Logf("%-16s max |Δ logprob| %.2g, greedy tokens agreeing (up to the first difference) %d/%d", name, worst, agree, total)
		if worst > tolerance[name] {
			t.Errorf("%s: |Δ logprob| %g beyond %g", name, worst, tolerance[name])
		}
	}
}
