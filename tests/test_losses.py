"""Tests for ganzoo.losses, with hand-computed constants in the style of TF-GAN's losses_impl_test.py.

Useful identities: sigmoid(log 3) = 3/4 and sigmoid(-log 3) = 1/4, so with D = sigmoid(logit)
-log D(log 3) = log(4/3), -log D(-log 3) = log 4, -log(1 - D(log 3)) = log 4, -log(1 - D(-log 3)) = log(4/3).
"""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import losses

LOG2 = math.log(2.0)
LOG3 = math.log(3.0)
LOG4 = math.log(4.0)
LOG4_3 = math.log(4.0 / 3.0)

GAMES = ["hinge", "least_squares", "minimax", "non_saturating", "wasserstein"]

EXPECTED_FUNCTIONS = {
    "minimax": (losses.minimax_discriminator_loss, losses.minimax_generator_loss),
    "non_saturating": (losses.minimax_discriminator_loss, losses.non_saturating_generator_loss),
    "wasserstein": (losses.wasserstein_discriminator_loss, losses.wasserstein_generator_loss),
    "hinge": (losses.hinge_discriminator_loss, losses.hinge_generator_loss),
    "least_squares": (
        losses.least_squares_discriminator_loss,
        losses.least_squares_generator_loss,
    ),
}


def _t(values, dtype=tf.float32):
    return tf.constant(values, dtype=dtype)


def _close(actual, expected, atol=1e-6):
    actual = tf.convert_to_tensor(actual)
    assert actual.dtype == tf.float32
    np.testing.assert_allclose(actual.numpy(), np.asarray(expected, np.float32), rtol=1e-6, atol=atol)


# Minimax / non-saturating (Goodfellow et al. 2014).


def test_minimax_discriminator_loss_at_zero_logits_is_2_log_2():
    # D = 1/2 on both: -log ½ - log(1 - ½) = 2 log 2 = 1.386294.
    _close(losses.minimax_discriminator_loss(_t([[0.0]]), _t([[0.0]])), [2 * LOG2])


def test_generator_losses_at_zero_logit():
    # D(G(z)) = ½: non-saturating -log ½ = log 2; minimax log(1 - ½) = -log 2.
    _close(losses.non_saturating_generator_loss(_t([[0.0]])), [LOG2])
    _close(losses.minimax_generator_loss(_t([[0.0]])), [-LOG2])


def test_minimax_discriminator_loss_hand_computed():
    real = _t([[LOG3], [-LOG3], [LOG3]])
    fake = _t([[-LOG3], [LOG3], [LOG3]])
    # example 0: D(x) = 3/4, D(G(z)) = 1/4: -log ¾ - log ¾ = 2 log(4/3) = 0.575364
    # example 1: D(x) = 1/4, D(G(z)) = 3/4: -log ¼ - log ¼ = 2 log 4 = 2.772589
    # example 2: D(x) = 3/4, D(G(z)) = 3/4: -log ¾ - log ¼ = log(16/3) = 1.673976
    _close(
        losses.minimax_discriminator_loss(real, fake),
        [2 * LOG4_3, 2 * LOG4, math.log(16.0 / 3.0)],
    )
    np.testing.assert_allclose([2 * LOG4_3, 2 * LOG4], [0.575364, 2.772589], atol=1e-6)


def test_generator_losses_hand_computed():
    fake = _t([[LOG3], [-LOG3]])
    # non-saturating -log D: -log ¾ = log(4/3) = 0.287682;  -log ¼ = log 4 = 1.386294
    _close(losses.non_saturating_generator_loss(fake), [LOG4_3, LOG4])
    # minimax log(1 - D): log ¼ = -1.386294;  log ¾ = -0.287682
    _close(losses.minimax_generator_loss(fake), [-LOG4, -LOG4_3])


# Wasserstein (Arjovsky et al. 2017).


