"""2D Gaussian mixtures for mode-collapse experiments (the PacGAN protocol).

- "ring": 8 Gaussians equally spaced on the unit circle (radius 1, first
  mode at (1, 0), counter-clockwise), std 0.01.
- "grid": 25 Gaussians at {-4, -2, 0, 2, 4}^2 (row-major, y fastest), std 0.05.

Components are drawn uniformly. Reference: Lin et al., "PacGAN: The power of
two samples in generative adversarial networks", NeurIPS 2018 (following
VEEGAN, Srivastava et al. 2017).
"""

import numpy as np
import tensorflow as tf

from ganzoo.data import _pipeline

MIXTURE_KINDS = ("ring", "grid")
_RING_MODES = 8
_RING_RADIUS = 1.0
_RING_STD = 0.01
_GRID_COORDS = (-4.0, -2.0, 0.0, 2.0, 4.0)
_GRID_STD = 0.05


def mixture_2d_modes(kind):
    """Centres and std of a mixture, for mode-counting metrics.

    Args:
      kind: "ring" or "grid".

    Returns:
      `(modes, std)`: float32 numpy [K, 2] centres and the float std of every
      component.
    """
    if kind == "ring":
        angles = 2.0 * np.pi * np.arange(_RING_MODES) / _RING_MODES
        modes = _RING_RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=1)
        return modes.astype(np.float32), _RING_STD
    if kind == "grid":
        xs, ys = np.meshgrid(_GRID_COORDS, _GRID_COORDS, indexing="ij")
        modes = np.stack([xs.ravel(), ys.ravel()], axis=1)
        return modes.astype(np.float32), _GRID_STD
    raise ValueError(f"kind must be one of {MIXTURE_KINDS}; received {kind!r}.")


def mixture_2d(kind="ring", batch_size=256, seed=0, labels=False):
    """An infinite stream of batches drawn from a 2D Gaussian mixture.

    Batch i is a pure function of `(seed, i)` (stateless random ops), so the
    stream is reproducible regardless of threading or how often it is
    iterated, and two seeds give independent streams.

    Args:
      kind: "ring" or "grid" (module docstring).
      batch_size: samples per batch.
      seed: int seed; None draws a fresh random one.
      labels: if True each element is `(samples, components)` with the int32
        index of the mode each sample came from.

    Returns:
      An infinite `tf.data.Dataset` of float32 [batch_size, 2].
    """
    modes, std = mixture_2d_modes(kind)
    _pipeline.check_batch_size(batch_size)
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    modes = tf.constant(modes)
    seed = tf.constant(seed, tf.int64)

    def sample_batch(step):
        component_seed, noise_seed = tf.unstack(
            tf.random.experimental.stateless_split(tf.stack([seed, step]), num=2)
        )
        components = tf.random.stateless_uniform(
            [batch_size], seed=component_seed, minval=0, maxval=len(modes), dtype=tf.int32
        )
        noise = tf.random.stateless_normal([batch_size, 2], seed=noise_seed, stddev=std)
        samples = tf.gather(modes, components) + noise
        return (samples, components) if labels else samples

    dataset = tf.data.Dataset.counter().map(
        sample_batch, num_parallel_calls=_pipeline.AUTOTUNE, deterministic=True
    )
    return dataset.prefetch(_pipeline.AUTOTUNE)
