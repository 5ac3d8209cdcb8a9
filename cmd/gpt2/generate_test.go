package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

type refPrompt struct {
	Name              string    `json:"name"`
	Text              string    `json:"text"`
	TokenIDs          []int     `json:"token_ids"`
	NextTokenLogprobs []float64 `json:"next_token_logprobs"`
	TotalLogprob      *float64  `json:"total_logprob"`
	WithBOS           struct {
		NextTokenLogprobs []float64 `json:"next_token_logprobs"`
	} `json:"with_bos"`
	Greedy struct {
		IDs      []int  `json:"ids"`
		BytesHex string `json:"bytes_hex"`
	} `json:"greedy"`
}

func refPrompts(t *testing.T) []refPrompt {
	b, err := os.ReadFile(filepath.Join(tinyDir, "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r struct{ Prompts []refPrompt }
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r.Prompts
}

func genArgs(args ...string) []string {
	return append([]string{"--model", tinyDir, "--threads", "2", "generate"}, args...)
}

func TestGenerateGreedyJSON(t *testing.T) {
	for _, p := range refPrompts(t) {
		if strings.HasSuffix(p.Text, "\n") {
			continue // a trailing newline would need --batch to carry it
		}
		r := runCLI(t, "", genArgs("--temperature", "0", "--max-tokens", "20", "--ignore-eos", "--format", "json", p.Text)...)
		if r.code != 0 {
			t.Fatalf("%s: %+v", p.Name, r)
		}
		var s jsonSample
		if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
			t.Fatalf("%s: %v in %q", p.Name, err, r.stdout)
		}
		if !slices.Equal(s.Tokens, p.Greedy.IDs) || s.FinishReason != "length" || s.Usage.PromptTokens != len(p.TokenIDs) || s.Usage.CompletionTokens != 20 {
			t.Fatalf("%s: %+v", p.Name, s)
		}
		want, _ := hex.DecodeString(p.Greedy.BytesHex)
		if s.Text != strings.ToValidUTF8(string(want), "\uFFFD") {
			t.Fatalf("%s: text %q", p.Name, s.Text)
		}
	}
}

// Every reference prompt exactly (leading/trailing whitespace and all)
// through --batch, greedy, in input order.
func TestGenerateBatchOrder(t *testing.T) {
	var in strings.Builder
	prompts := refPrompts(t)
	for i, p := range prompts {
		line, _ := json.Marshal(map[string]any{"prompt": p.Text, "id": fmt.Sprintf("p%d", i), "max_tokens": 20})
		in.Write(append(line, '\n'))
	}
	r := runCLI(t, in.String(), genArgs("--temperature", "0", "--ignore-eos", "--batch", "-", "--batch-size", "4")...)
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != len(prompts) {
		t.Fatalf("%d lines for %d prompts", len(lines), len(prompts))
	}
	for i, l := range lines {
		var s jsonSample
		if err := json.Unmarshal([]byte(l), &s); err != nil {
			t.Fatal(err)
		}
		if s.ID != fmt.Sprintf("p%d", i) || !slices.Equal(s.Tokens, prompts[i].Greedy.IDs) {
			t.Fatalf("line %d: id %v tokens %v, want p%d %v", i, s.ID, s.Tokens, i, prompts[i].Greedy.IDs)
		}
	}
}

func TestGenerateBatchPerLineKeys(t *testing.T) {
	in := `"plain json string"` + "\n" + `just text` + "\n\n" + `{"prompt": "x", "max-tokens": 3, "n": 2, "seed": 5, "temperature": 1.0}` + "\n"
	r := runCLI(t, in, genArgs("--max-tokens", "5", "--batch", "-", "--format", "jsonl")...)
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	var got []jsonSample
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var s jsonSample
		json.Unmarshal([]byte(l), &s)
		got = append(got, s)
	}
	if len(got) != 4 || got[0].Prompt != "plain json string" || got[1].Prompt != "just text" || got[2].Seed != 5 || got[3].Index != 1 ||
		len(got[2].Tokens) > 3 || got[0].ID != float64(1) || got[2].ID != float64(4) {
		t.Fatalf("%+v", got)
	}
	for _, bad := range []string{`{"prompt": "x", "colour": 1}`, `{"prompt": "x", "top_k": "many"}`, `{"id": 3}`, `{"prompt": "x", "temperature": -1}`} {
		r := runCLI(t, bad+"\n", genArgs("--batch", "-")...)
		if r.code != 2 || !strings.Contains(r.stderr, "line 1") {
			t.Errorf("%s: %+v", bad, r)
		}
	}
}

