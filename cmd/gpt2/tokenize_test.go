package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"gpt2/internal/tokenizer"
)

func TestTokenizeExamples(t *testing.T) {
	if r := runCLI(t, "Hello world\n", "tokenize"); r.code != 0 || r.stdout != "15496 995\n" {
		t.Fatalf("echo | tokenize: %+v", r)
	}
	if r := runCLI(t, "", "tokenize", "--decode", "15496", "995"); r.code != 0 || r.stdout != "Hello world" {
		t.Fatalf("--decode: %+v", r)
	}
	for _, in := range []string{"15496,995", "[15496, 995]", " 15496\n995 "} {
		if r := runCLI(t, in, "tokenize", "--decode"); r.stdout != "Hello world" {
			t.Fatalf("--decode %q: %+v", in, r)
		}
	}
	for _, bad := range [][]string{{"abc"}, {"99999"}, {"--", "-1"}, {"-1"}, {"50257"}, {"1.5"}} {
		r := runCLI(t, "", append([]string{"tokenize", "--decode"}, bad...)...)
		if r.code != 2 || r.stdout != "" || !strings.HasPrefix(r.stderr, "gpt2: ") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("--decode %v: %+v", bad, r)
		}
	}
	if r := runCLI(t, "", "tokenize", "--format", "count", "Hello", "world"); r.stdout != "2\n" {
		t.Fatalf("count: %+v", r)
	}
	r := runCLI(t, "", "tokenize", "--format", "json", "Hello world")
	if r.stdout != `{"ids":[15496,995],"tokens":["Hello"," world"]}`+"\n" {
		t.Fatalf("json: %q", r.stdout)
	}
	if r := runCLI(t, "", "tokenize", ""); r.stdout != "\n" {
		t.Fatalf("empty text: %q", r.stdout)
	}
}

// Every reference case through the command line, in --jsonl mode so the
// text is carried exactly, and its ids decoded back with --decode.
func TestTokenizeReferenceCases(t *testing.T) {
	f, err := os.Open("../../internal/tokenizer/testdata/gpt2-cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var plain, special strings.Builder
	var wantPlain, wantSpecial [][]int
	var texts []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var c struct {
			Text    string `json:"text"`
			IDs     []int  `json:"ids"`
			Special bool   `json:"special"`
		}
		json.Unmarshal(sc.Bytes(), &c)
		line, _ := json.Marshal(map[string]string{"text": c.Text})
		if c.Special {
			special.Write(append(line, '\n'))
			wantSpecial = append(wantSpecial, c.IDs)
		} else {
			plain.Write(append(line, '\n'))
			wantPlain = append(wantPlain, c.IDs)
			texts = append(texts, c.Text)
		}
	}
	check := func(name, in string, want [][]int, args ...string) {
		r := runCLI(t, in, append([]string{"tokenize", "--jsonl"}, args...)...)
		if r.code != 0 {
			t.Fatalf("%s: %+v", name, r.stderr)
		}
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if len(lines) != len(want) {
			t.Fatalf("%s: %d lines out, %d in", name, len(lines), len(want))
		}
		for i, l := range lines {
			var got struct{ IDs []int }
			json.Unmarshal([]byte(l), &got)
			if fmt.Sprint(got.IDs) != fmt.Sprint(want[i]) {
				t.Errorf("%s case %d: got %v want %v", name, i, got.IDs, want[i])
			}
		}
	}
	check("plain", plain.String(), wantPlain)
	check("special", special.String(), wantSpecial, "--special")
	if len(wantSpecial) != 11 {
		t.Fatalf("%d special cases, want 11", len(wantSpecial))
	}
	// decode each plain case's ids through the command line
	for i, ids := range wantPlain {
		strs := make([]string, len(ids))
		for k, id := range ids {
			strs[k] = strconv.Itoa(id)
		}
		r := runCLI(t, strings.Join(strs, " "), "tokenize", "--decode")
		if r.code != 0 || r.stdout != texts[i] {
			t.Fatalf("decode case %d: %q want %q (%s)", i, r.stdout, texts[i], r.stderr)
		}
	}
}

// --jsonl must answer each line before the next one arrives.
func TestTokenizeJSONLStreams(t *testing.T) {
	isolate(t)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan int)
	go func() {
		done <- run(t.Context(), []string{"tokenize", "--jsonl"}, inR, outW, io.Discard)
		outW.Close()
	}()
	out := bufio.NewReader(outR)
	for _, c := range []struct{ in, want string }{
		{`{"text": "Hello world"}`, `{"ids":[15496,995]}`},
		{`"Hello"`, `{"ids":[15496]}`},
	} {
		fmt.Fprintln(inW, c.in)
		lineCh := make(chan string)
		go func() { l, _ := out.ReadString('\n'); lineCh <- l }()
		select {
		case l := <-lineCh:
			if strings.TrimSpace(l) != c.want {
				t.Fatalf("got %q want %q", l, c.want)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("no answer before the next line was written: --jsonl does not stream")
		}
	}
	inW.Close()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
}

func TestTokenizeJSONLErrors(t *testing.T) {
	r := runCLI(t, "{\"text\":\"a\"}\nnot json\n", "tokenize", "--jsonl")
	if r.code != 2 || r.stdout != "{\"ids\":[64]}\n" || !strings.Contains(r.stderr, "line 2") {
		t.Fatalf("%+v", r)
	}
	r = runCLI(t, "{\"ids\":[15496,995]}\n", "tokenize", "--jsonl", "--decode")
	if r.code != 0 || r.stdout != "{\"text\":\"Hello world\"}\n" {
		t.Fatalf("jsonl decode: %+v", r)
	}
}

func TestTokenizeSpecial(t *testing.T) {
	tok := tokenizer.GPT2()
	text := "a<|endoftext|>b"
	if r := runCLI(t, "", "tokenize", "--special", text); r.stdout != "64 50256 65\n" {
		t.Fatalf("--special: %q", r.stdout)
	}
	want := fmt.Sprint(tok.Encode(text))
	if r := runCLI(t, "", "tokenize", text); "["+strings.TrimSpace(r.stdout)+"]" != want {
		t.Fatalf("plain: %q want %s", r.stdout, want)
	}
}