def test_wasserstein_losses_hand_computed():
    real = _t([[3.0], [-1.0], [0.25]])
    fake = _t([[0.5], [2.0], [0.25]])
    # D(G(z)) - D(x): 0.5 - 3 = -2.5;  2 - (-1) = 3;  0.25 - 0.25 = 0
    _close(losses.wasserstein_discriminator_loss(real, fake), [-2.5, 3.0, 0.0])
    # -D(G(z))
    _close(losses.wasserstein_generator_loss(fake), [-0.5, -2.0, -0.25])


# Hinge (Lim & Ye 2017; Miyato et al. 2018).


def test_hinge_losses_hand_computed():
    real = _t([[3.0], [0.25], [-1.0], [1.0]])
    fake = _t([[-2.0], [0.5], [0.0], [-1.0]])
    # max(0, 1 - D(x)) + max(0, 1 + D(G(z))):
    #   max(0, -2) + max(0, -1) = 0;  0.75 + 1.5 = 2.25;  2 + 1 = 3;  0 + 0 = 0 (both exactly at the margin)
    _close(losses.hinge_discriminator_loss(real, fake), [0.0, 2.25, 3.0, 0.0])
    # -D(G(z))
    _close(losses.hinge_generator_loss(fake), [2.0, -0.5, 0.0, 1.0])


# Least squares (Mao et al. 2017, a = 0, b = c = 1, with the ½ factors).


def test_least_squares_losses_hand_computed():
    real = _t([[1.0], [3.0], [-1.0]])
    fake = _t([[0.0], [2.0], [0.5]])
    # ½(D(x) - 1)² + ½D(G(z))²: ½·0 + ½·0 = 0;  ½·4 + ½·4 = 4;  ½·4 + ½·0.25 = 2.125
    _close(losses.least_squares_discriminator_loss(real, fake), [0.0, 4.0, 2.125])
    # ½(D(G(z)) - 1)²: ½·1 = 0.5;  ½·1 = 0.5;  ½·0.25 = 0.125
    _close(losses.least_squares_generator_loss(fake), [0.5, 0.5, 0.125])


# Agreement with Keras' binary cross-entropy.


def test_minimax_family_agrees_with_keras_binary_crossentropy():
    rng = np.random.default_rng(0)
    real = _t(rng.normal(0.0, 3.0, size=(16, 1)))
    fake = _t(rng.normal(0.0, 3.0, size=(16, 1)))
    ones, zeros = tf.ones_like(real), tf.zeros_like(real)
    bce = keras.losses.BinaryCrossentropy(from_logits=True, reduction=None)

    _close(losses.minimax_discriminator_loss(real, fake), bce(ones, real) + bce(zeros, fake), atol=1e-5)
    _close(losses.non_saturating_generator_loss(fake), bce(ones, fake), atol=1e-5)
    _close(losses.minimax_generator_loss(fake), -bce(zeros, fake), atol=1e-5)


def test_patch_logits_agree_with_keras_binary_crossentropy_averaged_per_example():
    rng = np.random.default_rng(1)
    fake = _t(rng.normal(0.0, 3.0, size=(8, 4, 4, 1)))
    bce = keras.losses.BinaryCrossentropy(from_logits=True, reduction=None)
    per_position = bce(tf.ones_like(fake), fake)  # [8, 4, 4]: Keras averages the last axis only
    _close(losses.non_saturating_generator_loss(fake), tf.reduce_mean(per_position, axis=[1, 2]), atol=1e-5)


# Shapes: one loss per example, PatchGAN maps averaged per image.


def _losses_of(name):
    game = losses.get(name)
    return [
        ("discriminator", lambda real, fake: game.discriminator_loss(real, fake)),
        ("generator", lambda real, fake: game.generator_loss(fake)),
    ]


