package transformer

import (
	"context"
	"encoding/hex"
	"fmt"
	"gpt2/internal/checkpoint"
	"math"
	"slices"
	"testing"

	"gpt2/internal/kernels"
	"gpt2/internal/tokenizer"
)

func greedyRequest(prompt []int, n int) Request {
	return Request{Prompt: prompt, MaxTokens: n, IgnoreEOS: true, Logprobs: 1}
}

// Greedy continuations are the reference's, token for token and byte for
// byte, and their logprobs agree.
func TestGreedyMatchesReference(t *testing.T) {
	ref := loadReference(t)
	for _, v := range kernels.Variants() {
		t.Run(v.Name, func(t *testing.T) {
			m := loadTinyModel(t, tinyDir, v, 2)
			for _, p := range ref.Prompts {
				res, err := m.Generate(context.Background(), []Request{greedyRequest(p.TokenIDs, p.Greedy.NNew)}, GenerateOptions{})
				if err != nil {
					t.Fatal(err)
				}
				r := res[0]
				if !slices.Equal(r.Tokens, p.Greedy.IDs) {
					t.Fatalf("%s: greedy %v, want %v", p.Name, r.Tokens, p.Greedy.IDs)
				}
				if hex.EncodeToString(r.Text) != p.Greedy.BytesHex {
					t.Fatalf("%s: bytes differ", p.Name)
				}
				for i, lp := range r.Logprobs {
					if math.Abs(lp.Logprob-p.Greedy.StepLogprob[i]) > 1e-3 {
						t.Fatalf("%s step %d: logprob %v, want %v", p.Name, i, lp.Logprob, p.Greedy.StepLogprob[i])
					}
				}
			}
		})
	}
}

// Decoding with the KV cache gives the logits of a full recomputation.
func TestKVCacheEqualsRecompute(t *testing.T) {
	ref := loadReference(t)
	m := loadTinyModel(t, tinyDir, nil, 2)
	p := ref.Prompts[0]
	seq := append(append([]int{}, p.TokenIDs...), p.Greedy.IDs...)
	rows := make([]Row, len(seq))
	for i, id := range seq {
		rows[i] = Row{Pos: i, Token: id}
	}
	worst := decodeVsRecompute(t, m, rows, len(p.TokenIDs))
	if worst > 1e-4 {
		t.Fatalf("cached decode differs from recomputation by %g", worst)
	}
	t.Logf("cached decode vs recomputation: max |Δlogit| %.2g", worst)
}

// A prompt's greedy output is the same alone as in a batch of prompts of
// other lengths.
func TestBatchEqualsAlone(t *testing.T) {
	ref := loadReference(t)
	m := loadTinyModel(t, tinyDir, nil, 2)
	var reqs []Request
	for _, p := range ref.Prompts {
		reqs = append(reqs, greedyRequest(p.TokenIDs, p.Greedy.NNew))
	}
	for _, bs := range []int{2, 3, 6} {
		res, err := m.Generate(context.Background(), reqs, GenerateOptions{BatchSize: bs})
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range ref.Prompts {
			if !slices.Equal(res[i].Tokens, p.Greedy.IDs) {
				t.Fatalf("batch size %d, %s: %v, want %v", bs, p.Name, res[i].Tokens, p.Greedy.IDs)
			}
		}
	}
}

func TestSamplingFilterMatchesReference(t *testing.T) {
	ref := loadReference(t)
	m := loadTinyModel(t, tinyDir, nil, 1)
	sf := ref.SamplingFilter
	var prompt []int
	for _, p := range ref.Prompts {
		if p.Name == sf.Prompt {
			prompt = p.TokenIDs
		}
	}
	st := m.NewState(1, len(prompt), len(prompt), 1)
	rows := make([]Row, len(prompt))
	for i, id := range prompt {
		rows[i] = Row{Pos: i, Token: id, Logits: i == len(prompt)-1}
	}
	if err := st.Forward(rows); err != nil {
		t.Fatal(err)
	}
	s := NewSampler(SamplingParams{Temperature: sf.Temperature, TopK: sf.TopK, TopP: sf.TopP}, m.Config.VocabSize, NewRNG(1, 0))
	ids, probs := s.Filter(st.LogitsRow(0))
	if len(ids) != len(sf.AllowedIDs) {
		t.Fatalf("%d allowed, want %d", len(ids), len(sf.AllowedIDs))
	}
	for i := range ids {
		if int(ids[i]) != sf.AllowedIDs[i] || math.Abs(probs[i]-sf.Probs[i]) > 1e-4 {
			t.Fatalf("[%d]: id %d p %v, want id %d p %v", i, ids[i], probs[i], sf.AllowedIDs[i], sf.Probs[i])
		}
	}
	// top-k alone keeps the reference's 40
	s = NewSampler(SamplingParams{Temperature: sf.Temperature, TopK: sf.TopK}, m.Config.VocabSize, NewRNG(1, 0))
	ids, _ = s.Filter(st.LogitsRow(0))
	for i := range ids {
		if int(ids[i]) != sf.TopKIDs[i] {
			t.Fatalf("top-k [%d] = %d, want %d", i, ids[i], sf.TopKIDs[i])
		}
	}
}

