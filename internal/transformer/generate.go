package transformer

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"gpt2/internal/tokenizer"
)

// Request is one sequence to generate.
type Request struct {
	Prompt    []int
	MaxTokens int
	Sampling  SamplingParams
	Seed      uint64
	Stream    uint64 // which sample of the seed: --n draws streams 0..n-1
	Stops     []string
	IgnoreEOS bool
	Logprobs  int // with > 0: each token's logprob and this many alternatives
}

// Finish reasons.
const (
	FinishLength      = "length"
	FinishStop        = "stop"
	FinishEOS         = "eos"
	FinishInterrupted = "interrupted"
)

// TokenLogprob is a token and its natural-log probability under the model
// (the raw distribution, before penalties, temperature and filters).
type TokenLogprob struct {
	ID      int
	Logprob float64
}

// GeneratedToken is one generated token with its logprob information.
type GeneratedToken struct {
	TokenLogprob
	Top []TokenLogprob
}

// Result is a finished sequence.
type Result struct {
	Tokens       []int
	Text         []byte // the generated text, cut before a stop string
	Finish       string
	PromptTokens int
	Logprobs     []GeneratedToken // with Request.Logprobs > 0
	PromptTime   time.Duration
	GenerateTime time.Duration
}

// GenerateOptions control a Generate call.
type GenerateOptions struct {
	// BatchSize is how many sequences run together (default 8).
	BatchSize int
	// OnText receives text of request i as soon as it is safe to show:
	// complete UTF-8 characters that cannot still turn into a stop string.
	OnText func(i int, text []byte)
	// OnDone is called when request i is finished.
	OnDone func(i int, r *Result)
}

// ErrPromptTooLong reports a prompt that does not fit the window.
type ErrPromptTooLong struct{ Tokens, Window int }

func (e *ErrPromptTooLong) Error() string {
	return fmt.Sprintf("prompt is %d tokens, longer than the model's window of %d", e.Tokens, e.Window)
}

// seqSlot is a request running in one sequence of the state.
type seqSlot struct {
	req     int
	history []int // tokens in the cache, in order: what a window shift re-encodes
	sampler *Sampler
	res     *Result
	emitted int
	start   time.Time
	next    int // sampled token waiting to be fed
	done    bool
}

// Generate runs the requests, BatchSize at a time (a finished sequence's
// place goes to the next waiting request), and returns their results in
// order. On context cancellation it returns what was produced, with
// FinishInterrupted, and ctx.Err().
func (m *Model) Generate(ctx context.Context, reqs []Request, opts GenerateOptions) ([]*Result, error) {
	window := m.Config.NCtx
	capacity := 1
	for _, r := range reqs {
		if len(r.Prompt) > window {
			return nil, &ErrPromptTooLong{len(r.Prompt), window}
		}
		if len(r.Prompt) == 0 {
			return nil, fmt.Errorf("transformer: empty prompt")
		}
		capacity = max(capacity, min(window, len(r.Prompt)+r.MaxTokens))
	}
	batch := opts.BatchSize
	if batch <= 0 {
		batch = 8
	}
	batch = min(batch, len(reqs))
	if batch == 0 {
		return nil, nil
	}
	g := &generation{m: m, reqs: reqs, opts: opts,
		st:      m.NewState(batch, capacity, max(prefillChunk, batch), batch),
		results: make([]*Result, len(reqs)),
		slots:   make([]*seqSlot, batch),
	}
	for i := range g.slots {
		g.slots[i] = &seqSlot{done: true, sampler: NewSampler(SamplingParams{}, m.Config.VocabSize, nil)}
	}
	err := g.run(ctx)
	return g.results, err
}

// prefillChunk is the most prompt tokens run in one pass.
const prefillChunk = 512

type generation struct {
	m         *Model
	reqs      []Request
	opts      GenerateOptions
	st        *State
	results   []*Result
	slots     []*seqSlot
	nextReq   int
	rows      []Row
	order     []int // slot of each logits row
	logitsBuf []float32
	decoded   []int
}

func (g *generation) run(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			g.interrupt()
			return err
		}
		if err := g.admit(ctx); err != nil {
			if ctx.Err() != nil { // stopped in a prefill: finish what started
				g.interrupt()
			}
			return err
		}
		active := false
		for _, s := range g.slots {
			active = active || !s.done
		}
		if !active {
			return nil
		}
		if err := g.step(); err != nil {
			return err
		}
	}
}

