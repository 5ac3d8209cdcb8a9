//go:build unix

package kernels

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// allocPanels returns n bytes for panels, asking the kernel to back the
// whole 2 MiB pages inside them with huge pages (where transparent huge
// pages are on "madvise"): the fresh memory is first touched as it is
// packed, and on a virtual machine each 4 KiB page's first touch costs
// microseconds.
func allocPanels(n int) []byte {
	b := make([]byte, n)
	const huge = 2 << 20
	p := unsafe.Pointer(unsafe.SliceData(b))
	skip := int((huge - uintptr(p)%huge) % huge)
	if whole := (n - skip) / huge * huge; whole > 0 {
		unix.Madvise(unsafe.Slice((*byte)(unsafe.Add(p, skip)), whole), unix.MADV_HUGEPAGE)
	}
	return b
}
