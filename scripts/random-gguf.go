//go:build ignore

// Writes a GPT-2 of a standard size with random weights (the real shapes,
// GPT-2's tokenizer inside) as GGUF, for timing gpt2 and llama.cpp on the
// very same file:
//
//	go run ./scripts/random-gguf.go -size small -dtype f16 -o small.f16.gguf
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"gpt2/internal/checkpoint"
	"gpt2/internal/tokenizer"
)

func main() {
	size := flag.String("size", "small", "small, medium, large or xl")
	dtype := flag.String("dtype", "f32", "f32, f16, bf16 or q8_0")
	out := flag.String("o", "", "output .gguf file")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	cfg, ok := checkpoint.Standard(*size)
	dt, err := checkpoint.ParseDType(*dtype)
	if !ok || err != nil || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: go run ./scripts/random-gguf.go -size small|medium|large|xl -dtype f32|f16|bf16|q8_0 -o FILE")
		os.Exit(2)
	}
	m := checkpoint.Random(cfg, dt, *seed)
	tokens, merges, err := tokenizer.GPT2Vocab()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	m.Vocab = &checkpoint.Vocab{Tokens: tokens, Merges: merges, EOS: 50256}
	if err := m.WriteFile(context.Background(), *out, dt); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
