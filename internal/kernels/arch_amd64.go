//go:build !purego

package kernels

func registerArch() {
	if hasAVX512() {
		register(avx512)
	}
}
