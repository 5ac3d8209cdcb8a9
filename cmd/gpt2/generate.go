package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gpt2/internal/tokenizer"
	"gpt2/internal/transformer"
)

type generateOptions struct {
	maxTokens         int
	temperature       float64
	topK              int
	topP              float64
	minP              float64
	typicalP          float64
	repetitionPenalty float64
	presencePenalty   float64
	frequencyPenalty  float64
	seed              int64
	stop              []string
	ignoreEOS         bool
	n                 int
	echo              bool
	format            string
	logprobs          int
	batch             string
	batchSize         int
	truncate          string
	dtype             string
}

func (a *app) generateCommand() *cobra.Command {
	var o generateOptions
	cmd := &cobra.Command{
		Use:   "generate [PROMPT...]",
		Short: "Continue a prompt",
		Long: `Generate text that continues a prompt. The prompt is the arguments joined by one space,
or stdin (one trailing newline dropped) when there are none or the only one is "-".
Text streams to stdout as it is generated; --format json or jsonl prints one object per
sample. --batch runs one prompt per line of a file (or stdin) and prints JSONL in order.`,
		Example: `  gpt2 generate "The capital of France is"
  echo "Once upon a time" | gpt2 generate --max-tokens 50 --temperature 0.7
  gpt2 generate --temperature 0 --format json "The quick brown fox"
  gpt2 generate --n 3 --seed 7 --stop "." "My favourite food is"
  gpt2 generate --batch prompts.jsonl --batch-size 16 > out.jsonl`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runGenerate(cmd.Context(), o, args)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.maxTokens, "max-tokens", 100, "new tokens to generate")
	f.Float64Var(&o.temperature, "temperature", 0.8, "sampling temperature; 0 = greedy (argmax)")
	f.IntVar(&o.topK, "top-k", 40, "keep the K most likely tokens (0 = off)")
	f.Float64Var(&o.topP, "top-p", 0.95, "keep the most likely tokens up to this total probability (1 = off)")
	f.Float64Var(&o.minP, "min-p", 0, "drop tokens less likely than P times the most likely (0 = off)")
	f.Float64Var(&o.typicalP, "typical-p", 1, "locally typical sampling mass (1 = off)")
	f.Float64Var(&o.repetitionPenalty, "repetition-penalty", 1, "penalise tokens already in the text (Hugging Face semantics; 1 = off)")
	f.Float64Var(&o.presencePenalty, "presence-penalty", 0, "subtract from tokens generated at least once (OpenAI semantics)")
	f.Float64Var(&o.frequencyPenalty, "frequency-penalty", 0, "subtract per time a token was generated (OpenAI semantics)")
	f.Int64Var(&o.seed, "seed", -1, "random seed (default: a random one, reported in json output)")
	f.StringArrayVar(&o.stop, "stop", nil, "stop when the output contains this string (repeatable; not printed)")
	f.BoolVar(&o.ignoreEOS, "ignore-eos", false, "go on past <|endoftext|>")
	f.IntVar(&o.n, "n", 1, "samples per prompt")
	f.BoolVar(&o.echo, "echo", false, "print the prompt before the continuation")
	f.StringVar(&o.format, "format", "text", "output: text, json or jsonl")
	f.IntVar(&o.logprobs, "logprobs", 0, "with json/jsonl: each token's logprob and the K most likely alternatives")
	f.StringVar(&o.batch, "batch", "", `file of prompts, one per line (text, a JSON string, or {"prompt": ..., "id": ...}); "-" = stdin`)
	f.IntVar(&o.batchSize, "batch-size", 8, "sequences generated together")
	f.StringVar(&o.truncate, "truncate", "none", "a prompt longer than the window: none (error) or left (keep its end)")
	f.StringVar(&o.dtype, "dtype", "", "weights to run a hub model with: f32, f16, bf16 or q8_0 (default: what is cached)")
	return cmd
}