func TestGenerateStdinAndEcho(t *testing.T) {
	p := refPrompts(t)[0]
	a := runCLI(t, p.Text+"\n", genArgs("--temperature", "0", "--max-tokens", "5")...)
	b := runCLI(t, "", genArgs("--temperature", "0", "--max-tokens", "5", p.Text)...)
	if a.code != 0 || a.stdout != b.stdout || a.stdout == "" {
		t.Fatalf("stdin %q vs args %q", a.stdout, b.stdout)
	}
	e := runCLI(t, "", genArgs("--temperature", "0", "--max-tokens", "5", "--echo", p.Text)...)
	if e.stdout != p.Text+a.stdout {
		t.Fatalf("--echo: %q", e.stdout)
	}
}

// A stop string made of the end of one token and the start of the next.
func TestGenerateStopAcrossTokens(t *testing.T) {
	p := refPrompts(t)[0]
	full, _ := hex.DecodeString(p.Greedy.BytesHex)
	stop := string(full[10:14])
	r := runCLI(t, "", genArgs("--temperature", "0", "--max-tokens", "20", "--ignore-eos", "--stop", stop, "--format", "json", p.Text)...)
	var s jsonSample
	json.Unmarshal([]byte(r.stdout), &s)
	if s.FinishReason != "stop" || s.Text != string(full[:10]) {
		t.Fatalf("stop %q: %+v", stop, s)
	}
	// text output: the same bytes, plus the final newline
	r = runCLI(t, "", genArgs("--temperature", "0", "--max-tokens", "20", "--stop", stop, p.Text)...)
	if r.stdout != string(full[:10])+"\n" {
		t.Fatalf("text: %q", r.stdout)
	}
}

func TestGenerateN(t *testing.T) {
	p := refPrompts(t)[0]
	r := runCLI(t, "", genArgs("--n", "3", "--seed", "11", "--max-tokens", "8", "--format", "jsonl", p.Text)...)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 3 {
		t.Fatalf("%+v", r)
	}
	var samples [][]int
	for i, l := range lines {
		var s jsonSample
		json.Unmarshal([]byte(l), &s)
		if s.Index != i || s.Seed != 11 {
			t.Fatalf("%+v", s)
		}
		samples = append(samples, s.Tokens)
	}
	if slices.Equal(samples[0], samples[1]) && slices.Equal(samples[1], samples[2]) {
		t.Fatal("three identical samples")
	}
	// the same seed again gives the same samples, at 1 thread too
	again := runCLI(t, "", "--model", tinyDir, "--threads", "1", "generate", "--n", "3", "--seed", "11", "--max-tokens", "8", "--format", "jsonl", p.Text)
	for i, l := range strings.Split(strings.TrimSpace(again.stdout), "\n") {
		var s jsonSample
		json.Unmarshal([]byte(l), &s)
		if !slices.Equal(s.Tokens, samples[i]) {
			t.Fatalf("sample %d differs between runs with the same seed", i)
		}
	}
	// text: three paragraphs
	tr := runCLI(t, "", genArgs("--n", "3", "--seed", "11", "--max-tokens", "8", p.Text)...)
	if tr.code != 0 || strings.Count(tr.stdout, "\n") < 5 {
		t.Fatalf("text --n 3: %q", tr.stdout)
	}
}

