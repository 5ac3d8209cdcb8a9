//go:build !purego

package kernels

// registerArch adds the NEON variant (Advanced SIMD is part of every arm64
// CPU) and, after it, neondot where the CPU has SDOT: not yet the default,
// as its speed is unmeasured (see q8act_arm64.go).
func registerArch() {
	register(neon)
	if hasNEONDot() {
		register(neondot)
	}
}
