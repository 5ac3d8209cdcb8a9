//go:build !purego

package kernels

import "golang.org/x/sys/unix"

// amxPermit asks Linux for the tile data state (XFEATURE_XTILEDATA, 18),
// for every thread of the process (arch_prctl ARCH_REQ_XCOMP_PERM): kernels
// from 5.16 grant it, older ones refuse.
func amxPermit() bool {
	const archReqXcompPerm, xfeatureXTileData = 0x1023, 18
	_, _, errno := unix.Syscall(unix.SYS_ARCH_PRCTL, archReqXcompPerm, xfeatureXTileData, 0)
	return errno == 0
}
