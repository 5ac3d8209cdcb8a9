package tokenizer

import "unicode/utf8"

// StreamDecoder turns tokens into text one at a time for streaming output.
// A token may end inside a multi-byte character (emoji are often split over
// two or three tokens); the decoder holds such a tail back until the character
// is complete, so a terminal never shows half a character. Bytes that can never
// become valid UTF-8 are passed through as they are, so the concatenated output
// is always exactly Decode of all the tokens.
type StreamDecoder struct {
	t       *Tokenizer
	pending []byte
}

// NewStreamDecoder returns a decoder for t.
func (t *Tokenizer) NewStreamDecoder() *StreamDecoder { return &StreamDecoder{t: t} }

// Add appends a token and returns the bytes that are now safe to show. The
// returned slice is valid until the next call.
func (d *StreamDecoder) Add(id int) ([]byte, error) {
	b, err := d.t.Token(id)
	if err != nil {
		return nil, err
	}
	return d.Write(b), nil
}

// Write appends raw bytes and returns those now safe to show.
func (d *StreamDecoder) Write(b []byte) []byte {
	d.pending = append(d.pending, b...)
	cut := CompleteUTF8(d.pending)
	out := make([]byte, cut)
	copy(out, d.pending[:cut])
	d.pending = append(d.pending[:0], d.pending[cut:]...)
	return out
}

// Flush returns whatever is held back (an incomplete character at the end of
// the stream, shown as the raw bytes it is).
func (d *StreamDecoder) Flush() []byte {
	out := d.pending
	d.pending = nil
	return out
}

// CompleteUTF8 returns the length of the longest prefix of b that does not
// end in the middle of a character that more bytes could still complete
// (bytes that can never become valid UTF-8 count as complete).
func CompleteUTF8(b []byte) int {
	n := len(b)
	// A character is at most 4 bytes: look back at most 3 bytes for its start.
	for k := 1; k <= 3 && k <= n; k++ {
		c := b[n-k]
		if c < utf8.RuneSelf {
			return n // ASCII: nothing open
		}
		if utf8.RuneStart(c) {
			if utf8.FullRune(b[n-k:]) {
				return n // complete (or definitely invalid, which waiting cannot fix)
			}
			return n - k
		}
	}
	return n
}