// job is one prompt to generate for, with its own sampling settings.
type job struct {
	id       any
	prompt   string
	ids      []int
	opts     generateOptions
	seed     uint64
	requests []int // indexes into the request list, one per sample
}

func (o generateOptions) check() error {
	switch {
	case o.format != "text" && o.format != "json" && o.format != "jsonl":
		return usagef("--format: %q is not one of text, json, jsonl", o.format)
	case o.truncate != "none" && o.truncate != "left":
		return usagef("--truncate: %q is not none or left", o.truncate)
	case o.maxTokens < 0:
		return usagef("--max-tokens: %d is negative", o.maxTokens)
	case o.temperature < 0:
		return usagef("--temperature: %v is negative", o.temperature)
	case o.topK < 0:
		return usagef("--top-k: %d is negative", o.topK)
	case o.topP < 0 || o.topP > 1:
		return usagef("--top-p: %v is not between 0 and 1", o.topP)
	case o.minP < 0 || o.minP > 1:
		return usagef("--min-p: %v is not between 0 and 1", o.minP)
	case o.typicalP < 0 || o.typicalP > 1:
		return usagef("--typical-p: %v is not between 0 and 1", o.typicalP)
	case o.repetitionPenalty <= 0:
		return usagef("--repetition-penalty: %v is not positive", o.repetitionPenalty)
	case o.n < 1:
		return usagef("--n: %d is less than 1", o.n)
	case o.logprobs < 0 || o.logprobs > 100:
		return usagef("--logprobs: %d is not between 0 and 100", o.logprobs)
	case o.batchSize < 1:
		return usagef("--batch-size: %d is less than 1", o.batchSize)
	}
	return nil
}

func (o generateOptions) sampling() transformer.SamplingParams {
	return transformer.SamplingParams{
		Temperature: o.temperature, TopK: o.topK, TopP: o.topP, MinP: o.minP, TypicalP: o.typicalP,
		RepetitionPenalty: o.repetitionPenalty, PresencePenalty: o.presencePenalty, FrequencyPenalty: o.frequencyPenalty,
	}
}

func randomSeed() uint64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return uint64(time.Now().UnixNano())
	}
	return binary.LittleEndian.Uint64(b[:]) >> 1 // fits an int64 and JSON readers
}

func (a *app) runGenerate(ctx context.Context, o generateOptions, args []string) error {
	if err := o.check(); err != nil {
		return err
	}
	var jobs []*job
	var err error
	if o.batch != "" {
		if len(args) > 0 {
			return usagef("generate: --batch takes no prompt arguments")
		}
		if o.format == "text" {
			o.format = "jsonl" // batch output is JSONL
		}
		if jobs, err = a.readBatch(o); err != nil {
			return err
		}
	} else {
		prompt, err := a.textInput(args)
		if err != nil {
			return fmt.Errorf("reading stdin: %w", err)
		}
		jobs = []*job{{id: nil, prompt: prompt, opts: o}}
	}
	m, err := a.loadModel(ctx, o.dtype)
	if err != nil {
		return err
	}
	defer m.Close()

	var reqs []transformer.Request
	for li, j := range jobs {
		if j.ids, err = promptIDs(m.Tok, m.EOS, j.prompt, j.opts, m.Config.NCtx); err != nil {
			if len(jobs) > 1 {
				return fmt.Errorf("--batch line %d: %w", li+1, err)
			}
			return err
		}
		j.seed = uint64(j.opts.seed)
		if j.opts.seed < 0 {
			j.seed = randomSeed()
		}
		for s := 0; s < j.opts.n; s++ {
			j.requests = append(j.requests, len(reqs))
			reqs = append(reqs, transformer.Request{
				Prompt: j.ids, MaxTokens: j.opts.maxTokens, Sampling: j.opts.sampling(),
				Seed: j.seed, Stream: uint64(s), Stops: j.opts.stop, IgnoreEOS: j.opts.ignoreEOS, Logprobs: j.opts.logprobs,
			})
		}
	}
	out := &outWriter{w: bufio.NewWriter(a.stdout)}
	p := newPrinter(o, m, jobs, len(reqs), out)
	genCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	out.onErr = cancel // a closed stdout stops the generation
	start := time.Now()
	results, genErr := m.Generate(genCtx, reqs, transformer.GenerateOptions{
		BatchSize: o.batchSize,
		OnText:    p.text,
		OnDone:    p.done,
	})
	out.flush()
	if out.err != nil {
		return out.err
	}
	if genErr != nil && !errors.Is(genErr, context.Canceled) {
		return genErr
	}
	a.summary(results, time.Since(start))
	if ctx.Err() != nil {
		return errInterrupted
	}
	return nil
}

