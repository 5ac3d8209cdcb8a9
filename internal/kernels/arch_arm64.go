//go:build !purego

package kernels

// registerArch adds the NEON variant: Advanced SIMD is part of every arm64 CPU.
func registerArch() { register(neon) }