// admit starts waiting requests in free slots: it prefills their prompts
// together (a prompt shared by several samples is run once and its cache
// copied) and samples their first tokens.
func (g *generation) admit(ctx context.Context) error {
	var fresh []int
	for si, s := range g.slots {
		if s.done && g.nextReq < len(g.reqs) {
			g.start(si, g.nextReq)
			g.nextReq++
			fresh = append(fresh, si)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	// Slots with the same prompt as an earlier fresh slot copy its cache.
	source := map[int]int{}
	var run []int
	for _, si := range fresh {
		src := -1
		for _, sj := range run {
			if slices.Equal(g.reqs[g.slots[sj].req].Prompt, g.reqs[g.slots[si].req].Prompt) {
				src = sj
				break
			}
		}
		if src >= 0 {
			source[si] = src
		} else {
			run = append(run, si)
		}
	}
	if err := g.prefill(ctx, run); err != nil {
		return err
	}
	v := g.m.Config.VocabSize
	for _, si := range fresh {
		s := g.slots[si]
		if src, ok := source[si]; ok {
			g.st.CopySeq(si, src, len(s.history))
			copy(g.slotLogits(si), g.slotLogits(src))
		}
		s.res.PromptTime = time.Since(s.start)
		s.start = time.Now()
		g.pick(si, g.slotLogits(si)[:v])
	}
	return nil
}

// slotLogits is a per-slot copy of the last logits (prefill passes return
// logits for several slots, decode for all; each slot samples from its own).
func (g *generation) slotLogits(si int) []float32 {
	v := g.m.Config.VocabSize
	if len(g.logitsBuf) < len(g.slots)*v {
		g.logitsBuf = make([]float32, len(g.slots)*v)
	}
	return g.logitsBuf[si*v : (si+1)*v]
}

func (g *generation) start(si, req int) {
	r := g.reqs[req]
	s := g.slots[si]
	s.req, s.done, s.emitted = req, false, 0
	s.history = append(s.history[:0], r.Prompt...)
	s.sampler.Reset(r.Sampling, NewRNG(r.Seed, r.Stream))
	s.sampler.Context(r.Prompt)
	s.res = &Result{PromptTokens: len(r.Prompt)}
	s.start = time.Now()
	g.results[req] = s.res
}

// prefill runs the whole history of each given slot through the model
// from position 0, in passes of at most prefillChunk rows, and keeps the
// logits of each history's last token in the slot's logits.
func (g *generation) prefill(ctx context.Context, slots []int) error {
	g.rows = g.rows[:0]
	g.order = g.order[:0]
	flush := func() error {
		if len(g.rows) == 0 {
			return nil
		}
		if err := g.st.Forward(g.rows); err != nil {
			return err
		}
		for j, si := range g.order {
			copy(g.slotLogits(si), g.st.LogitsRow(j))
		}
		g.rows, g.order = g.rows[:0], g.order[:0]
		return ctx.Err()
	}
	for _, si := range slots {
		h := g.slots[si].history
		for pos, tok := range h {
			last := pos == len(h)-1
			g.rows = append(g.rows, Row{Seq: si, Pos: pos, Token: tok, Logits: last})
			if last {
				g.order = append(g.order, si)
			}
			if len(g.rows) == g.st.MaxRows() || len(g.order) == g.st.MaxLogits() {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// step feeds every active slot its sampled token: slots at the end of the
// window re-encode the recent half of it; the rest decode together.
func (g *generation) step() error {
	window := g.st.Capacity()
	g.rows = g.rows[:0]
	g.order = g.order[:0]
	var shift []int
	for si, s := range g.slots {
		if s.done {
			continue
		}
		if len(s.history) == window {
			keep := s.history[len(s.history)-window/2:]
			s.history = append(s.history[:0], keep...)
			s.history = append(s.history, s.next)
			shift = append(shift, si)
			continue
		}
		g.rows = append(g.rows, Row{Seq: si, Pos: len(s.history), Token: s.next, Logits: true})
		g.order = append(g.order, si)
		s.history = append(s.history, s.next)
	}
	if len(g.rows) > 0 {
		if err := g.st.Forward(g.rows); err != nil {
			return err
		}
		for j, si := range g.order {
			copy(g.slotLogits(si), g.st.LogitsRow(j))
		}
	}
	g.decoded = append(g.decoded[:0], g.order...)
	if len(shift) > 0 {
		if err := g.prefill(context.Background(), shift); err != nil {
			return err
		}
	}
	for _, si := range append(g.decoded, shift...) {
		g.pick(si, g.slotLogits(si))
	}
	return nil
}

// pick samples slot si's next token from logits and applies it: text,
// stop strings, end of text, length limit.
func (g *generation) pick(si int, logits []float32) {
	s := g.slots[si]
	req := &g.reqs[s.req]
	res := s.res
	if len(res.Tokens) >= req.MaxTokens {
		g.finish(si, FinishLength)
		return
	}
	tok := s.sampler.Sample(logits)
	if tok == g.m.EOS && !req.IgnoreEOS {
		g.finish(si, FinishEOS)
		return
	}
	if req.Logprobs > 0 {
		res.Logprobs = append(res.Logprobs, logprobsOf(logits, tok, req.Logprobs))
	}
	s.sampler.Accept(tok)
	res.Tokens = append(res.Tokens, tok)
	before := len(res.Text)
	b, _ := g.m.Tok.Token(tok)
	res.Text = append(res.Text, b...)
	if cut, ok := findStop(res.Text, before, req.Stops); ok {
		res.Text = res.Text[:cut]
		g.finish(si, FinishStop)
		return
	}
	g.emit(si, false)
	s.next = tok
	if len(res.Tokens) >= req.MaxTokens {
		g.finish(si, FinishLength)
	}
}

func (g *generation) finish(si int, reason string) {
	s := g.slots[si]
	if s.done {
		return
	}
	s.res.Finish = reason
	s.res.GenerateTime = time.Since(s.start)
	g.emit(si, true)
	s.done = true
	if g.opts.OnDone != nil {
		g.opts.OnDone(s.req, s.res)
	}
}

// interrupt finishes every running sequence with what it has, and the
// requests not started yet with nothing, so each request has a result.
func (g *generation) interrupt() {
	for si, s := range g.slots {
		if !s.done {
			g.finish(si, FinishInterrupted)
		}
	}
	for ; g.nextReq < len(g.reqs); g.nextReq++ {
		r := &Result{PromptTokens: len(g.reqs[g.nextReq].Prompt), Finish: FinishInterrupted}
		g.results[g.nextReq] = r
		if g.opts.OnDone != nil {
			g.opts.OnDone(g.nextReq, r)
		}
	}
}

// emit passes on the text of slot si that is safe to show: all of it at
// the end, otherwise up to the last complete character and short of any
// tail that could still become a stop string.
func (g *generation) emit(si int, final bool) {
	s := g.slots[si]
	text := s.res.Text
	safe := len(text)
	if !final {
		safe = min(tokenizer.CompleteUTF8(text), len(text)-stopHoldback(text, g.reqs[s.req].Stops))
	}
	if safe > s.emitted && g.opts.OnText != nil {
		g.opts.OnText(s.req, text[s.emitted:safe])
	}
	s.emitted = max(s.emitted, safe)
}

// findStop looks for a stop string ending after text[from:] (earlier text
// was already checked) and returns where the earliest one begins.
func findStop(text []byte, from int, stops []string) (int, bool) {
	best := -1
	for _, st := range stops {
		if st == "" {
			continue
		}
		lo := max(0, from-len(st)+1)
		if i := bytes.Index(text[lo:], []byte(st)); i >= 0 && (best < 0 || lo+i < best) {
			best = lo + i
		}
	}
	return best, best >= 0
}

// stopHoldback is the length of the longest tail of text that is the start
// of a stop string.
func stopHoldback(text []byte, stops []string) int {
	hold := 0
	for _, st := range stops {
		for n := min(len(st)-1, len(text)); n > hold; n-- {
			if bytes.HasSuffix(text, []byte(st[:n])) {
				hold = n
				break
			}
		}
	}
	return hold
}

// logprobsOf is the chosen token's log-probability and the k most likely
// tokens, under the raw logits.
func logprobsOf(logits []float32, tok, k int) GeneratedToken {
	lse := LogSumExp(logits)
	out := GeneratedToken{TokenLogprob: TokenLogprob{tok, float64(logits[tok]) - lse}}
	top := make([]TokenLogprob, 0, k+1)
	for id, v := range logits {
		lp := float64(v) - lse
		if len(top) < k || lp > top[len(top)-1].Logprob {
			top = append(top, TokenLogprob{id, lp})
			sort.SliceStable(top, func(a, b int) bool { return top[a].Logprob > top[b].Logprob })
			if len(top) > k {
				top = top[:k]
			}
		}
	}
	out.Top = top
	return out
}

// LogSumExp is log Σ exp(v), computed in float64.
func LogSumExp(v []float32) float64 {
	mx := float32(math.Inf(-1))
	for _, x := range v {
		mx = max(mx, x)
	}
	var s float64
	for _, x := range v {
		s += math.Exp(float64(x - mx))
	}
	return float64(mx) + math.Log(s)
}
