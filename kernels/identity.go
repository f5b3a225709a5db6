package kernels

// Identity sets dst = x, the linear activation. It is a copy; with dst and
// x the same slice it does nothing.
func Identity(dst, x []float32) {
	checkLen("Identity", "dst", len(dst), "x", len(x))
	copy(dst, x)
}

// IdentityGrad sets dx = dy, the derivative of the linear activation.
func IdentityGrad(dx, dy []float32) {
	checkLen("IdentityGrad", "dx", len(dx), "dy", len(dy))
	copy(dx, dy)
}
