package kernels

// Panels prepared once at load for the int8 kernels. Packing a q8_0
// matrix's 16-row panels for every product cost up to 14 % of a prefill,
// and decoding from the stored rows needs a horizontal sum per row and
// block and a gather of 16 scales; from panels, one activation row is the
// tile kernel's work for one row (Tile1), and the weights stream from
// memory in one sequence. A panel takes the bytes of the 16 rows it holds,
// so the prepared copy costs as much memory as the matrix (the stored
// rows, usually in the mapped file, stay for the embedding lookups and
// the rows past the last whole panel, and are otherwise not read).

// PreparePanels returns w with Panels filled, when v has int8 kernels that
// decode from panels and w is a q8_0 matrix of at least 16 rows; otherwise
// w unchanged. The pool packs the panels in parallel.
func PreparePanels(v *Variant, pool *Pool, w Matrix) Matrix {
	if v.Q8 == nil || v.Q8.Tile1 == nil || w.Type != Q8_0 || w.Rows < 16 {
		return w
	}
	w.Panels = make([]byte, w.Rows/16*w.panelBytes())
	pool.Run(w.Rows/16*16, 16, &packJob{q: v.Q8, w: w})
	return w
}

// panelBytes is the size of one 16-row panel.
func (m Matrix) panelBytes() int { return m.Cols / Q8Block * q8PackBytes }

// packJob packs the panels of rows [lo, hi) (multiples of 16).
type packJob struct {
	q *Q8Kernels
	w Matrix
}

func (j *packJob) Run(_, lo, hi int) {
	rb, pb := j.w.RowBytes(), j.w.panelBytes()
	for n := lo; n < hi; n += 16 {
		j.q.Pack(j.w.Cols, &j.w.Q8[n*rb], rb, &j.w.Panels[n/16*pb])
	}
}