@pytest.mark.parametrize("name", GAMES)
def test_patch_logits_give_per_example_mean_over_the_patch(name):
    rng = np.random.default_rng(2)
    batch, patch = 5, (4, 4, 1)
    real = rng.normal(0.0, 2.0, size=(batch,) + patch).astype(np.float32)
    fake = rng.normal(0.0, 2.0, size=(batch,) + patch).astype(np.float32)
    for player, loss_fn in _losses_of(name):
        value = loss_fn(_t(real), _t(fake))
        assert value.shape == (batch,), (name, player)
        # The same loss with every patch position treated as its own example, then averaged per image.
        per_position = loss_fn(_t(real.reshape(-1, 1)), _t(fake.reshape(-1, 1)))
        expected = tf.reduce_mean(tf.reshape(per_position, [batch, -1]), axis=1)
        _close(value, expected, atol=1e-5)


def test_patch_logits_hand_computed():
    # One image, a 2x1 patch map: real logits (log 3, -log 3), fake logits (0, 0).
    real = _t([[[[LOG3]], [[-LOG3]]]])
    fake = _t([[[[0.0]], [[0.0]]]])
    assert real.shape == (1, 2, 1, 1)
    # minimax D: mean(log(4/3), log 4) + mean(log 2, log 2) = ½ log(16/3) + log 2 = ½ log(64/3) = 1.530135
    _close(losses.minimax_discriminator_loss(real, fake), [0.5 * math.log(64.0 / 3.0)])
    # Wasserstein D: mean(0, 0) - mean(log 3, -log 3) = 0
    _close(losses.wasserstein_discriminator_loss(real, fake), [0.0])
    # least squares D: ½ mean((log 3 - 1)², (-log 3 - 1)²) + ½·0 = ½(log²3 + 1) = 1.103474
    _close(losses.least_squares_discriminator_loss(real, fake), [0.5 * (LOG3**2 + 1.0)])


@pytest.mark.parametrize("name", GAMES)
def test_rank_one_logits_and_unknown_batch_size(name):
    rng = np.random.default_rng(3)
    real = rng.normal(size=(6, 4, 4, 1)).astype(np.float32)
    fake = rng.normal(size=(6, 4, 4, 1)).astype(np.float32)
    game = losses.get(name)
    spec = tf.TensorSpec([None, 4, 4, 1], tf.float32)

    @tf.function(input_signature=[spec, spec])
    def traced(real, fake):
        return game.discriminator_loss(real, fake), game.generator_loss(fake)

    eager_d = game.discriminator_loss(_t(real), _t(fake))
    eager_g = game.generator_loss(_t(fake))
    traced_d, traced_g = traced(_t(real), _t(fake))
    _close(traced_d, eager_d)
    _close(traced_g, eager_g)
    # Logits of shape [batch] are already one per example.
    flat_real, flat_fake = _t(real[:, 0, 0, 0]), _t(fake[:, 0, 0, 0])
    assert game.discriminator_loss(flat_real, flat_fake).shape == (6,)
    _close(
        game.discriminator_loss(flat_real, flat_fake),
        game.discriminator_loss(_t(real[:, :1, :1, :]), _t(fake[:, :1, :1, :])),
    )


# Numerical stability.


def test_minimax_family_is_stable_at_extreme_logits():
    big = 100.0
    # sigmoid(±100) is 0 or 1 in float32, so a naive log(sigmoid) would give inf; the limits are:
    # D right on both (real +100, fake -100): loss -> 0.  D wrong on both: 100 + 100 = 200.
    _close(losses.minimax_discriminator_loss(_t([[big], [-big]]), _t([[-big], [big]])), [0.0, 200.0])
    # -log D(G(z)): D rejects (logit -100) -> 100; D accepts -> 0.
    _close(losses.non_saturating_generator_loss(_t([[-big], [big]])), [100.0, 0.0])
    # log(1 - D(G(z))): D rejects -> 0; D accepts -> -100.
    _close(losses.minimax_generator_loss(_t([[-big], [big]])), [0.0, -100.0])


@pytest.mark.parametrize("name", GAMES)
def test_every_loss_and_gradient_is_finite_at_extreme_logits(name):
    logits = _t([[-100.0], [100.0], [0.0]])
    for player, loss_fn in _losses_of(name):
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(logits)
            value = loss_fn(logits, logits)
        assert np.all(np.isfinite(value.numpy())), (name, player, value)
        gradient = tape.gradient(value, logits)
        assert np.all(np.isfinite(gradient.numpy())), (name, player, gradient)