// promptIDs tokenizes a prompt and fits it to the window. An empty prompt
// starts from <|endoftext|>, as GPT-2 was trained to begin documents.
func promptIDs(tok *tokenizer.Tokenizer, eos int, prompt string, o generateOptions, window int) ([]int, error) {
	ids := tok.Encode(prompt)
	if len(ids) == 0 {
		ids = []int{eos}
	}
	if len(ids) <= window {
		return ids, nil
	}
	if o.truncate != "left" {
		return nil, fmt.Errorf("prompt is %d tokens, longer than the model's window of %d (--truncate left keeps its end)", len(ids), window)
	}
	// Keep the end, with room to generate before the window has to shift.
	keep := window - min(o.maxTokens, window/2)
	return ids[len(ids)-keep:], nil
}

// summary prints timing on stderr with -v, or when stderr is a terminal.
func (a *app) summary(results []*transformer.Result, total time.Duration) {
	if a.global.quiet || !(a.global.verbose || isTerminal(a.stderr)) {
		return
	}
	var gen, prompt int
	var genTime, promptTime time.Duration
	for _, r := range results {
		if r == nil {
			continue
		}
		gen += len(r.Tokens)
		prompt += r.PromptTokens
		genTime = max(genTime, r.GenerateTime)
		promptTime += r.PromptTime
	}
	tps := 0.0
	if genTime > 0 {
		tps = float64(gen) / genTime.Seconds()
	}
	fmt.Fprintf(a.stderr, "gpt2: %d prompt tokens, %d generated in %v (%.1f tokens/s)\n", prompt, gen, total.Round(time.Millisecond), tps)
}

// outWriter remembers the first write error (a closed pipe, a full disk)
// and tells the generation to stop.
type outWriter struct {
	w     *bufio.Writer
	err   error
	onErr func()
}

func (o *outWriter) write(b []byte) {
	if o.err != nil {
		return
	}
	if _, err := o.w.Write(b); err != nil {
		o.fail(err)
	}
}

func (o *outWriter) flush() {
	if o.err == nil {
		if err := o.w.Flush(); err != nil {
			o.fail(err)
		}
	}
}

func (o *outWriter) fail(err error) {
	o.err = err
	if o.onErr != nil {
		o.onErr()
	}
}

// printer turns results into output in request order: text streams live
// for the first sample and prints later ones when their turn comes; JSON
// objects print as each sample (in order) finishes.
type printer struct {
	o        generateOptions
	m        *loaded
	out      *outWriter
	jobOf    []*job
	sample   []int
	pending  [][]byte // text not yet printed, per request
	finished []*transformer.Result
	next     int // first request not yet fully printed
}

func newPrinter(o generateOptions, m *loaded, jobs []*job, n int, out *outWriter) *printer {
	p := &printer{o: o, m: m, out: out, jobOf: make([]*job, n), sample: make([]int, n), pending: make([][]byte, n), finished: make([]*transformer.Result, n)}
	for _, j := range jobs {
		for s, r := range j.requests {
			p.jobOf[r], p.sample[r] = j, s
		}
	}
	if o.format == "text" && o.echo && n > 0 {
		p.pending[0] = []byte(jobs[0].prompt)
		p.flushText()
	}
	return p
}

