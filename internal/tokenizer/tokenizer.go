// Package tokenizer is GPT-2's byte-level BPE: text (any bytes) to token ids
// and back, exactly as OpenAI's encoder and tiktoken's "gpt2" encoding do it.
package tokenizer

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// EndOfText is the text of GPT-2's only special token.
const EndOfText = "<|endoftext|>"

// Tokenizer holds a vocabulary and its merges. It is safe for concurrent use.
type Tokenizer struct {
	tokens [][]byte         // id -> bytes
	ids    map[string]int32 // bytes -> id, ordinary tokens only
	byteID [256]int32       // the token of each single byte
	merges map[uint64]merge
	eot    int // id of <|endoftext|>, -1 if the vocabulary has none
}

//go:embed vocab/encoder.json
var gpt2Encoder []byte

//go:embed vocab/vocab.bpe
var gpt2Merges []byte

var (
	gpt2Once sync.Once
	gpt2Tok  *Tokenizer
	gpt2Err  error
)

// GPT2 returns the tokenizer of OpenAI's GPT-2 (the vocabulary built into the
// binary). It is parsed on first use.
func GPT2() *Tokenizer {
	gpt2Once.Do(func() {
		gpt2Tok, gpt2Err = Load(gpt2Encoder, gpt2Merges)
	})
	if gpt2Err != nil {
		panic("tokenizer: embedded GPT-2 vocabulary is corrupt: " + gpt2Err.Error())
	}
	return gpt2Tok
}

// Load builds a tokenizer from the contents of encoder.json (vocab.json) and
// vocab.bpe (merges.txt).
func Load(vocabJSON, mergesTxt []byte) (*Tokenizer, error) {
	var vocab map[string]int
	if err := json.Unmarshal(vocabJSON, &vocab); err != nil {
		return nil, fmt.Errorf("vocabulary: %v", err)
	}
	tokens := make([]string, len(vocab))
	for s, id := range vocab {
		if id < 0 || id >= len(vocab) {
			return nil, fmt.Errorf("vocabulary: id %d of %q is outside 0..%d", id, s, len(vocab)-1)
		}
		if tokens[id] != "" {
			return nil, fmt.Errorf("vocabulary: id %d appears twice", id)
		}
		tokens[id] = s
	}
	var merges []string
	sc := bufio.NewScanner(bytes.NewReader(mergesTxt))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for first := true; sc.Scan(); first = false {
		line := strings.TrimRight(sc.Text(), "\r")
		if (first && strings.HasPrefix(line, "#version")) || line == "" {
			continue
		}
		merges = append(merges, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("merges: %v", err)
	}
	return New(tokens, merges)
}

// New builds a tokenizer from tokens (indexed by id, in the byte-level
// alphabet) and merges ("A B" in rank order), the form GGUF stores them in.
func New(tokens []string, merges []string) (*Tokenizer, error) {
	t := &Tokenizer{
		tokens: make([][]byte, len(tokens)),
		ids:    make(map[string]int32, len(tokens)),
		merges: make(map[uint64]merge, len(merges)),
		eot:    -1,
	}
	for i := range t.byteID {
		t.byteID[i] = -1
	}
	for id, s := range tokens {
		if s == EndOfText {
			t.eot = id
			t.tokens[id] = []byte(s)
			continue
		}
		b, ok := decodeByteLevel(s)
		if !ok {
			// Added tokens (e.g. "<|pad|>" in some fine-tunes) are spelled in
			// plain text; they decode to themselves and are never produced by BPE.
			t.tokens[id] = []byte(s)
			continue
		}
		t.tokens[id] = b
		if _, dup := t.ids[string(b)]; !dup {
			t.ids[string(b)] = int32(id)
		}
		if len(b) == 1 {
			t.byteID[b[0]] = int32(id)
		}
	}
	for b, id := range t.byteID {
		if id < 0 {
			return nil, fmt.Errorf("vocabulary: no token for byte 0x%02x", b)
		}
	}
	for rank, m := range merges {
		a, b, ok := strings.Cut(m, " ")
		if !ok {
			return nil, fmt.Errorf("merges: line %d (%q) is not two tokens", rank+1, m)
		}
		ab, okA := decodeByteLevel(a)
		bb, okB := decodeByteLevel(b)
		if !okA || !okB {
			return nil, fmt.Errorf("merges: line %d (%q) has a character outside the byte alphabet", rank+1, m)
		}
		ia, okA := t.ids[string(ab)]
		ib, okB := t.ids[string(bb)]
		ir, okR := t.ids[string(ab)+string(bb)]
		if !okA || !okB || !okR {
			return nil, fmt.Errorf("merges: line %d (%q) uses or makes a token not in the vocabulary", rank+1, m)
		}
		k := pairKey(ia, ib)
		if _, dup := t.merges[k]; !dup {
			t.merges[k] = merge{rank: int32(rank), result: ir}
		}
	}
	return t, nil
}

// VocabSize is the number of token ids.
func (t *Tokenizer) VocabSize() int { return len(t.tokens) }

// EOT is the id of <|endoftext|>, or -1.
func (t *Tokenizer) EOT() int { return t.eot }

// Encode returns the ids of text, treating "<|endoftext|>" as ordinary text.
func (t *Tokenizer) Encode(text string) []int { return t.AppendEncode(nil, text) }

// AppendEncode appends the ids of text to dst (ordinary text only).
func (t *Tokenizer) AppendEncode(dst []int, text string) []int {
	for i := 0; i < len(text); {
		j := nextPiece(text, i)
		dst = t.bpe(dst, text[i:j])
		i = j
	}
	return dst
}

// EncodeSpecial is Encode, except that each "<|endoftext|>" in text becomes the
// single end-of-text token.
func (t *Tokenizer) EncodeSpecial(text string) []int {
	if t.eot < 0 {
		return t.Encode(text)
	}
	var ids []int
	for {
		before, after, found := strings.Cut(text, EndOfText)
		ids = t.AppendEncode(ids, before)
		if !found {
			return ids
		}
		ids = append(ids, t.eot)
		text = after
	}
}

// ErrUnknownID reports a token id outside the vocabulary.
var ErrUnknownID = errors.New("token id outside the vocabulary")

// Token returns the bytes of one token.
func (t *Tokenizer) Token(id int) ([]byte, error) {
	if id < 0 || id >= len(t.tokens) {
		return nil, fmt.Errorf("%w: %d (vocabulary has %d)", ErrUnknownID, id, len(t.tokens))
	}
	return t.tokens[id], nil
}

// Decode returns the bytes of ids concatenated.
func (t *Tokenizer) Decode(ids []int) ([]byte, error) {
	var out []byte
	for _, id := range ids {
		b, err := t.Token(id)
		if err != nil {
			return out, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// GPT2Vocab returns GPT-2's vocabulary as GGUF stores it: token strings in
// the byte-level alphabet, by id, and the merges in rank order.
func GPT2Vocab() (tokens, merges []string, err error) {
	var ids map[string]int
	if err := json.Unmarshal(gpt2Encoder, &ids); err != nil {
		return nil, nil, err
	}
	tokens = make([]string, len(ids))
	for s, id := range ids {
		tokens[id] = s
	}
	for _, line := range strings.Split(string(gpt2Merges), "\n") {
		if line != "" && !strings.HasPrefix(line, "#version") {
			merges = append(merges, line)
		}
	}
	return tokens, merges, nil
}
