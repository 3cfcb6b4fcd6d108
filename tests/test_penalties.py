"""Gradient penalty and R1 against critics whose input gradient is known in closed form."""

import numpy as np
import pytest
import tensorflow as tf

from ganzoo import penalties


def _linear_critic(weights, bias=0.7):
    """D(x) = ⟨w, x⟩ + b: ∇ₓD = w everywhere, so ‖∇D(x̂)‖ = ‖w‖ whatever x̂ is."""
    weights = tf.constant(weights, tf.float32)

    def critic(x):
        flat = tf.reshape(x, [tf.shape(x)[0], -1])
        return tf.reduce_sum(flat * tf.reshape(weights, [1, -1]), axis=1, keepdims=True) + bias

    return critic


def _uniform_alpha(batch, rank, seed=0):
    return tf.random.stateless_uniform([batch] + [1] * (rank - 1), seed=[seed, 0])


def test_gradient_penalty_of_a_linear_critic_is_hand_computed():
    # w = (3, 4): ‖w‖ = 5, so every sample's penalty is (5 − 1)² = 16, for any x, G(z) and α.
    critic = _linear_critic([3.0, 4.0])
    real = tf.constant([[1.0, 2.0], [-3.0, 0.5], [0.0, 0.0]])
    fake = tf.constant([[0.5, -1.0], [2.0, 2.0], [9.0, -9.0]])
    penalty = penalties.gradient_penalty(critic, real, fake, _uniform_alpha(3, 2))
    np.testing.assert_allclose(penalty.numpy(), [16.0, 16.0, 16.0], rtol=1e-6)


def test_gradient_penalty_is_zero_for_a_unit_gradient_and_works_on_images():
    # A linear critic over 2×2×1 images with weights (0.5, 0.5, 0.5, 0.5): ‖w‖ = 1, penalty 0.
    critic = _linear_critic(np.full((2, 2, 1), 0.5))
    real = tf.random.stateless_normal([4, 2, 2, 1], seed=[1, 2])
    fake = tf.random.stateless_normal([4, 2, 2, 1], seed=[3, 4])
    penalty = penalties.gradient_penalty(critic, real, fake, _uniform_alpha(4, 4))
    assert penalty.shape == (4,)
    np.testing.assert_allclose(penalty.numpy(), np.zeros(4), atol=1e-10)


def test_gradient_penalty_differentiates_in_the_critics_weights():
    # d/dw (‖w‖ − 1)² = 2(‖w‖ − 1)·w/‖w‖ = 2·4·(0.6, 0.8) = (4.8, 6.4) for w = (3, 4).
    weights = tf.Variable([3.0, 4.0])

    def critic(x):
        return tf.reduce_sum(x * weights, axis=1, keepdims=True)

    with tf.GradientTape() as tape:
        penalty = penalties.gradient_penalty(
            critic, tf.ones((1, 2)), tf.zeros((1, 2)), tf.constant([[0.3]])
        )
    np.testing.assert_allclose(tape.gradient(penalty, weights).numpy(), [4.8, 6.4], rtol=1e-5)


def test_each_sample_gets_its_own_alpha():
    # D(x) = ½‖x‖²: ∇D(x̂) = x̂ = αx + (1 − α)G(z). With x = (2, 0) and G(z) = 0: α = ½ gives ‖x̂‖ = 1
    # (penalty 0), α = 1 gives 2 (penalty 1), α = 0 gives 0 (penalty 1).
    def critic(x):
        return 0.5 * tf.reduce_sum(tf.square(x), axis=1, keepdims=True)

    real = tf.constant([[2.0, 0.0]] * 3)
    fake = tf.zeros((3, 2))
    penalty = penalties.gradient_penalty(critic, real, fake, tf.constant([[0.5], [1.0], [0.0]]))
    np.testing.assert_allclose(penalty.numpy(), [0.0, 1.0, 1.0], atol=1e-6)


def test_a_zero_gradient_gives_penalty_one_and_finite_gradients():
    # A ReLU critic switched off at x̂: ∇D(x̂) = 0, so ‖∇D‖ = 0 and the penalty is (0 − 1)² = 1. The
    # plain tf.norm's gradient at 0 is 0·∞ = NaN, which would poison every weight of the critic.
    weights = tf.Variable([-1.0, -1.0])

    def critic(x):
        return tf.nn.relu(tf.reduce_sum(x * weights, axis=1, keepdims=True))

    real, fake, alpha = tf.ones((2, 2)), tf.ones((2, 2)), tf.constant([[0.5], [0.25]])
    with tf.GradientTape() as tape:
        penalty = penalties.gradient_penalty(critic, real, fake, alpha)
    gradient = tape.gradient(penalty, weights)
    np.testing.assert_allclose(penalty.numpy(), [1.0, 1.0])
    assert np.all(np.isfinite(gradient.numpy())), gradient

    with tf.GradientTape() as tape:  # what the safe norm prevents
        x = tf.constant([[0.0, 0.0]])
        naive = tf.square(tf.norm(x * weights) - 1.0)
    assert np.isnan(tape.gradient(naive, weights).numpy()).any()


@pytest.mark.parametrize("shape", [[3, 2], [3], [1, 2]])
def test_alpha_per_coordinate_is_refused(shape):
    real = tf.zeros((3, 2))
    with pytest.raises(ValueError, match="one value per sample"):
        penalties.gradient_penalty(_linear_critic([1.0, 1.0]), real, real, tf.zeros(shape))


def test_interpolation_is_alpha_real_plus_one_minus_alpha_fake():
    interpolated = penalties.interpolate(
        tf.constant([[4.0], [4.0]]), tf.constant([[0.0], [8.0]]), tf.constant([[0.25], [0.5]])
    )
    np.testing.assert_allclose(interpolated.numpy(), [[1.0], [6.0]])


def test_r1_is_the_squared_input_gradient_norm_on_real_data():
    # Linear: ‖w‖² = 25 everywhere. Quadratic ½‖x‖²: ‖∇D(x)‖² = ‖x‖².
    real = tf.constant([[1.0, 2.0], [3.0, -1.0]])
    np.testing.assert_allclose(penalties.r1(_linear_critic([3.0, 4.0]), real).numpy(), [25.0, 25.0])
    quadratic = lambda x: 0.5 * tf.reduce_sum(tf.square(x), axis=1)  # noqa: E731
    np.testing.assert_allclose(penalties.r1(quadratic, real).numpy(), [5.0, 10.0], rtol=1e-6)


def test_safe_norm_value_and_gradient():
    squared = tf.constant([0.0, 4.0, 9.0])
    with tf.GradientTape() as tape:
        tape.watch(squared)
        norm = penalties.safe_norm(squared)
    np.testing.assert_allclose(norm.numpy(), [0.0, 2.0, 3.0])
    np.testing.assert_allclose(tape.gradient(norm, squared).numpy(), [0.0, 0.25, 1.0 / 6.0], rtol=1e-6)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
