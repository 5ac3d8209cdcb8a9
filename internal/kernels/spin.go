package kernels

// spinPause tells the processor that this is a spin-wait loop (PAUSE on
// amd64, YIELD on arm64), without entering the Go scheduler: a worker
// waiting microseconds for the next job should neither sleep nor take the
// scheduler's locks.
func spinPause() { cpuRelax() }
