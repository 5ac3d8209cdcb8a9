package transformer

// RNG is the random source of sampling: xoshiro256** seeded through
// SplitMix64, written here so that a seed means the same stream of numbers
// on every platform, Go version and thread count.
type RNG struct{ s [4]uint64 }

// NewRNG returns the generator for (seed, stream): each sample of a
// request draws from its own stream of the request's seed.
func NewRNG(seed, stream uint64) *RNG {
	r := &RNG{}
	x := seed ^ (stream * 0x9e3779b97f4a7c15) ^ (stream << 17)
	for i := range r.s {
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		r.s[i] = z ^ (z >> 31)
	}
	return r
}

func rotl(x uint64, k uint) uint64 { return x<<k | x>>(64-k) }

// Uint64 returns the next 64 random bits.
func (r *RNG) Uint64() uint64 {
	s := &r.s
	out := rotl(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = rotl(s[3], 45)
	return out
}

// Float64 returns a uniform number in [0, 1) with 53 random bits.
func (r *RNG) Float64() float64 { return float64(r.Uint64()>>11) * 0x1p-53 }
