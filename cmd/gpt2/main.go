// Command gpt2 runs OpenAI's GPT-2 on the CPU: generate text, score it,
// tokenize it, fetch and convert checkpoints, and measure speed.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// With SIGPIPE delivered to a channel, a write to a closed stdout fails
	// with EPIPE instead of killing the process, so `gpt2 ... | head` can end
	// quietly with status 0.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
