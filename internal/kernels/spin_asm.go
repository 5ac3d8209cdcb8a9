//go:build !purego && (amd64 || arm64)

package kernels

// cpuRelax is one PAUSE (amd64) or YIELD (arm64) instruction.
//
//go:noescape
func cpuRelax()
