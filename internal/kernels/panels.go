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
// at least 16 rows, when v has int8 kernels, and of each f32, f16 or bf16
// matrix whose type v's PanelKernels take (panel.go); it leaves the others
// alone. All panels
// share one allocation, so that most of it can be huge pages; the pool
// packs them in parallel.
func PreparePanels(v *Variant, pool *Pool, ws ...*Matrix) {
	size := 0
	for _, w := range ws {
		size += w.panelsBytes(v)
	}
	if size == 0 {
		return
	}
	buf := allocPanels(size)
	for _, w := range ws {
		n := w.panelsBytes(v)
		if n == 0 {
			continue
		}
		w.Panels, buf = buf[:n:n], buf[n:]
		if w.Type != Q8_0 {
			pool.Run(w.panelCount(), 1, &packPanelJob{w: *w, pack: v.Pan.PackPanel, pack16: v.Pan.PackPanel16})
		} else {
			pool.Run(w.Rows/16*16, 16, &packJob{q: v.Q8, w: *w})
		}
	}
}

// panelsBytes is the size of all of the matrix's panels for v (0 for a
// matrix that has none: q8_0 without int8 kernels or with fewer than 16
// rows, other types without a PanelKernels row kernel).
func (m Matrix) panelsBytes(v *Variant) int {
	switch {
	case m.Type == Q8_0 && v.Q8 != nil:
		return m.Rows / 16 * m.panelBytes()
	case m.Type != Q8_0 && v.Pan != nil && v.Pan.Row[m.Type] != nil:
		return m.panelCount() * m.panelSize()
	}
	return 0
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
