"""Gradient penalties on a critic, as pure functions: the critic is passed in as a callable.

Each function returns one penalty per example, shape [batch], like `ganzoo.losses`; the model adds it to
its discriminator's per-example loss and reduces against the global batch. The critic is any callable
from a batch of samples to logits (one per sample, or a PatchGAN map of them): a model binds whatever
else it needs, e.g. `lambda x: discriminator([x, labels], training=True)`.

The gradients are taken with respect to the critic's INPUT, inside the caller's tape, so the penalty
itself is differentiable in the critic's weights (a second-order gradient).
"""

import tensorflow as tf


def _input_gradients(critic, samples):
    """∇ₓ D(x) for each sample: samples are independent, so the gradient of the logits' sum is each
    sample's own gradient (true for a critic without batch statistics, as WGAN-GP requires)."""
    samples = tf.convert_to_tensor(samples)
    with tf.GradientTape() as tape:
        tape.watch(samples)
        logits = tf.cast(critic(samples), tf.float32)
        total = tf.reduce_sum(logits)
    return tf.cast(tape.gradient(total, samples), tf.float32)


def _squared_norms(gradients):
    """‖g‖² per example, over every axis but the first."""
    return tf.reduce_sum(tf.reshape(tf.square(gradients), [tf.shape(gradients)[0], -1]), axis=1)


def safe_norm(squared_norm):
    """√s with a finite gradient everywhere: 0, not NaN, at s = 0.

    d√s/ds = 1/(2√s) is infinite at 0, and the chain rule then multiplies 0 by ∞. The inner `where`
    keeps the square root away from 0; the outer one puts the exact value back. Unlike √(s + ε), the
    value is exact.
    """
    positive = squared_norm > 0.0
    return tf.where(positive, tf.sqrt(tf.where(positive, squared_norm, tf.ones_like(squared_norm))), 0.0)


def interpolate(real, fake, alpha):
    """x̂ = αx + (1 − α)G(z), with α of shape [batch, 1, ..., 1] (one α per sample)."""
    alpha = tf.cast(alpha, real.dtype)
    return alpha * real + (1.0 - alpha) * tf.cast(fake, real.dtype)


def check_alpha(alpha, real):
    """Refuses an α that is not one number per sample (per-pixel α is a known bug of copied code)."""
    rank = real.shape.rank
    expected = [real.shape[0]] + [1] * (rank - 1) if rank is not None else None
    if alpha.shape.rank is not None and rank is not None:
        if alpha.shape.rank != rank or any(size not in (1, None) for size in alpha.shape[1:]):
            raise ValueError(
                f"alpha must hold one value per sample, shape {expected}; received {alpha.shape}."
            )


def gradient_penalty(critic, real, fake, alpha, target=1.0):
    """(‖∇D(x̂)‖₂ − 1)² at x̂ = αx + (1 − α)G(z): the WGAN-GP penalty (Gulrajani et al. 2017, eq. 3).

    Args:
        critic: callable, samples [batch, ...] -> logits.
        real: a batch of real samples.
        fake: a batch of generated samples, the same shape.
        alpha: [batch, 1, ..., 1], one α ~ U[0, 1] per sample, drawn by the caller (a model draws it
            from its seeded, replica-aware noise). Not normal, not per pixel.
        target: the gradient norm the penalty pulls towards (1 in the paper).

    Returns:
        [batch] penalties; multiply by λ (10 in the paper).
    """
    real = tf.convert_to_tensor(real)
    alpha = tf.convert_to_tensor(alpha)
    check_alpha(alpha, real)
    gradients = _input_gradients(critic, interpolate(real, fake, alpha))
    return tf.square(safe_norm(_squared_norms(gradients)) - target)


def r1(critic, real):
    """‖∇D(x)‖² on real samples: the R1 penalty (Mescheder, Geiger & Nowozin 2018, eq. 9).

    The paper's regulariser is (γ/2)·‖∇D(x)‖²; the model multiplies by γ/2 (`r1_weight` = γ).

    Args:
        critic: callable, samples [batch, ...] -> logits.
        real: a batch of real samples.

    Returns:
        [batch] squared gradient norms.
    """
    return _squared_norms(_input_gradients(critic, real))
