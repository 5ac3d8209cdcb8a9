//go:build !purego && !linux

package kernels

// amxPermit: the tile state is Linux's to grant here; elsewhere AMX is not
// used.
func amxPermit() bool { return false }