func sampleRequest(prompt []int, seed uint64) Request {
	return Request{Prompt: prompt, MaxTokens: 30, Seed: seed, IgnoreEOS: true,
		Sampling: SamplingParams{Temperature: 0.9, TopK: 40, TopP: 0.95, RepetitionPenalty: 1.1, PresencePenalty: 0.2, FrequencyPenalty: 0.1}}
}

// The same seed gives the same tokens at 1 and 2 threads; other seeds and
// other streams differ.
func TestSeedDeterminism(t *testing.T) {
	ref := loadReference(t)
	prompt := ref.Prompts[0].TokenIDs
	var outs [][]int
	for _, threads := range []int{1, 2} {
		m := loadTinyModel(t, tinyDir, nil, threads)
		res, err := m.Generate(context.Background(), []Request{sampleRequest(prompt, 42), sampleRequest(prompt, 43)}, GenerateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, res[0].Tokens, res[1].Tokens)
	}
	if !slices.Equal(outs[0], outs[2]) || !slices.Equal(outs[1], outs[3]) {
		t.Fatalf("threads change the samples:\n%v\n%v", outs[0], outs[2])
	}
	if slices.Equal(outs[0], outs[1]) {
		t.Fatal("seeds 42 and 43 gave the same sample")
	}
}

// The window shift lets generation run past the context: 100 tokens on a
// 64-position model.
func TestGeneratePastWindow(t *testing.T) {
	ref := loadReference(t)
	m := loadTinyModel(t, tinyDir, nil, 2)
	for _, p := range []refPrompt{ref.Prompts[0], ref.Prompts[5]} {
		res, err := m.Generate(context.Background(), []Request{greedyRequest(p.TokenIDs, 100)}, GenerateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res[0].Tokens) != 100 || res[0].Finish != FinishLength {
			t.Fatalf("%s: %d tokens, %s", p.Name, len(res[0].Tokens), res[0].Finish)
		}
		// until the window fills, the tokens are the reference's
		if n := min(20, 64-len(p.TokenIDs)); !slices.Equal(res[0].Tokens[:n], p.Greedy.IDs[:n]) {
			t.Fatalf("%s: first tokens differ", p.Name)
		}
	}
}

func TestStopStrings(t *testing.T) {
	ref := loadReference(t)
	m := loadTinyModel(t, tinyDir, nil, 1)
	p := ref.Prompts[0]
	full, _ := m.Generate(context.Background(), []Request{greedyRequest(p.TokenIDs, 20)}, GenerateOptions{})
	text := full[0].Text
	// a stop string that spans the boundary between the 3rd and 4th tokens
	t3, _ := m.Tok.Decode(full[0].Tokens[:3])
	t4, _ := m.Tok.Decode(full[0].Tokens[:4])
	stop := string(text[len(t3)-2 : len(t4)])
	req := greedyRequest(p.TokenIDs, 20)
	req.Stops = []string{"never there", stop}
	var streamed []byte
	res, err := m.Generate(context.Background(), []Request{req}, GenerateOptions{OnText: func(_ int, b []byte) { streamed = append(streamed, b...) }})
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if r.Finish != FinishStop || string(r.Text) != string(text[:len(t3)-2]) || len(r.Tokens) != 4 {
		t.Fatalf("finish %s text %q tokens %d; want stop at %q", r.Finish, r.Text, len(r.Tokens), text[:len(t3)-2])
	}
	if string(streamed) != string(r.Text) {
		t.Fatalf("streamed %q, result %q", streamed, r.Text)
	}
}

