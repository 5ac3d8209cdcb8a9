//go:build !purego

package kernels

func registerArch() {
	if hasAVX512VNNI() {
		register(avx512vnni)
	}
	if hasAVX512() {
		register(avx512)
	}
	if hasAVX2VNNI() {
		register(avx2vnni)
	}
	if hasAVX2() {
		register(avx2)
	}
}
