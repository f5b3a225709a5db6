package nn

// Param is one trainable tensor of a layer: its values, the gradient of
// the loss with respect to them, and the shape they have in a saved model.
type Param struct {
	// Name is the tensor's name within its layer ("weight", "bias"), as
	// in PyTorch; a model prefixes it with the layer's index.
	Name string
	// Shape is the tensor's shape in a saved model: [out, in] for a
	// Dense layer's weight, [out] for its bias.
	Shape []int
	// Value holds the parameters, row-major; Grad, of the same length,
	// holds the gradient once a backward pass has written it (see
	// HasGrad).
	Value, Grad []float32

	hasGrad bool
}

// newParam returns a zero parameter of the given shape.
func newParam(name string, shape ...int) *Param {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return &Param{Name: name, Shape: shape, Value: make([]float32, n), Grad: make([]float32, n)}
}

// HasGrad reports whether Grad holds a gradient: true after a backward
// pass, false after ZeroGrad.
func (p *Param) HasGrad() bool { return p.hasGrad }

// ZeroGrad empties the gradient, as PyTorch's zero_grad(set_to_none=True)
// does: the next backward pass writes Grad instead of adding to it, which
// saves a pass over every gradient per training step. Until then Grad's
// contents are meaningless and HasGrad is false.
func (p *Param) ZeroGrad() { p.hasGrad = false }

// gradBeta returns the factor a backward pass applies to Grad before
// adding its own contribution: 0 to overwrite an empty gradient, 1 to
// accumulate; and marks the gradient as written.
func (p *Param) gradBeta() float32 {
	if p.hasGrad {
		return 1
	}
	p.hasGrad = true
	return 0
}
