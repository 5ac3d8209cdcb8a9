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

// PreparePanels fills in the Panels of each matrix in ws that is q8_0 with
// at least 16 rows, when v has int8 kernels (else it does nothing). All
// panels share one allocation, so that most of it can be huge pages; the
// pool packs them in parallel.
func PreparePanels(v *Variant, pool *Pool, ws ...*Matrix) {
	if v.Q8 == nil {
		return
	}
	size := 0
	for _, w := range ws {
		size += w.panelsBytes()
	}
	if size == 0 {
		return
	}
	buf := allocPanels(size)
	for _, w := range ws {
		if n := w.panelsBytes(); n > 0 {
			w.Panels, buf = buf[:n:n], buf[n:]
			pool.Run(w.Rows/16*16, 16, &packJob{q: v.Q8, w: *w})
		}
	}
}

// panelsBytes is the size of all of the matrix's panels (0 for a matrix
// that has none: not q8_0, or fewer than 16 rows).
func (m Matrix) panelsBytes() int {
	if m.Type != Q8_0 {
		return 0
	}
	return m.Rows / 16 * m.panelBytes()
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
