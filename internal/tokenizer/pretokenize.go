package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// The GPT-2 pre-tokenizer splits text into pieces with the regular expression
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// where \s is Unicode White_Space. Go's regexp has neither lookahead nor Unicode
// \s, and a backtracking engine is slow, so nextPiece is a hand-written scanner
// that makes the same choices in one forward pass: each alternative above is
// either a literal or a run of one character class, so the only "backtrack" is
// the whitespace rule, which gives back the last whitespace character of a run
// that is followed by a non-space. The test suite checks it against regexp2.

type charClass uint8

const (
	classOther charClass = iota
	classLetter
	classNumber
	classSpace
)

var asciiClass [128]charClass

func init() {
	for c := 0; c < 128; c++ {
		asciiClass[c] = slowClass(rune(c))
	}
}

func slowClass(r rune) charClass {
	switch {
	case unicode.IsLetter(r):
		return classLetter
	case unicode.IsNumber(r):
		return classNumber
	case unicode.IsSpace(r): // Go's IsSpace is exactly Unicode White_Space.
		return classSpace
	}
	return classOther
}

// runeAt decodes the character at s[i]. Bytes that are not valid UTF-8 are
// taken one at a time and count as "other", like U+FFFD would.
func runeAt(s string, i int) (charClass, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		return asciiClass[c], 1
	}
	r, w := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && w == 1 {
		return classOther, 1
	}
	return slowClass(r), w
}

// nextPiece returns the end of the piece that starts at s[i] (i < len(s)).
func nextPiece(s string, i int) int {
	n := len(s)
	if s[i] == '\'' && i+1 < n {
		switch s[i+1] {
		case 's', 't', 'm', 'd':
			return i + 2
		case 'r', 'v':
			if i+2 < n && s[i+2] == 'e' {
				return i + 3
			}
		case 'l':
			if i+2 < n && s[i+2] == 'l' {
				return i + 3
			}
		}
	}
	j := i
	if s[i] == ' ' && i+1 < n {
		j = i + 1
	}
	cls, w := runeAt(s, j)
	if cls != classSpace {
		// ` ?\p{L}+`, ` ?\p{N}+` or ` ?[^\s\p{L}\p{N}]+`: one run of a class.
		j += w
		for j < n {
			c, w := runeAt(s, j)
			if c != cls {
				break
			}
			j += w
		}
		return j
	}
	// A whitespace run starting at i.
	j, last := i, i
	for j < n {
		c, w := runeAt(s, j)
		if c != classSpace {
			break
		}
		last = j
		j += w
	}
	if j < n && last > i {
		// `\s+(?!\S)`: leave the last space to lead the next piece.
		return last
	}
	return j // at the end of the text, or a single space before a non-space (`\s+`)
}
