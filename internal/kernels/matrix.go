package kernels

import (
	"encoding/binary"
	"fmt"
	"unsafe"
)

// DType is how a weight matrix is stored.
type DType uint8

const (
	F32 DType = iota
	F16
	BF16
	Q8_0
)

func (t DType) String() string {
	return [...]string{"f32", "f16", "bf16", "q8_0"}[t]
}

// Matrix is a weight matrix of Rows×Cols, row-major (each output feature's
// weights contiguous, as GGUF stores them), in one of the storage types.
// Exactly one of the data slices is set.
type Matrix struct {
	Type       DType
	Rows, Cols int
	F32        []float32
	U16        []uint16 // f16 or bf16 bits
	Q8         []byte   // q8_0 blocks, Cols/32 per row

	// Panels is set on a matrix prepared for the variant's kernels
	// (PreparePanels): on q8_0 for int8 kernels, rows [0, Rows/16·16)
	// again, laid out as the tiles read them, 16 rows to a panel; on f32
	// for PanelKernels, all rows again, PanelWidth to a panel (panel.go).
	Panels []byte
}

// NewMatrix views raw little-endian bytes as a matrix without copying them
// (the bytes usually belong to a memory-mapped file).
func NewMatrix(t DType, rows, cols int, data []byte) (Matrix, error) {
	m := Matrix{Type: t, Rows: rows, Cols: cols}
	n := rows * cols
	var need int
	switch t {
	case F32:
		need = 4 * n
	case F16, BF16:
		need = 2 * n
	case Q8_0:
		if cols%Q8Block != 0 {
			return m, fmt.Errorf("q8_0 rows of %d values do not fill whole blocks", cols)
		}
		need = n / Q8Block * Q8BlockBytes
	}
	if len(data) != need {
		return m, fmt.Errorf("%d×%d %v matrix needs %d bytes, got %d", rows, cols, t, need, len(data))
	}
	if n == 0 {
		return m, nil
	}
	switch t {
	case F32:
		if uintptr(unsafe.Pointer(&data[0]))%4 != 0 {
			m.F32 = make([]float32, n)
			for i := range m.F32 {
				m.F32[i] = float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
			}
		} else {
			m.F32 = unsafe.Slice((*float32)(unsafe.Pointer(&data[0])), n)
		}
	case F16, BF16:
		if uintptr(unsafe.Pointer(&data[0]))%2 != 0 {
			m.U16 = make([]uint16, n)
			for i := range m.U16 {
				m.U16[i] = binary.LittleEndian.Uint16(data[2*i:])
			}
		} else {
			m.U16 = unsafe.Slice((*uint16)(unsafe.Pointer(&data[0])), n)
		}
	case Q8_0:
		m.Q8 = data
	}
	return m, nil
}

// FromF32 wraps float32 values as a matrix.
func FromF32(rows, cols int, v []float32) Matrix {
	return Matrix{Type: F32, Rows: rows, Cols: cols, F32: v}
}

// RowBytes is the storage size of one row.
func (m Matrix) RowBytes() int {
	switch m.Type {
	case F32:
		return 4 * m.Cols
	case F16, BF16:
		return 2 * m.Cols
	}
	return m.Cols / Q8Block * Q8BlockBytes
}

// Bytes is the storage size of the matrix.
func (m Matrix) Bytes() int { return m.Rows * m.RowBytes() }

// Row widens row r into dst (len Cols).
func (m Matrix) Row(dst []float32, r int) {
	c := m.Cols
	switch m.Type {
	case F32:
		copy(dst[:c], m.F32[r*c:(r+1)*c])
	case F16:
		for i, h := range m.U16[r*c : (r+1)*c] {
			dst[i] = f16Table[h]
		}
	case BF16:
		for i, h := range m.U16[r*c : (r+1)*c] {
			dst[i] = BF16ToF32(h)
		}
	case Q8_0:
		rb := m.RowBytes()
		DequantizeQ8_0(dst[:c], m.Q8[r*rb:(r+1)*rb])
	}
}

// Slice returns rows [lo, hi) as a matrix sharing storage (without the
// prepared panels).
func (m Matrix) Slice(lo, hi int) Matrix {
	out := Matrix{Type: m.Type, Rows: hi - lo, Cols: m.Cols}
	switch m.Type {
	case F32:
		out.F32 = m.F32[lo*m.Cols : hi*m.Cols]
	case F16, BF16:
		out.U16 = m.U16[lo*m.Cols : hi*m.Cols]
	case Q8_0:
		rb := m.RowBytes()
		out.Q8 = m.Q8[lo*rb : hi*rb]
	}
	return out
}
