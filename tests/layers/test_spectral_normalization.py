"""ganzoo.layers.SpectralNormalization: W / σ(W) in the forward pass, W itself untouched."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo.layers import SpectralNormalization


def _layer(power_iterations=50):
    layer = SpectralNormalization(keras.layers.Dense(3, use_bias=False), power_iterations=power_iterations)
    layer.build((None, 5))
    return layer


def test_computes_with_the_kernel_divided_by_its_largest_singular_value():
    layer = _layer()
    x = tf.random.stateless_normal((4, 5), seed=[0, 1])
    kernel = layer.layer.kernel.numpy()
    sigma = np.linalg.svd(kernel, compute_uv=False)[0]
    np.testing.assert_allclose(layer(x, training=True).numpy(), x.numpy() @ (kernel / sigma), atol=1e-5)


def test_training_calls_leave_the_kernel_alone_and_advance_u():
    # keras.layers.SpectralNormalization assigns W / σ to the kernel in every training call, which in a
    # GAN moves the discriminator's weights during the generator's step.
    x = tf.ones((2, 5))
    ours = _layer(power_iterations=1)
    kernel, u = ours.layer.kernel.numpy(), ours.vector_u.numpy()
    ours(x, training=False)
    np.testing.assert_array_equal(ours.vector_u.numpy(), u)  # inference does not advance u
    ours(x, training=True)
    np.testing.assert_array_equal(ours.layer.kernel.numpy(), kernel)
    assert not np.array_equal(ours.vector_u.numpy(), u)

    theirs = keras.layers.SpectralNormalization(keras.layers.Dense(3, use_bias=False))
    theirs.build((None, 5))
    before = theirs.layer.kernel.numpy()
    theirs(x, training=True)
    assert not np.array_equal(theirs.layer.kernel.numpy(), before)


def test_the_gradient_flows_through_sigma():
    # Scaling W by c leaves W / σ(W) unchanged, so the output's gradient along W itself is 0:
    # ⟨∂L/∂W, W⟩ = d/dc L(cW) at c = 1 = 0. Without the division through σ it would be L itself.
    layer = _layer()
    x = tf.random.stateless_normal((4, 5), seed=[2, 3])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x, training=True))
    gradient = tape.gradient(loss, layer.layer.kernel)
    assert abs(float(tf.reduce_sum(gradient * layer.layer.kernel))) < 1e-4 * (1 + abs(float(loss)))


def test_saves_and_reloads_in_safe_mode(tmp_path):
    model = keras.Sequential([keras.Input((5,)), _layer(power_iterations=1)])
    x = tf.ones((2, 5))
    model(x, training=True)
    path = str(tmp_path / "sn.keras")
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    assert isinstance(restored.layers[0], SpectralNormalization)
    np.testing.assert_allclose(restored(x).numpy(), model(x).numpy(), rtol=1e-6)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