func TestStreamingHoldsBack(t *testing.T) {
	for _, c := range []struct {
		text  string
		stops []string
		hold  int
	}{
		{"hello wor", []string{"world"}, 3},
		{"hello", []string{"lo!"}, 2},
		{"abc", []string{"x"}, 0},
		{"a\n\n", []string{"\n\n\n"}, 2},
	} {
		if h := stopHoldback([]byte(c.text), c.stops); h != c.hold {
			t.Errorf("%q %q: hold %d, want %d", c.text, c.stops, h, c.hold)
		}
	}
	if n := tokenizer.CompleteUTF8([]byte("ab\xf0\x9f\x98")); n != 2 {
		t.Fatalf("incomplete emoji: %d", n)
	}
}

func TestScoreMatchesReference(t *testing.T) {
	ref := loadReference(t)
	m := loadTinyModel(t, tinyDir, nil, 2)
	for _, p := range ref.Prompts {
		lps, err := m.Score(context.Background(), p.TokenIDs, 32)
		if err != nil {
			t.Fatal(err)
		}
		if len(lps) != len(p.NextTokenLogprobs) {
			t.Fatalf("%s: %d logprobs, want %d", p.Name, len(lps), len(p.NextTokenLogprobs))
		}
		for i := range lps {
			if math.Abs(lps[i]-p.NextTokenLogprobs[i]) > 1e-3 {
				t.Fatalf("%s [%d]: %v want %v", p.Name, i, lps[i], p.NextTokenLogprobs[i])
			}
		}
		withBOS, _ := m.Score(context.Background(), append([]int{50256}, p.TokenIDs...), 32)
		for i := range withBOS {
			if math.Abs(withBOS[i]-p.WithBOS.NextTokenLogprobs[i]) > 1e-3 {
				t.Fatalf("%s with bos [%d]: %v want %v", p.Name, i, withBOS[i], p.WithBOS.NextTokenLogprobs[i])
			}
		}
	}
}

// A text longer than the window is scored window by window as in Hugging
// Face's perplexity recipe; each logprob equals a direct forward pass over
// the context that recipe gives it.
func TestScoreStrided(t *testing.T) {
	ref := loadReference(t)
	m := loadTinyModel(t, tinyDir, nil, 2)
	var toks []int
	for _, p := range ref.Prompts {
		toks = append(toks, p.TokenIDs...)
	}
	toks = append(toks, toks...) // ~260 tokens, 4 windows of 64
	window := m.Config.NCtx
	strides := []int{16, 32, 63}
	if testing.Short() {
		// Under qemu (scripts/test-arm64.sh) the three took two minutes;
		// the arithmetic is TestScoreMatchesReference's, the windows'
		// bookkeeping is the same for any stride.
		strides = []int{16}
	}
	for _, stride := range strides {
		got, err := m.Score(context.Background(), toks, stride)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(toks)-1 {
			t.Fatalf("stride %d: %d logprobs for %d tokens", stride, len(got), len(toks))
		}
		// the recipe: windows [b, min(b+W, n)) for b = 0, s, 2s, ...; each
		// scores the tokens after the previous window's end
		prevEnd := 0
		for b := 0; ; b += stride {
			end := min(b+window, len(toks))
			st := m.NewState(1, end-b, end-b, end-b)
			rows := make([]Row, end-b)
			for i := range rows {
				rows[i] = Row{Pos: i, Token: toks[b+i], Logits: true}
			}
			st.Forward(rows)
			for j := max(prevEnd, 1); j < end; j++ {
				lg := st.LogitsRow(j - 1 - b)
				want := float64(lg[toks[j]]) - LogSumExp(lg)
				if math.Abs(got[j-1]-want) > 1e-5 {
					t.Fatalf("stride %d token %d: %v want %v", stride, j, got[j-1], want)
				}
			}
			prevEnd = end
			if end == len(toks) {
				break
			}
		}
	}
	// a stride of the whole window (or more) is window-1
	a, _ := m.Score(context.Background(), toks, 63)
	for _, s := range []int{64, 1000} {
		b, _ := m.Score(context.Background(), toks, s)
		if !slices.Equal(a, b) {
			t.Fatalf("stride %d differs from 63", s)
		}
	}
}

