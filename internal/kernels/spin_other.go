//go:build purego || !(amd64 || arm64)

package kernels

// cpuRelax does nothing where there is no assembly.
func cpuRelax() {}
