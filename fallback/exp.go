package fallback

import "math"

// The transcendental kernels are float32 approximations built so that the
// SIMD versions can run the same steps branch-free, lane by lane: clamp,
// reduce, evaluate a polynomial, scale by building exponent bits. Every
// product that feeds a sum is wrapped in float32(...): Go may otherwise fuse
// it into an FMA on arm64, ppc64 and s390x but not on amd64, and the
// conversion keeps the rounding, so results are identical on every GOARCH
// (NaN payloads aside) and the error bound measured on one holds on all.

const (
	// expHi and expLo clamp the argument of expSplit, so that n stays
	// within [−159, 128] and each half of 2ⁿ is a normal float32. Above
	// ln(FLT_MAX) ≈ 88.7228 the result overflows to +Inf anyway; below
	// ln(2⁻¹⁵⁰) ≈ −103.972 it rounds to 0 anyway.
	expHi = 88.8
	expLo = -110

	// expTinyR is 2⁻³⁰ as bits: below it r² cannot change eʳ, and r·r would
	// underflow, which costs a hundred cycles or so on many CPUs.
	expTinyR = 0x30800000

	log2e = 1.44269504088896341 // 1/ln 2
	// ln2Hi + ln2Lo = ln 2 to about 36 bits. ln2Hi has 9 significant bits,
	// so n·ln2Hi is exact for |n| < 2¹⁵ and x − n·ln2Hi is exact (Sterbenz):
	// only the small n·ln2Lo term rounds.
	ln2Hi = 0.693359375
	ln2Lo = -2.12194440e-4

	// roundMagic is 1.5·2²³: adding it to a float32 of magnitude below 2²²
	// rounds it to an integer (round to nearest even) and leaves that
	// integer in the low mantissa bits.
	roundMagic = 0x1.8p23

	// exp2..exp6: minimax (Remez, relative error) coefficients of
	// eʳ ≈ 1 + r + r²·(exp2 + exp3·r + exp4·r² + exp5·r³ + exp6·r⁴) on
	// |r| ≤ ln2/2; the approximation error is below 2⁻²⁸, about 1/16 ULP.
	exp2 = 0.49999994
	exp3 = 0.166665211
	exp4 = 0.041668389
	exp5 = 0.00836874545
	exp6 = 0.00138145406
)

// Exp sets dst[i] = e^x[i].
func Exp(dst, x []float32) {
	expSplit(dst, dst, x)
}

// expSplit sets hi[i] to e^x[i] rounded to float32 and lo[i] to most of
// what that rounding dropped: hi[i] + lo[i] is e^x[i] to within 2⁻²⁵
// relative (2⁻²⁵·⁵ at most over the whole range; TestExpSplitTail checks
// 2⁻²⁵ on a sample and logs its largest) while lo[i] is normal, i.e. for
// x ≥ −69.
// Sigmoid and Tanh use the pair so that exp's own rounding does not add
// to theirs. lo may be hi, to discard the tail: lo[i] is stored before
// hi[i].
//
// x = n·ln2 + r with |r| ≤ ln2/2, eʳ from a polynomial, and 2ⁿ applied as
// two factors 2^⌊n/2⌋·2^⌈n/2⌉ built from exponent bits, so that n = 128
// (results that overflow to +Inf) and n down to −150 (results in the
// denormals, rounded once by the last multiply) need no special case. NaN
// passes through the comparisons and the arithmetic as NaN. The body is
// written out in this one loop, which every other kernel calls on blocks,
// because it is too large for the compiler to inline.
func expSplit(hi, lo, x []float32) {
	hi, lo = hi[:len(x)], lo[:len(x)]
	for i, v := range x {
		if v > expHi {
			v = expHi
		}
		if v < expLo {
			v = expLo
		}
		t := float32(v*log2e) + roundMagic
		n := t - roundMagic
		rh := v - float32(n*ln2Hi) // exact
		rl := float32(n * ln2Lo)
		r := rh - rl
		rb := math.Float32bits(r)
		rq := math.Float32frombits(rb & uint32(int32(expTinyR-1-rb&^signBit)>>31)) // 0 where |r| < 2⁻³⁰
		// Estrin's scheme: a shorter chain of dependent operations than
		// Horner's, which the loop's speed depends on.
		r2 := float32(rq * rq)
		qa := float32(exp3*rq) + exp2
		qb := float32(exp5*rq) + exp4
		qb = float32(exp6*r2) + qb
		q := float32(qb*r2) + qa
		u := float32(r2*q) - rl
		// eʳ = 1 + rh + u, with 1 + rh kept exact as s + (1−s+rh)
		// (Fast2Sum, |rh| < 1) so that neither r nor 1 + r is rounded on
		// its own; p + pl is the sum, p rounded once.
		s := 1 + rh
		c := ((1 - s) + rh) + u
		p := s + c
		pl := c - (p - s)
		k := int32(math.Float32bits(t)) - 0x4B400000 // n as an integer
		k1 := k >> 1
		k2 := k - k1
		s1 := math.Float32frombits(uint32(k1+127) << 23)
		s2 := uint32(k2+127) << 23
		// For n < −150 the result rounds to 0: s2 = 0 gives it without an
		// underflowing multiply, which would take the slow path.
		s2 &^= uint32((k + 150) >> 31)
		lo[i] = pl * s1 * math.Float32frombits(s2)
		hi[i] = p * s1 * math.Float32frombits(s2)
	}
}
