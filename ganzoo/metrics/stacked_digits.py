"""Stacked digits: three digits stacked as the R, G and B channels — 1,000 modes, counted by a classifier.

The analogue of stacked MNIST (Metz et al. 2017; the VEEGAN and PacGAN mode-collapse benchmark) built
from scikit-learn's bundled digits, so it needs no download. A sample's mode is 100·r + 10·g + b, the
digits of its three channels; a generator's modes are counted by classifying each channel with the
digits classifier (`ganzoo.metrics.extractors.DigitsClassifier`), as the benchmark does with an MNIST
classifier. Reported as in PacGAN, Table 2: modes captured (out of 1,000) and the reverse KL divergence
KL(generated modes ‖ uniform), in nats.
"""

import dataclasses

import numpy as np
import tensorflow as tf

STACKED_MODES = 1000
_PLACE_VALUES = np.array([100, 10, 1])


def _split_arrays(image_size, split):
    from ganzoo.data import digits_arrays  # imported on use: nothing loads at `import ganzoo`

    return digits_arrays(image_size, split)


def stacked_digits_arrays(n, image_size=16, split="train", seed=0):
    """`n` stacked digits as numpy arrays.

    Each sample takes three digits drawn uniformly and independently (with replacement) from the digits
    `split`, one per channel.

    Args:
        n: number of samples.
        image_size: side (int) or (height, width) of each digit, resized as `ganzoo.data.digits_arrays`.
        split: "all", "train" or "test" digits.
        seed: seed of the draws.

    Returns:
        `(images, modes)`: float32 [n, H, W, 3] in [-1, 1] and int32 [n] in 0..999.
    """
    digits, labels = _split_arrays(image_size, split)
    picks = np.random.default_rng(seed).integers(0, len(digits), size=(int(n), 3))
    images = np.concatenate([digits[picks[:, channel]] for channel in range(3)], axis=-1)
    return images, (labels[picks] @ _PLACE_VALUES).astype(np.int32)


def stacked_digits_dataset(image_size=16, batch_size=64, split="train", seed=0, labels=False):
    """An infinite tf.data stream of stacked digits: batch i is a pure function of `(seed, i)`.

    Args:
        image_size: side (int) or (height, width) of each digit.
        batch_size: samples per batch.
        split: "all", "train" or "test" digits.
        seed: seed of the stream.
        labels: if True elements are `(images, int32 modes)`.

    Returns:
        A `tf.data.Dataset` of float32 [batch_size, H, W, 3] in [-1, 1].
    """
    digits, digit_labels = _split_arrays(image_size, split)
    digits = tf.constant(digits)
    digit_labels = tf.constant(digit_labels)
    seed = tf.constant(int(seed), tf.int64)

    def sample_batch(step):
        picks = tf.random.stateless_uniform(
            [batch_size, 3], seed=tf.stack([seed, step]), maxval=len(digit_labels), dtype=tf.int32
        )
        images = tf.concat([tf.gather(digits, picks[:, channel]) for channel in range(3)], axis=-1)
        modes = tf.reduce_sum(tf.gather(digit_labels, picks) * tf.constant(_PLACE_VALUES, tf.int32), 1)
        return (images, modes) if labels else images

    return tf.data.Dataset.counter().map(sample_batch).prefetch(tf.data.AUTOTUNE)


@dataclasses.dataclass
class StackedModeStatistics:
    """modes: modes with at least `min_count` samples; reverse_kl: KL(mode histogram ‖ uniform) in
    nats; histogram: samples per mode [1000]."""

    modes: int
    total_modes: int
    reverse_kl: float
    samples: int
    histogram: np.ndarray = dataclasses.field(repr=False)

    def __str__(self):
        return (
            f"modes {self.modes}/{self.total_modes}, reverse KL {self.reverse_kl:.3f} "
            f"({self.samples} samples)"
        )


def stacked_modes(images, classifier):
    """The mode (0..999) of each stacked-digits image: its three channels' digits, read as a number."""
    images = np.asarray(images.numpy() if hasattr(images, "numpy") else images, np.float32)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"stacked digits are [n, H, W, 3] images; received shape {images.shape}.")
    digits = np.stack(
        [classifier.predict_classes(images[..., channel : channel + 1]) for channel in range(3)], axis=1
    )
    return (digits @ _PLACE_VALUES).astype(np.int64)


def stacked_mode_statistics(images, classifier=None, min_count=1):
    """Modes captured and reverse KL of stacked-digits samples (PacGAN's stacked-MNIST protocol).

    Args:
        images: [n, H, W, 3] samples in [-1, 1] (PacGAN draws 26,000).
        classifier: anything with `predict_classes(images [n, H, W, 1])`; the seeded
            `DigitsClassifier.pretrained()` when None.
        min_count: samples a mode needs to count as captured (1 in the protocol).
    """
    if classifier is None:
        from ganzoo.metrics.extractors import DigitsClassifier

        classifier = DigitsClassifier.pretrained()
    return statistics_of_modes(stacked_modes(images, classifier), min_count)


def statistics_of_modes(modes, min_count=1):
    """`StackedModeStatistics` of the modes (0..999) of a set of samples, e.g. from `stacked_modes`."""
    modes = np.asarray(modes, np.int64)
    if modes.ndim != 1 or len(modes) == 0 or modes.min() < 0 or modes.max() >= STACKED_MODES:
        raise ValueError(f"modes must be a non-empty 1-D array of values in 0..{STACKED_MODES - 1}.")
    histogram = np.bincount(modes, minlength=STACKED_MODES)
    frequencies = histogram / len(modes)
    present = frequencies > 0
    reverse_kl = float(np.sum(frequencies[present] * np.log(frequencies[present] * STACKED_MODES)))
    return StackedModeStatistics(
        modes=int(np.sum(histogram >= min_count)),
        total_modes=STACKED_MODES,
        reverse_kl=reverse_kl,
        samples=len(modes),
        histogram=histogram,
    )
