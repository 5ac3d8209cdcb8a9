package kernels

// farJob is the decode of an f32, f16 or bf16 matrix on kernels with a
// FarDot (DotKernels.Far = F): the matrix's rows are cut into F parts of R
// rows, and index i < R of the job is row i of every part, read side by
// side. With the pool's contiguous shares, each thread then streams F
// far-apart runs of rows as long as its share, and the pieces it takes
// continue them; cutting each piece into F parts instead restarted
// the streams every piece (four runs of 12 rows for a 768-row matrix at two
// threads), which the kernels' prefetch overshoots. f16 decode at two
// threads, the two paths in alternate rounds of one process: 204–231 →
// 221–257 tok/s. Index R is the rows past F·R. Every output is still one
// row kernel's sum, so the bits are those of any other path.
type farJob struct {
	j *matJob
	r int // rows per part
}

// start sets the job up for j's matrix and returns its index count.
func (f *farJob) start(j *matJob) int {
	f.j, f.r = j, j.w.Rows/j.k.Far
	return f.r + 1
}

// farDecode reports whether a product of rows activation rows by w goes
// by farJob: one row, a FarDot, and at least two rows per part.
func farDecode(v *Variant, w Matrix, rows int) bool {
	dk := &v.Dot[w.Type]
	return rows == 1 && w.Type != Q8_0 && dk.Far > 0 && w.Rows >= 2*dk.Far
}

// Run computes the outputs of indices [lo, hi), bias added: the kernel
// takes the whole blocks of columns, the columns past them are added one
// by one (addColumns), then the bias, as mulRange and matJob.Run do.
func (f *farJob) Run(worker, lo, hi int) {
	j := f.j
	far, k := j.k.Far, j.w.Cols
	main := k - k%j.v.Block
	out := j.scratch[worker][:far]
	parts := min(hi, f.r) // indices [lo, parts) are rows of every part
	for i := lo; i < parts; i++ {
		j.k.FarDot(main, &j.x[0], &j.data[i*j.ldw], f.r*j.ldw, &out[0], false)
		for s, v := range out {
			j.dst[s*f.r+i] = v
		}
	}
	for s := 0; lo < parts && s < far; s++ {
		a, b := s*f.r+lo, s*f.r+parts
		addColumns(j.w.Type, j.dst, 0, j.x, 0, 1, j.data, j.ldw, a, b, main, k)
		j.addBias(a, b)
	}
	if hi <= f.r {
		return
	}
	first := far * f.r
	mulRange(j.v, j.w.Type, nil, j.dst, j.w.Rows, j.x, k, 1, j.data, j.ldw, first, j.w.Rows, k, false)
	j.addBias(first, j.w.Rows)
}