def test_least_squares_and_hinge_at_extreme_logits():
    real, fake = _t([[-100.0]]), _t([[100.0]])
    # ½(-100 - 1)² + ½·100² = 5100.5 + 5000 = 10100.5
    _close(losses.least_squares_discriminator_loss(real, fake), [10100.5])
    # max(0, 1 + 100) + max(0, 1 + 100) = 202
    _close(losses.hinge_discriminator_loss(real, fake), [202.0])


# Dtypes: low-precision logits (mixed precision) give float32 losses.


@pytest.mark.parametrize("dtype", [tf.float16, tf.bfloat16])
@pytest.mark.parametrize("name", GAMES)
def test_half_precision_logits_give_float32_losses(name, dtype):
    rng = np.random.default_rng(4)
    real = tf.cast(_t(rng.normal(0.0, 3.0, size=(4, 2, 2, 1))), dtype)
    fake = tf.cast(_t(rng.normal(0.0, 3.0, size=(4, 2, 2, 1))), dtype)
    extreme = tf.constant([[[[-100.0]]], [[[100.0]]]], dtype=dtype)
    for player, loss_fn in _losses_of(name):
        value = loss_fn(real, fake)
        assert value.dtype == tf.float32, (name, player, value.dtype)
        _close(value, loss_fn(tf.cast(real, tf.float32), tf.cast(fake, tf.float32)), atol=1e-5)
        at_extremes = loss_fn(extreme, extreme)
        assert at_extremes.dtype == tf.float32
        assert np.all(np.isfinite(at_extremes.numpy())), (name, player, at_extremes)


# The paper's point (Goodfellow et al. 2014, section 3): minimax G saturates, non-saturating G does not.


def _generator_gradient(loss_fn, logit):
    logits = _t([[logit]])
    with tf.GradientTape() as tape:
        tape.watch(logits)
        value = tf.reduce_sum(loss_fn(logits))
    return float(tape.gradient(value, logits).numpy()[0, 0])


@pytest.mark.parametrize("logit", [-10.0, -20.0, -100.0])
def test_non_saturating_generator_gradient_does_not_vanish_when_d_rejects(logit):
    # d/dl softplus(-l) = -sigmoid(-l) -> -1 as l -> -inf
    assert _generator_gradient(losses.non_saturating_generator_loss, logit) == pytest.approx(-1.0, abs=1e-4)
    # d/dl -softplus(l) = -sigmoid(l) = -e^l: -4.5e-5 at -10, -2.1e-9 at -20, 0 at -100
    minimax_gradient = _generator_gradient(losses.minimax_generator_loss, logit)
    assert -1e-4 < minimax_gradient <= 0.0
    assert minimax_gradient == pytest.approx(-math.exp(logit), rel=1e-3, abs=1e-30)


def test_generator_gradients_agree_at_equilibrium():
    # At D(G(z)) = ½ both games push the logit up with slope ½.
    assert _generator_gradient(losses.non_saturating_generator_loss, 0.0) == pytest.approx(-0.5)
    assert _generator_gradient(losses.minimax_generator_loss, 0.0) == pytest.approx(-0.5)


# get(name)


def test_names_lists_every_game():
    assert losses.names() == GAMES


@pytest.mark.parametrize("name", GAMES)
def test_get_resolves_every_name(name):
    game = losses.get(name)
    assert game.name == name
    assert (game.discriminator_loss, game.generator_loss) == EXPECTED_FUNCTIONS[name]
    assert losses.get(game) is game


@pytest.mark.parametrize("bad", ["nonsaturating", "Hinge", "", None, ["hinge"]])
def test_get_unknown_name_raises_value_error_naming_it_and_the_valid_names(bad):
    with pytest.raises(ValueError) as info:
        losses.get(bad)
    message = str(info.value)
    assert repr(bad) in message
    for name in GAMES:
        assert name in message


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
