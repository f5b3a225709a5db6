package main

import (
	"math"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/reg"
)

// Tanh and Sigmoid, fallback.Tanh's and fallback.Sigmoid's steps lane by
// lane on the vector exp's hi + lo pair, rounding for rounding. The one
// fused operation is the division's residual num − y·d: the fallback forms
// it in float64, where y·d is exact and, y being the correctly rounded
// quotient, so is the difference, which it then rounds to float32 once;
// an FMA rounds the same exact value once, so the bits agree.

// tanh's constants, fallback/tanh.go's literals.
const (
	tanhSmall = 0.625
	tanhSat   = 9.1
	tanhTiny  = 0x39800000
	tanh1     = -0.333332807
	tanh2     = 0.133314416
	tanh3     = -0.0537397154
	tanh4     = 0.020639088
	tanh5     = -0.00570498733
)

// tanhKernel is dst = tanh(x), as fallback.Tanh.
func tanhKernel(tab *ctab) kernel {
	return unaryKernel(tab, "Tanh", []string{
		"sets dst[i] = tanh(x[i]) for every i < len(x): fallback.Tanh's",
		"algorithm with its roundings, so its results bit for bit but for NaN",
		"payloads. dst must be as long as x (unchecked) and either be x or not",
		"overlap it.",
	}, func(v vm, one reg.VecVirtual) func(reg.VecVirtual) reg.VecVirtual {
		e := newExp(v, one)
		sat := v.reg(kf(tanhSat))
		return func(x reg.VecVirtual) reg.VecVirtual {
			a := v.and(x, ki(0x7fffffff))
			h, l := e.emit(v.mul(v.minKeepNaN(a, sat), kf(-2)), true)

			// a + a³·P(a²), with a³ dropped below 2⁻¹² (it would
			// underflow for tiny a).
			ac := v.above(a, ki(tanhTiny-1)).keep(a)
			t := v.mul(ac, ac)
			p := v.add(v.mul(t, kf(tanh5)), kf(tanh4))
			p = v.add(v.mul(p, t), kf(tanh3))
			p = v.add(v.mul(p, t), kf(tanh2))
			p = v.add(v.mul(p, t), kf(tanh1))
			small := v.add(a, v.mul(v.mul(ac, t), p))

			// (1 − e)/(1 + e), corrected once by the residual.
			n := v.sub(one, h)
			nLo := v.sub(v.sub(v.sub(one, n), h), l)
			d := v.add(one, h)
			dLo := v.add(v.add(v.sub(one, d), h), l)
			y := v.div(n, d)
			rho := v.add(v.fnmadd(y, d, n), v.sub(nLo, v.mul(y, dLo)))
			large := v.add(y, v.mul(rho, v.add(v.mul(y, kf(0.5)), kf(0.5))))

			r := v.above(a, ki(math.Float32bits(tanhSmall)-1)).pick(large, small)
			return v.or(r, v.and(x, ki(0x80000000)))
		}
	})
}

// sigmoidKernel is dst = σ(x), as fallback.Sigmoid.
func sigmoidKernel(tab *ctab) kernel {
	return unaryKernel(tab, "Sigmoid", []string{
		"sets dst[i] = 1/(1 + e^−x[i]) for every i < len(x):",
		"fallback.Sigmoid's algorithm with its roundings, so its results bit for",
		"bit but for NaN payloads. dst must be as long as x (unchecked) and",
		"either be x or not overlap it.",
	}, func(v vm, one reg.VecVirtual) func(reg.VecVirtual) reg.VecVirtual {
		e := newExp(v, one)
		zero := zeroed(v.c, v.s)
		return func(x reg.VecVirtual) reg.VecVirtual {
			h, l := e.emit(v.or(x, ki(0x80000000)), true) // e^−|x|
			neg := v.signSet(x)
			num := neg.pick(h, one)
			numLo := neg.pick(l, zero)
			d := v.add(one, h)
			dLo := v.add(v.add(v.sub(one, d), h), l)
			y := v.div(num, d)
			rho := v.add(v.fnmadd(y, d, num), v.sub(numLo, v.mul(y, dLo)))
			w := neg.pick(v.sub(one, y), y)
			return v.add(y, v.mul(rho, w))
		}
	})
}

func transcendentalFamily(c *build.Context) {
	tab := newCtab(c, "transconst")
	generateAll(c, expKernel(tab), tanhKernel(tab), sigmoidKernel(tab), expFastKernel(tab))
}
