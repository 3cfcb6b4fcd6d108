"""Spectral normalisation as Miyato et al. define it: the layer computes with W / σ(W) and never
overwrites W."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class SpectralNormalization(keras.layers.SpectralNormalization):
    """`keras.layers.SpectralNormalization`, reparametrised instead of projected.

    Keras's wrapper, in every call with `training=True`, ASSIGNS W / σ(W) to the wrapped layer's kernel
    and then computes with it. In a GAN that is wrong twice: the generator's step calls the
    discriminator in training mode, so the discriminator's weights change during the generator's update
    (measured: a step with the discriminator's learning rate at 0 still moves its kernels); and the
    gradient does not flow through σ(W), unlike the paper's W_SN = W / σ(W) (Miyato et al. 2018, eq. 8).

    This subclass keeps the same variables, configuration and power iteration (the vector u, a
    non-trainable variable, advances once per training call, as in the paper), but substitutes W / σ(W)
    for W only for the duration of the call (`keras.StatelessScope`), so gradients flow through σ with
    u and v held constant and W itself changes only when its optimizer applies a step.

    Args:
        layer: a layer with a `kernel` (Dense, Conv2D, ...) or `embeddings`.
        power_iterations: power-iteration steps per training call (1 in the paper).

    Reference: Miyato, Kataoka, Koyama & Yoshida, "Spectral Normalization for Generative Adversarial
    Networks", ICLR 2018.
    """

    def call(self, inputs, training=False):
        vector_u, kernel = self.normalized_weights()
        if training:
            self.vector_u.assign(vector_u)
        with keras.StatelessScope(state_mapping=[(self.kernel, kernel)]):
            output = self.layer(inputs)
        # The wrapped layer's dtype decides, so a float32 output layer stays float32 under mixed precision.
        return ops.cast(output, self.layer.compute_dtype)
