package kernels

import "runtime"

// spinPause yields the processor briefly inside a spin-wait loop.
func spinPause() { runtime.Gosched() }