// No allocation per decoded token.
func TestDecodeAllocatesNothing(t *testing.T) {
	m := loadTinyModel(t, tinyDir, nil, 2)
	st := m.NewState(2, 64, 64, 2)
	rows := []Row{{Seq: 0, Pos: 0, Token: 464, Logits: true}, {Seq: 1, Pos: 0, Token: 11, Logits: true}}
	st.Forward(rows)
	pos := 1
	allocs := testing.AllocsPerRun(20, func() {
		rows[0].Pos, rows[1].Pos = pos, pos
		pos++
		if err := st.Forward(rows); err != nil {
			panic(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per decode step", allocs)
	}
	// One row, as a plain decode runs, in every weight type: the
	// products then take their decode paths (far rows, q8_0 streams).
	c := checkpoint.Config{Name: "alloc", NCtx: 64, VocabSize: 50257, Eps: 1e-5, Activation: "gelu_new", NLayer: 2, NHead: 2, NEmbd: 128, NInner: 512}
	for _, dt := range []checkpoint.DType{checkpoint.F32, checkpoint.F16, checkpoint.BF16, checkpoint.Q8_0} {
		ck := checkpoint.Random(c, dt, 1)
		for _, threads := range []int{1, 2} {
			m1, err := New(ck, Options{Threads: threads})
			if err != nil {
				t.Fatal(err)
			}
			st1 := m1.NewState(1, 64, 1, 1)
			one := []Row{{Token: 7, Logits: true}}
			st1.Forward(one)
			allocs := testing.AllocsPerRun(20, func() {
				one[0].Pos = (one[0].Pos + 1) % 64
				if err := st1.Forward(one); err != nil {
					panic(err)
				}
			})
			m1.Close()
			if allocs != 0 {
				t.Fatalf("%v, %d threads: %v allocations per one-row decode step", dt, threads, allocs)
			}
		}
	}
	s := NewSampler(SamplingParams{Temperature: 0.8, TopK: 40, TopP: 0.95, RepetitionPenalty: 1.2}, m.Config.VocabSize, NewRNG(1, 1))
	s.Context([]int{1, 2, 3})
	allocs = testing.AllocsPerRun(20, func() { s.Accept(s.Sample(st.LogitsRow(0))) })
	if allocs != 0 {
		t.Fatalf("%v allocations per sampled token", allocs)
	}
}

func TestPromptTooLong(t *testing.T) {
	m := loadTinyModel(t, tinyDir, nil, 1)
	_, err := m.Generate(context.Background(), []Request{{Prompt: make([]int, 65), MaxTokens: 1}}, GenerateOptions{})
	if err == nil || err.Error() != "prompt is 65 tokens, longer than the model's window of 64" {
		t.Fatalf("%v", err)
	}
	_ = fmt.Sprint()
}

// Interrupted before it starts, every request still gets a result.
func TestGenerateInterruptedBeforeStart(t *testing.T) {
	m := loadTinyModel(t, tinyDir, nil, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var done []int
	res, err := m.Generate(ctx, []Request{greedyRequest([]int{1}, 5), greedyRequest([]int{2}, 5)}, GenerateOptions{OnDone: func(i int, _ *Result) { done = append(done, i) }})
	if err == nil || len(res) != 2 || res[0] == nil || res[1] == nil || res[1].Finish != FinishInterrupted || len(done) != 2 {
		t.Fatalf("%v %+v %v", err, res, done)
	}
}

// laterCancelled is a context that is cancelled from its n-th Err call on:
// the interruption lands at a chosen point of a run.
type laterCancelled struct {
	context.Context
	calls, n int
}

func (c *laterCancelled) Err() error {
	c.calls++
	if c.calls >= c.n {
		return context.Canceled
	}
	return nil
}

// Interrupted at any point (the prompts' prefill, a later step), every
// request still gets a result and its OnDone, as the command's JSON output
// needs: an interruption during the prefill once returned with the
// started requests unfinished, and the command printed nothing.
func TestGenerateInterruptedAnywhere(t *testing.T) {
	m := loadTinyModel(t, tinyDir, nil, 1)
	for n := 1; n <= 8; n++ {
		ctx := &laterCancelled{Context: context.Background(), n: n}
		var done []int
		reqs := []Request{greedyRequest([]int{1, 2, 3}, 50), greedyRequest([]int{4, 5}, 50), greedyRequest([]int{6}, 50)}
		res, err := m.Generate(ctx, reqs, GenerateOptions{BatchSize: 2, OnDone: func(i int, _ *Result) { done = append(done, i) }})
		if err == nil || len(done) != len(reqs) {
			t.Fatalf("cancelled at Err call %d: err %v, OnDone for %v of %d requests", n, err, done, len(reqs))
		}
		for i, r := range res {
			if r == nil || r.Finish != FinishInterrupted {
				t.Fatalf("cancelled at Err call %d: result %d is %+v", n, i, r)
			}
		}
	}
}
