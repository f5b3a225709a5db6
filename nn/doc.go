// Package nn is simdnn's layer and optimizer API: dense layers,
// activations, a sequential model, losses, gradient-descent optimizers
// and a training loop, on top of the SIMD kernels of package kernels.
//
// A model is a [Sequential] of [Layer]s. Its forward pass takes a batch
// as a [Matrix] whose rows are samples; its backward pass takes the
// gradient of a [Loss] with respect to the model's output and leaves the
// gradients of every [Param] in its Grad field; an [Optimizer] then
// updates the parameters. [Trainer] runs that loop over minibatches and
// epochs.
//
// Layers own the buffers of their outputs and gradients, sized for the
// largest batch seen, so that once a batch size has been seen a training
// step allocates nothing. A Matrix returned by a layer or a model is
// therefore a view of that buffer, valid until the next call of the same
// method: copy it (see [Matrix.Clone]) to keep it.
//
// Mistakes in data (a batch of the wrong width, labels out of range, a
// corrupt model file, a loss that turns NaN) are returned as errors that
// name the operation and the shapes. Mistakes in code (a negative layer
// size) panic, as they do in package kernels.
//
// For inference, [Sequential.Predictor] builds a [Predictor] from a
// trained model: it is safe for concurrent use by any number of
// goroutines, holds its own copy of the weights, and allocates nothing
// per call once a batch size has been seen; a server shares one among
// all its handlers. Nothing else in nn is safe for concurrent use: a
// model (its Forward included, which writes its layers' buffers), its
// optimizer and its trainer belong to one goroutine at a time.
// Independent models may be trained concurrently.
package nn
