package tokenizer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

type refCase struct {
	Text    string `json:"text"`
	IDs     []int  `json:"ids"`
	Special bool   `json:"special"`
}

func loadCases(t testing.TB) []refCase {
	t.Helper()
	f, err := os.Open("testdata/gpt2-cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []refCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var c refCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	if len(cases) != 600 {
		t.Fatalf("read %d cases, want 600", len(cases))
	}
	return cases
}

func TestReferenceCases(t *testing.T) {
	tok := GPT2()
	for i, c := range loadCases(t) {
		var got []int
		if c.Special {
			got = tok.EncodeSpecial(c.Text)
		} else {
			got = tok.Encode(c.Text)
		}
		if !slices.Equal(got, c.IDs) {
			t.Errorf("case %d (special=%v) %q:\n got %v\nwant %v", i, c.Special, trim(c.Text), trimIDs(got), trimIDs(c.IDs))
			continue
		}
		back, err := tok.Decode(c.IDs)
		if err != nil || string(back) != c.Text {
			t.Errorf("case %d: decode gives %q, %v", i, trim(string(back)), err)
		}
	}
}

func trim(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

func trimIDs(ids []int) []int {
	if len(ids) > 30 {
		return ids[:30]
	}
	return ids
}

func TestKnownIDs(t *testing.T) {
	tok := GPT2()
	for _, c := range []struct {
		text string
		ids  []int
	}{
		{"Hello world", []int{15496, 995}},
		{"Hello world\n", []int{15496, 995, 198}},
		{"", nil},
		{"<|endoftext|>", []int{27, 91, 437, 1659, 5239, 91, 29}},
	} {
		if got := tok.Encode(c.text); !slices.Equal(got, c.ids) {
			t.Errorf("Encode(%q) = %v, want %v", c.text, got, c.ids)
		}
	}
	if got := tok.EncodeSpecial("a<|endoftext|>b"); !slices.Equal(got, []int{64, 50256, 65}) {
		t.Errorf("EncodeSpecial = %v", got)
	}
}

// The regexp2 pattern is the definition nextPiece must follow. \s is spelled
// out as Unicode White_Space so that the reference does not depend on which
// flavour of \s the engine has.
const gpt2Pattern = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`

var whiteSpace = `[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]`

func referenceSplitter(t testing.TB) *regexp2.Regexp {
	p := strings.ReplaceAll(gpt2Pattern, `[^\s\p{L}\p{N}]`, `[^\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\p{L}\p{N}]`)
	p = strings.ReplaceAll(p, `\S`, `[^`+whiteSpace[1:])
	p = strings.ReplaceAll(p, `\s`, whiteSpace)
	re, err := regexp2.Compile(p, regexp2.None)
	if err != nil {
		t.Fatal(err)
	}
	re.MatchTimeout = time.Minute
	return re
}

func referencePieces(t testing.TB, re *regexp2.Regexp, s string) []string {
	var out []string
	m, err := re.FindStringMatch(s)
	for ; m != nil && err == nil; m, err = re.FindNextMatch(m) {
		out = append(out, m.String())
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func fastPieces(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		j := nextPiece(s, i)
		out = append(out, s[i:j])
		i = j
	}
	return out
}

func TestPretokenizerMatchesRegexp(t *testing.T) {
	re := referenceSplitter(t)
	texts := []string{
		"Hello world", "  leading", "trailing  ", "a\t\tb", "x \n\n y", "it's I'M we'll 'd 'x",
		"\u0085a\u0085 \ufeffb\ufeff", "١٢٣ 123abc", "日本語のテキスト", "?!'s  ", " ", "\n", "a  ", "   a",
		"don't\u2019s", "e\u0301\u0301", "👍🏽 🇫🇷", "tab\t", "\u00a0\u00a0x",
	}
	for _, c := range loadCases(t) {
		texts = append(texts, c.Text)
	}
	for _, s := range texts {
		want := referencePieces(t, re, s)
		got := fastPieces(s)
		if !slices.Equal(got, want) {
			t.Errorf("pieces of %q:\n got %q\nwant %q", trim(s), got, want)
		}
	}
}

// Random strings over a small alphabet that has one of every kind of character
// the pattern distinguishes, so every pair of classes meets often.
func TestPretokenizerRandom(t *testing.T) {
	re := referenceSplitter(t)
	alphabet := []rune{' ', ' ', '\t', '\n', 'a', 'Z', 's', 't', 'r', 'e', 'l', 'd', 'm', 'v', '\'', '1', '٣', '.', '!', 'é', '日', '\u0085', '\u00a0', '\u3000', '\ufeff', '😀', '\u0301', '_'}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 3000; n++ {
		var sb strings.Builder
		for k := rng.IntN(24); k >= 0; k-- {
			sb.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		s := sb.String()
		if got, want := fastPieces(s), referencePieces(t, re, s); !slices.Equal(got, want) {
			t.Fatalf("pieces of %q:\n got %q\nwant %q", s, got, want)
		}
	}
}

func TestBPELargeEqualsSmall(t *testing.T) {
	tok := GPT2()
	rng := rand.New(rand.NewPCG(3, 4))
	letters := "etaoinshrdlucmfwypvbgkqjxz"
	for n := 0; n < 500; n++ {
		b := make([]byte, 1+rng.IntN(smallPiece))
		for i := range b {
			if rng.IntN(8) == 0 {
				b[i] = byte(rng.IntN(256))
			} else {
				b[i] = letters[rng.IntN(len(letters))]
			}
		}
		small := tok.bpeSmall(nil, string(b))
		large := tok.bpeLarge(nil, string(b))
		if !slices.Equal(small, large) {
			t.Fatalf("%q: small %v large %v", b, small, large)
		}
	}
}

func TestInvalidUTF8RoundTrip(t *testing.T) {
	tok := GPT2()
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 0; n < 200; n++ {
		b := make([]byte, rng.IntN(200))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		back, err := tok.Decode(tok.Encode(string(b)))
		if err != nil || !bytes.Equal(back, b) {
			t.Fatalf("round trip of %x gave %x, %v", b, back, err)
		}
	}
}

// One piece of 20,000 letters must not take quadratic time; this is checked by
// the work done, not by a clock: the heap path is O(n log n).
func TestLongPiece(t *testing.T) {
	tok := GPT2()
	s := strings.Repeat("abcdefghijklmnopqrstuvwxyz", 800)[:20000]
	if got := fastPieces(s); len(got) != 1 {
		t.Fatalf("%d pieces, want 1", len(got))
	}
	ids := tok.Encode(s)
	back, _ := tok.Decode(ids)
	if string(back) != s {
		t.Fatal("round trip failed")
	}
	if got := tok.bpeSmall(nil, s[:smallPiece]); !slices.Equal(got, tok.bpeLarge(nil, s[:smallPiece])) {
		t.Fatal("paths disagree")
	}
}

func TestStreamDecoder(t *testing.T) {
	tok := GPT2()
	text := "naïve café 👍🏽 日本語 🇫🇷 e\u0301"
	ids := tok.Encode(text)
	d := tok.NewStreamDecoder()
	var out []byte
	for _, id := range ids {
		b, err := d.Add(id)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(b) {
			t.Fatalf("emitted %q: not whole characters", b)
		}
		out = append(out, b...)
	}
	out = append(out, d.Flush()...)
	if string(out) != text {
		t.Fatalf("got %q", out)
	}
	if _, err := d.Add(50257); err == nil {
		t.Fatal("id 50257 accepted")
	}
}

func checkStream(t *testing.T, data []byte, cuts []int) {
	d := GPT2().NewStreamDecoder()
	var out []byte
	prev := 0
	for _, c := range append(cuts, len(data)) {
		if c < prev || c > len(data) {
			continue
		}
		chunk := d.Write(data[prev:c])
		// Whatever is emitted ends on a character boundary unless the bytes
		// are invalid anyway.
		if utf8.Valid(data[:prev]) && utf8.Valid(data[:c]) && !utf8.Valid(append(append([]byte{}, out...), chunk...)) {
			t.Fatalf("emitted a split character: %q", chunk)
		}
		out = append(out, chunk...)
		prev = c
	}
	out = append(out, d.Flush()...)
	if !bytes.Equal(out, data) {
		t.Fatalf("stream gave %q, want %q", out, data)
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("Hello world"))
	f.Add([]byte("it's 123 \xff\xfe 日本\n\n  x"))
	f.Add([]byte("<|endoftext|>a"))
	tok := GPT2()
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, ids := range [][]int{tok.Encode(string(b)), tok.EncodeSpecial(string(b))} {
			back, err := tok.Decode(ids)
			if err != nil || !bytes.Equal(back, b) {
				t.Fatalf("round trip of %q gave %q, %v", b, back, err)
			}
		}
		// Pieces tile the input and never split a valid character.
		at := 0
		for _, p := range fastPieces(string(b)) {
			if p == "" {
				t.Fatal("empty piece")
			}
			at += len(p)
			if at < len(b) && utf8.Valid(b) && !utf8.RuneStart(b[at]) {
				t.Fatalf("piece boundary inside a character at %d", at)
			}
		}
	})
}

func FuzzStreamDecoder(f *testing.F) {
	f.Add([]byte("👍🏽 café"), byte(1), byte(3))
	f.Add([]byte("\xf0\x9f\x91"), byte(2), byte(0))
	f.Fuzz(func(t *testing.T, data []byte, a, b byte) {
		checkStream(t, data, []int{int(a) % (len(data) + 1), int(b) % (len(data) + 1)})
	})
}

func benchText(b *testing.B) string {
	cases := loadCases(b)
	var sb strings.Builder
	for sb.Len() < 1<<20 {
		for _, c := range cases {
			sb.WriteString(c.Text)
		}
	}
	return sb.String()[:1<<20]
}

func BenchmarkEncode(b *testing.B) {
	tok := GPT2()
	text := benchText(b)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		tok.Encode(text)
	}
}

func BenchmarkEncodeLongPiece(b *testing.B) {
	tok := GPT2()
	s := strings.Repeat("abcdefghijklmnopqrstuvwxyz", 800)[:20000]
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		tok.Encode(s)
	}
}
