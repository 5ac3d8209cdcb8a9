package tokenizer

// GPT-2's vocabulary files do not store raw bytes: each byte is written as a
// printable Unicode character so that the files are valid text without
// whitespace or control characters inside tokens. Printable Latin-1 bytes stand
// for themselves; the other 68 bytes are moved, in order, to U+0100 and up.
// This file holds that mapping in both directions.

var (
	byteToRune [256]rune
	runeToByte map[rune]byte
)

func init() {
	runeToByte = make(map[rune]byte, 256)
	next := rune(256)
	for b := 0; b < 256; b++ {
		printable := (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)
		r := rune(b)
		if !printable {
			r = next
			next++
		}
		byteToRune[b] = r
		runeToByte[r] = byte(b)
	}
}

// decodeByteLevel turns a token as written in encoder.json / vocab.json / GGUF
// (byte-level alphabet) back into its bytes. ok is false if a character is not
// part of the alphabet, which means the string is not a byte-level token.
func decodeByteLevel(s string) (b []byte, ok bool) {
	b = make([]byte, 0, len(s))
	for _, r := range s {
		c, found := runeToByte[r]
		if !found {
			return nil, false
		}
		b = append(b, c)
	}
	return b, true
}

// EncodeByteLevel writes bytes in the byte-level alphabet of the vocabulary files.
func EncodeByteLevel(b []byte) string {
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = byteToRune[c]
	}
	return string(rs)
}
