package nn

// Layer is one step of a model. The layers of this package are [Dense]
// and the activations ([ReLU], [Tanh], ...); a user's own layer joins a
// [Sequential] by implementing this interface, and [GradCheck] verifies
// its Backward against its Forward.
type Layer interface {
	// Forward returns the layer's output for the batch x, one sample per
	// row. The result may be a view of a buffer the layer owns (valid
	// until its next Forward) or x itself; Backward may read x, so the
	// caller leaves x unchanged until then.
	Forward(x Matrix) (Matrix, error)

	// Backward takes dy, the gradient of the loss with respect to the
	// last Forward's output, adds the gradients of the layer's
	// parameters to their Grad (see [Param.ZeroGrad]) and returns the
	// gradient with respect to the last Forward's input. When
	// needInputGrad is false (the first layer of a model) it may skip
	// that and return an empty Matrix.
	Backward(dy Matrix, needInputGrad bool) (Matrix, error)

	// Params returns the layer's trainable parameters, in the order in
	// which a saved model lists them; nil if it has none.
	Params() []*Param

	// Widths returns the number of columns the layer takes and the
	// number it produces, given the number in its input: a layer that
	// takes any width returns (in, f(in)).
	Widths(in int) (want, out int)

	// String describes the layer, as "Dense(784→256)" or "ReLU".
	String() string
}
