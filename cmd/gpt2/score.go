package main

import (
	"bufio"
	"context"
	"fmt"
	"math"

	"github.com/spf13/cobra"
)

type scoreOptions struct {
	bos    bool
	stride int
	dtype  string
}

func (a *app) scoreCommand() *cobra.Command {
	var o scoreOptions
	cmd := &cobra.Command{
		Use:   "score [TEXT...]",
		Short: "Log-probability and perplexity of a text",
		Long: `Score a text under the model: the log-probability of each token given the ones before
it, their total, and the perplexity, as one JSON object. The text is the arguments joined by
one space, or stdin (one trailing newline dropped). logprobs[i] is the natural log of the
probability of tokens[i+1]; --bos prepends <|endoftext|> so that the first token is scored
too. Texts longer than the model's window are scored in windows that move by --stride tokens
(Hugging Face's perplexity recipe).`,
		Example: `  gpt2 score "The quick brown fox jumps over the lazy dog."
  gpt2 score --bos < essay.txt | jq .perplexity`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runScore(cmd.Context(), o, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.bos, "bos", false, "prepend <|endoftext|> so that the first token is scored too")
	f.IntVar(&o.stride, "stride", 0, "tokens a window moves by on long texts (default: half the window)")
	f.StringVar(&o.dtype, "dtype", "", "weights to run a hub model with: f32, f16, bf16 or q8_0 (default: what is cached)")
	return cmd
}

type scoreResult struct {
	Tokens       []int     `json:"tokens"`
	Logprobs     []float64 `json:"logprobs"`
	TotalLogprob float64   `json:"total_logprob"`
	Perplexity   *float64  `json:"perplexity"`
	TokensScored int       `json:"tokens_scored"`
}

func (a *app) runScore(ctx context.Context, o scoreOptions, args []string) error {
	if o.stride < 0 {
		return usagef("--stride: %d is negative", o.stride)
	}
	text, err := a.textInput(args)
	if err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}
	m, err := a.loadModel(ctx, o.dtype)
	if err != nil {
		return err
	}
	defer m.Close()
	ids := m.Tok.Encode(text)
	if o.bos {
		ids = append([]int{m.EOS}, ids...)
	}
	stride := o.stride
	if stride == 0 {
		stride = max(1, m.Config.NCtx/2)
	}
	lps, err := m.Score(ctx, ids, stride)
	if err != nil {
		if ctx.Err() != nil {
			return errInterrupted
		}
		return err
	}
	res := scoreResult{Tokens: nonNil(ids), Logprobs: lps, TokensScored: len(lps)}
	for _, lp := range lps {
		res.TotalLogprob += lp
	}
	if len(lps) > 0 {
		ppl := math.Exp(-res.TotalLogprob / float64(len(lps)))
		res.Perplexity = &ppl
	}
	w := bufio.NewWriter(a.stdout)
	writeJSONLine(w, res)
	return w.Flush()
}
