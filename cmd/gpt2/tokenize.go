package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"gpt2/internal/tokenizer"
)

type tokenizeOptions struct {
	format  string
	decode  bool
	special bool
	jsonl   bool
}

func (a *app) tokenizeCommand() *cobra.Command {
	var o tokenizeOptions
	cmd := &cobra.Command{
		Use:   "tokenize [TEXT...]",
		Short: "Turn text into GPT-2 token ids, or ids back into text",
		Long: `Tokenize text with GPT-2's byte-level BPE (the ids OpenAI's GPT-2 and tiktoken's
"gpt2" encoding give). The text is the arguments joined by one space, or stdin (one trailing
newline dropped). <|endoftext|> is ordinary text unless --special.`,
		Example: `  gpt2 tokenize "Hello world"              # 15496 995
  echo "Hello world" | gpt2 tokenize --format json
  gpt2 tokenize --decode 15496 995          # Hello world
  gpt2 tokenize --format count < book.txt
  printf '{"text":"a"}\n{"text":"b"}\n' | gpt2 tokenize --jsonl`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runTokenize(o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "ids", "output: ids (space-separated), json, or count")
	f.BoolVar(&o.decode, "decode", false, "read token ids (space- or comma-separated, or a JSON array) and print their text")
	f.BoolVar(&o.special, "special", false, "treat <|endoftext|> in the text as token 50256")
	f.BoolVar(&o.jsonl, "jsonl", false, `read one JSON object {"text": ...} (or string) per stdin line, write one {"ids": [...]} per line`)
	return cmd
}

func (a *app) runTokenize(o tokenizeOptions, args []string) error {
	switch o.format {
	case "ids", "json", "count":
	default:
		return usagef("--format: %q is not one of ids, json, count", o.format)
	}
	tok := tokenizer.GPT2()
	if o.jsonl {
		if len(args) > 0 {
			return usagef("tokenize: --jsonl reads stdin; got arguments")
		}
		return a.tokenizeJSONL(tok, o)
	}
	text, err := a.textInput(args)
	if err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}
	w := bufio.NewWriter(a.stdout)
	if o.decode {
		ids, err := parseIDs(text, tok.VocabSize())
		if err != nil {
			return usageError{fmt.Errorf("tokenize --decode: %w", err)}
		}
		b, _ := tok.Decode(ids)
		w.Write(b)
		return w.Flush()
	}
	ids := encode(tok, text, o.special)
	switch o.format {
	case "ids":
		for i, id := range ids {
			if i > 0 {
				w.WriteByte(' ')
			}
			w.WriteString(strconv.Itoa(id))
		}
		w.WriteByte('\n')
	case "count":
		fmt.Fprintln(w, len(ids))
	case "json":
		writeJSONLine(w, tokenizeResult{IDs: nonNil(ids), Tokens: tokenStrings(tok, ids)})
	}
	return w.Flush()
}

type tokenizeResult struct {
	IDs    []int    `json:"ids"`
	Tokens []string `json:"tokens,omitempty"`
	Count  *int     `json:"count,omitempty"`
}

func encode(tok *tokenizer.Tokenizer, text string, special bool) []int {
	if special {
		return tok.EncodeSpecial(text)
	}
	return tok.Encode(text)
}

func nonNil(ids []int) []int {
	if ids == nil {
		return []int{}
	}
	return ids
}

func tokenStrings(tok *tokenizer.Tokenizer, ids []int) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		b, _ := tok.Token(id)
		out[i] = string(b)
	}
	return out
}

// tokenizeJSONL answers line by line, flushing each answer, so that a
// program on the other side of a pipe can talk to it one request at a time.
func (a *app) tokenizeJSONL(tok *tokenizer.Tokenizer, o tokenizeOptions) error {
	r := bufio.NewReaderSize(a.stdin, 1<<16)
	w := bufio.NewWriter(a.stdout)
	for lineNo := 1; ; lineNo++ {
		line, err := r.ReadBytes('\n')
		if len(line) == 0 && err == io.EOF {
			return nil
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("reading stdin: %w", err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if o.decode {
			var in struct {
				IDs []int `json:"ids"`
			}
			if err := json.Unmarshal(line, &in); err != nil {
				return usagef("tokenize: stdin line %d: want {\"ids\": [...]}: %v", lineNo, err)
			}
			if err := checkIDs(in.IDs, tok.VocabSize()); err != nil {
				return usagef("tokenize: stdin line %d: %v", lineNo, err)
			}
			b, _ := tok.Decode(in.IDs)
			writeJSONLine(w, struct {
				Text string `json:"text"`
			}{string(b)})
		} else {
			text, err := jsonText(line)
			if err != nil {
				return usagef("tokenize: stdin line %d: %v", lineNo, err)
			}
			ids := encode(tok, text, o.special)
			res := tokenizeResult{IDs: nonNil(ids)}
			switch o.format {
			case "json":
				res.Tokens = tokenStrings(tok, ids)
			case "count":
				n := len(ids)
				res.Count = &n
			}
			writeJSONLine(w, res)
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
}

// jsonText reads a JSONL line that is either a JSON string or an object with
// a "text" string.
func jsonText(line []byte) (string, error) {
	line = bytes.TrimSpace(line)
	if len(line) > 0 && line[0] == '"' {
		var s string
		err := json.Unmarshal(line, &s)
		return s, err
	}
	var obj struct {
		Text *string `json:"text"`
	}
	if err := json.Unmarshal(line, &obj); err != nil || obj.Text == nil {
		return "", fmt.Errorf(`want a JSON string or {"text": "..."}`)
	}
	return *obj.Text, nil
}

// writeJSONIndent writes v as indented JSON, for people to read.
func writeJSONIndent(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// writeJSONLine writes v as one line of JSON, with <, > and & left as they
// are (token text like "<|endoftext|>" should read as itself).
func writeJSONLine(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// parseIDs reads token ids separated by spaces or commas, or a JSON array.
func parseIDs(s string, vocab int) ([]int, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	ids := make([]int, 0, len(fields))
	for _, f := range fields {
		id, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a token id", f)
		}
		ids = append(ids, id)
	}
	return ids, checkIDs(ids, vocab)
}

func checkIDs(ids []int, vocab int) error {
	for _, id := range ids {
		if id < 0 || id >= vocab {
			return fmt.Errorf("token id %d is outside the vocabulary (0..%d)", id, vocab-1)
		}
	}
	return nil
}
