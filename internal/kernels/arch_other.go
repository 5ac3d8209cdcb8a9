//go:build purego || !(amd64 || arm64)

package kernels

// registerArch has nothing to add: only the generic variant exists here.
func registerArch() {}