func (p *printer) text(i int, b []byte) {
	if p.o.format != "text" {
		return
	}
	p.pending[i] = append(p.pending[i], b...)
	if i == p.next {
		p.flushText()
	}
}

// flushText writes what the current request has and, for finished
// requests, moves on to the next, which starts on a new paragraph.
func (p *printer) flushText() {
	for p.next < len(p.pending) {
		p.out.write(p.pending[p.next])
		p.pending[p.next] = p.pending[p.next][:0]
		p.out.flush()
		if p.finished[p.next] == nil {
			return
		}
		p.out.write([]byte("\n"))
		p.next++
		if p.next < len(p.pending) {
			p.out.write([]byte("\n"))
			if p.o.echo {
				p.pending[p.next] = append([]byte(p.jobOf[p.next].prompt), p.pending[p.next]...)
			}
		}
	}
	p.out.flush()
}

func (p *printer) done(i int, r *transformer.Result) {
	p.finished[i] = r
	if p.o.format == "text" {
		if i == p.next {
			p.flushText()
		}
		return
	}
	for p.next < len(p.finished) && p.finished[p.next] != nil {
		p.printJSON(p.next, p.finished[p.next])
		p.next++
	}
	p.out.flush()
}

type jsonLogprob struct {
	Token   string        `json:"token"`
	ID      int           `json:"id"`
	Logprob float64       `json:"logprob"`
	Top     []jsonLogprob `json:"top,omitempty"`
}

type jsonSample struct {
	ID           any           `json:"id"`
	Index        int           `json:"index"`
	Prompt       string        `json:"prompt"`
	Text         string        `json:"text"`
	Tokens       []int         `json:"tokens"`
	FinishReason string        `json:"finish_reason"`
	Seed         uint64        `json:"seed"`
	Usage        jsonUsage     `json:"usage"`
	Timing       jsonTiming    `json:"timing"`
	Logprobs     []jsonLogprob `json:"logprobs,omitempty"`
}

type jsonUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

type jsonTiming struct {
	PromptMs        float64 `json:"prompt_ms"`
	GenerateMs      float64 `json:"generate_ms"`
	TokensPerSecond float64 `json:"tokens_per_second"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (p *printer) printJSON(i int, r *transformer.Result) {
	j := p.jobOf[i]
	id := j.id
	if id == nil {
		id = p.sample[i]
	}
	text := string(r.Text)
	if p.o.echo {
		text = j.prompt + text
	}
	s := jsonSample{
		ID: id, Index: p.sample[i], Prompt: j.prompt, Text: text, Tokens: nonNil(r.Tokens), FinishReason: r.Finish, Seed: j.seed,
		Usage:  jsonUsage{r.PromptTokens, len(r.Tokens)},
		Timing: jsonTiming{PromptMs: ms(r.PromptTime), GenerateMs: ms(r.GenerateTime)},
	}
	if r.GenerateTime > 0 {
		s.Timing.TokensPerSecond = float64(len(r.Tokens)) / r.GenerateTime.Seconds()
	}
	tokText := func(id int) string { b, _ := p.m.Tok.Token(id); return string(b) }
	for _, lp := range r.Logprobs {
		jl := jsonLogprob{Token: tokText(lp.ID), ID: lp.ID, Logprob: lp.Logprob}
		for _, t := range lp.Top {
			jl.Top = append(jl.Top, jsonLogprob{Token: tokText(t.ID), ID: t.ID, Logprob: t.Logprob})
		}
		s.Logprobs = append(s.Logprobs, jl)
	}
	var buf strings.Builder
	if p.o.format == "json" {
		writeJSONIndent(&buf, s)
	} else {
		writeJSONLine(&buf, s)
	}
	p.out.write([]byte(buf.String()))
}
