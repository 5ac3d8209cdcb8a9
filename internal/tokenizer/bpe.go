package tokenizer

import "container/heap"

// Byte-pair encoding of one pre-tokenized piece. Starting from one token per
// byte, the adjacent pair with the lowest merge rank is merged, leftmost first,
// until no adjacent pair has a merge. This is the rule of OpenAI's encoder and
// tiktoken; because every GPT-2 merge was learned after its parts, merging one
// occurrence at a time gives the same result as merging all occurrences of a
// pair per round.

type merge struct {
	rank   int32
	result int32
}

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// smallPiece is the length up to which the quadratic scan is faster than the heap.
const smallPiece = 64

// bpe appends the ids of piece to dst.
func (t *Tokenizer) bpe(dst []int, piece string) []int {
	if id, ok := t.ids[piece]; ok {
		return append(dst, int(id))
	}
	if len(piece) <= smallPiece {
		return t.bpeSmall(dst, piece)
	}
	return t.bpeLarge(dst, piece)
}

func (t *Tokenizer) bpeSmall(dst []int, piece string) []int {
	var buf [smallPiece]int32
	parts := buf[:len(piece)]
	for i := 0; i < len(piece); i++ {
		parts[i] = t.byteID[piece[i]]
	}
	for len(parts) > 1 {
		best, at := int32(-1), -1
		var result int32
		for i := 0; i+1 < len(parts); i++ {
			if m, ok := t.merges[pairKey(parts[i], parts[i+1])]; ok && (best < 0 || m.rank < best) {
				best, at, result = m.rank, i, m.result
			}
		}
		if at < 0 {
			break
		}
		parts[at] = result
		parts = append(parts[:at+1], parts[at+2:]...)
	}
	for _, p := range parts {
		dst = append(dst, int(p))
	}
	return dst
}

// bpeLarge is the same algorithm in O(n log n): the parts form a linked list
// and candidate pairs wait in a heap ordered by (rank, position). A heap entry
// is stale when either side has changed since it was pushed.
func (t *Tokenizer) bpeLarge(dst []int, piece string) []int {
	n := len(piece)
	ids := make([]int32, n)
	next := make([]int32, n)
	prev := make([]int32, n)
	for i := 0; i < n; i++ {
		ids[i] = t.byteID[piece[i]]
		next[i] = int32(i + 1)
		prev[i] = int32(i - 1)
	}
	next[n-1] = -1
	h := &pairHeap{}
	candidate := func(i int32) (pairItem, bool) {
		if i < 0 || next[i] < 0 {
			return pairItem{}, false
		}
		j := next[i]
		m, ok := t.merges[pairKey(ids[i], ids[j])]
		return pairItem{rank: m.rank, pos: i, left: ids[i], right: ids[j], result: m.result}, ok
	}
	for i := int32(0); i+1 < int32(n); i++ {
		if it, ok := candidate(i); ok {
			h.items = append(h.items, it)
		}
	}
	heap.Init(h)
	for h.Len() > 0 {
		it := heap.Pop(h).(pairItem)
		i := it.pos
		j := next[i]
		if ids[i] < 0 || j < 0 || ids[i] != it.left || ids[j] != it.right {
			continue // stale
		}
		ids[i] = it.result
		ids[j] = -1
		next[i] = next[j]
		if next[j] >= 0 {
			prev[next[j]] = i
		}
		for _, k := range [2]int32{prev[i], i} {
			if it, ok := candidate(k); ok {
				heap.Push(h, it)
			}
		}
	}
	for i := int32(0); i >= 0; i = next[i] {
		dst = append(dst, int(ids[i]))
	}
	return dst
}

type pairItem struct {
	rank, pos           int32
	left, right, result int32
}

type pairHeap struct{ items []pairItem }

func (h *pairHeap) Len() int { return len(h.items) }
func (h *pairHeap) Less(a, b int) bool {
	x, y := &h.items[a], &h.items[b]
	return x.rank < y.rank || (x.rank == y.rank && x.pos < y.pos)
}
func (h *pairHeap) Swap(a, b int) { h.items[a], h.items[b] = h.items[b], h.items[a] }
func (h *pairHeap) Push(x any)    { h.items = append(h.items, x.(pairItem)) }
func (h *pairHeap) Pop() any {
	it := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return it
}