func TestGeneratePromptTooLong(t *testing.T) {
	long := strings.Repeat(" word", 80) // 80 tokens, window 64
	r := runCLI(t, "", genArgs("--max-tokens", "5", long)...)
	if r.code != 1 || !strings.Contains(r.stderr, "prompt is 80 tokens") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("%+v", r)
	}
	r = runCLI(t, "", genArgs("--max-tokens", "5", "--truncate", "left", "--format", "json", long)...)
	var s jsonSample
	json.Unmarshal([]byte(r.stdout), &s)
	if r.code != 0 || s.Usage.PromptTokens != 59 || len(s.Tokens) == 0 {
		t.Fatalf("--truncate left: %+v %+v", r, s)
	}
}

// 100 tokens on a model of 64 positions: the window shifts.
func TestGeneratePastWindow(t *testing.T) {
	r := runCLI(t, "", genArgs("--max-tokens", "100", "--ignore-eos", "--format", "json", "Hello")...)
	var s jsonSample
	json.Unmarshal([]byte(r.stdout), &s)
	if r.code != 0 || len(s.Tokens) != 100 || s.FinishReason != "length" {
		t.Fatalf("%+v %+v", r.stderr, s)
	}
}

// brokenPipe accepts n bytes, then fails as a closed pipe does.
type brokenPipe struct{ n int }

func (b *brokenPipe) Write(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, syscall.EPIPE
	}
	k := min(len(p), b.n)
	b.n -= k
	if k < len(p) {
		return k, syscall.EPIPE
	}
	return k, nil
}

func TestGenerateClosedStdout(t *testing.T) {
	isolate(t)
	var errb bytes.Buffer
	code := run(context.Background(), genArgs("--max-tokens", "200", "--ignore-eos", "Hello"), strings.NewReader(""), &brokenPipe{10}, &errb)
	if code != 0 || errb.Len() != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

// The real thing: the program's stdout into `head -c 10`.
func TestGenerateIntoHead(t *testing.T) {
	if _, err := exec.LookPath("head"); err != nil {
		t.Skip("no head")
	}
	bin := buildBinary(t)
	model, _ := filepath.Abs(tinyDir)
	cmd := exec.Command("bash", "-c", `set -o pipefail; "$0" --model "$1" generate --max-tokens 500 --ignore-eos Hello 2>err.txt | head -c 10 >/dev/null; echo $?; cat err.txt`, bin, model)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "0" {
		t.Fatalf("pipeline: %q %v", out, err)
	}
}

var builtBinary string

func buildBinary(t *testing.T) string {
	t.Helper()
	if builtBinary != "" {
		return builtBinary
	}
	dir, err := os.MkdirTemp("", "gpt2-bin")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "gpt2")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	builtBinary = bin
	return bin
}

// cancelWriter cancels the run (as Ctrl-C does) once output has started.
type cancelWriter struct {
	bytes.Buffer
	cancel func()
}

func (c *cancelWriter) Write(p []byte) (int, error) {
	c.cancel()
	return c.Buffer.Write(p)
}

