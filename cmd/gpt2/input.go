package main

import (
	"io"
	"strings"
)

// textInput is the text a command works on: its arguments joined by one
// space, or all of stdin when there are none (or the only one is "-"). One
// trailing newline is dropped from stdin, because `echo "..." | gpt2` and
// here-strings add it without meaning it as part of the text; --jsonl input
// carries text exactly.
func (a *app) textInput(args []string) (string, error) {
	if len(args) > 0 && !(len(args) == 1 && args[0] == "-") {
		return strings.Join(args, " "), nil
	}
	b, err := io.ReadAll(a.stdin)
	if err != nil {
		return "", err
	}
	s := string(b)
	if strings.HasSuffix(s, "\r\n") {
		s = s[:len(s)-2]
	} else if strings.HasSuffix(s, "\n") {
		s = s[:len(s)-1]
	}
	return s, nil
}
