//go:build !purego

package kernels

func registerArch() {}