// Ctrl-C (the context cancelled) stops generation, flushes what was
// produced, and exits 130.
func TestGenerateInterrupted(t *testing.T) {
	isolate(t)
	ctx, cancel := context.WithCancel(context.Background())
	out := &cancelWriter{cancel: cancel}
	var errb bytes.Buffer
	code := run(ctx, genArgs("--max-tokens", "100000", "--ignore-eos", "Hello"), strings.NewReader(""), out, &errb)
	if code != 130 || out.Len() == 0 || !strings.HasSuffix(out.String(), "\n") {
		t.Fatalf("text: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
	// JSON: the object of the interrupted sample is still printed, whenever
	// the interruption comes (here, while the model may still be loading)
	ctx, cancel = context.WithCancel(context.Background())
	go func() { time.Sleep(300 * time.Millisecond); cancel() }()
	var jout bytes.Buffer
	code = run(ctx, genArgs("--max-tokens", "1000000", "--ignore-eos", "--format", "json", "--logprobs", "2", "Hello"), strings.NewReader(""), &jout, &errb)
	var s jsonSample
	if err := json.Unmarshal(jout.Bytes(), &s); err != nil || code != 130 {
		t.Fatalf("exit %d, output not flushed as JSON: %v %q", code, err, jout.String())
	}
	if s.FinishReason != "interrupted" || len(s.Tokens) != len(s.Logprobs) {
		t.Fatalf("%+v", s.FinishReason)
	}
}

func TestGenerateLogprobs(t *testing.T) {
	p := refPrompts(t)[0]
	r := runCLI(t, "", genArgs("--temperature", "0", "--max-tokens", "3", "--ignore-eos", "--logprobs", "3", "--format", "json", p.Text)...)
	var s jsonSample
	json.Unmarshal([]byte(r.stdout), &s)
	if len(s.Logprobs) != 3 || len(s.Logprobs[0].Top) != 3 || s.Logprobs[0].Top[0].ID != s.Tokens[0] || s.Logprobs[0].ID != s.Tokens[0] {
		t.Fatalf("%+v", s.Logprobs)
	}
}

func TestGenerateUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--format", "xml", "x"}, {"--top-p", "2", "x"}, {"--temperature", "-1", "x"}, {"--n", "0", "x"},
		{"--truncate", "right", "x"}, {"--dtype", "q4", "x"}, {"--batch", "-", "x"},
	} {
		r := runCLI(t, "", genArgs(args...)...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, "gpt2: ") {
			t.Errorf("%v: %+v", args, r)
		}
	}
	r := runCLI(t, "", "--model", "/no/such/model.gguf", "generate", "x")
	if r.code != 1 || !strings.Contains(r.stderr, "/no/such/model.gguf") {
		t.Errorf("missing model: %+v", r)
	}
}

func TestScore(t *testing.T) {
	for _, p := range refPrompts(t) {
		if strings.HasSuffix(p.Text, "\n") {
			continue
		}
		for _, bos := range []bool{false, true} {
			args := []string{"--model", tinyDir, "score", p.Text}
			want := p.NextTokenLogprobs
			if bos {
				args = append(args, "--bos")
				want = p.WithBOS.NextTokenLogprobs
			}
			r := runCLI(t, "", args...)
			var s scoreResult
			if err := json.Unmarshal([]byte(r.stdout), &s); err != nil || r.code != 0 {
				t.Fatalf("%s: %+v %v", p.Name, r, err)
			}
			if len(s.Logprobs) != len(want) || s.TokensScored != len(want) || len(s.Tokens) != len(s.Logprobs)+1 {
				t.Fatalf("%s bos=%v: %d logprobs, want %d", p.Name, bos, len(s.Logprobs), len(want))
			}
			var total float64
			for i := range want {
				total += want[i]
				if math.Abs(s.Logprobs[i]-want[i]) > 1e-3 {
					t.Fatalf("%s: [%d] %v want %v", p.Name, i, s.Logprobs[i], want[i])
				}
			}
			if math.Abs(s.TotalLogprob-total) > 1e-2 || (len(want) > 0 && math.Abs(*s.Perplexity-math.Exp(-total/float64(len(want)))) / *s.Perplexity > 1e-3) {
				t.Fatalf("%s: total %v ppl %v", p.Name, s.TotalLogprob, s.Perplexity)
			}
		}
	}
	// a long text through strided windows, from stdin
	r := runCLI(t, strings.Repeat("The quick brown fox jumps over the lazy dog. ", 30), "--model", tinyDir, "score", "--stride", "16")
	var s scoreResult
	json.Unmarshal([]byte(r.stdout), &s)
	if r.code != 0 || s.TokensScored != len(s.Tokens)-1 || len(s.Tokens) < 200 {
		t.Fatalf("long text: %d tokens, %d scored (%s)", len(s.Tokens), s.TokensScored, r.stderr)
	}
	_ = errors.New
}
