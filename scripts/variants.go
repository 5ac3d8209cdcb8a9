//go:build ignore

// Prints the kernel variants this machine can run, one per line (for CI).
package main

import (
	"fmt"

	"gpt2/internal/kernels"
)

func main() {
	for _, v := range kernels.Variants() {
		fmt.Println(v.Name)
	}
}
