"""scikit-learn's bundled handwritten digits: real data with no download.

`sklearn.datasets.load_digits()` ships 1,797 real 8x8 grey-scale digits
(UCI "Optical Recognition of Handwritten Digits", pixel values 0..16, 174 to
183 per class) inside the scikit-learn wheel, which makes it the one real
image set every test and smoke run can rely on.

Split (fixed, stratified, deterministic): for each class, the first
`floor(0.8 * n_class)` digits in `load_digits()` order are "train", the rest
"test" -> 1,433 train and 364 test digits, every class in both.
"""

import functools

import numpy as np
import tensorflow as tf

from ganzoo.data import _images
from ganzoo.data import _pipeline

DIGITS_SPLITS = ("all", "train", "test")
DIGITS_TRAIN_FRACTION = 0.8
_DIGITS_MAX_VALUE = 16.0


def digits_arrays(image_size=32, split="all"):
    """The digits as numpy arrays, scaled and resized like `digits()`.

    Args:
      image_size: output side (int) or `(height, width)`; None keeps 8x8.
      split: "all", "train" or "test" (see the module docstring).

    Returns:
      `(images, labels)`: float32 [N, H, W, 1] in [-1, 1] and int32 [N] in 0..9.
    """
    images, labels = _cached_digits(_images.image_size_hw(image_size, allow_none=True), split)
    return images.copy(), labels.copy()


def digits(
    image_size=32,
    batch_size=64,
    labels=False,
    split="all",
    seed=0,
    shuffle=True,
    repeat=False,
    channels=1,
):
    """A tf.data pipeline over scikit-learn's 1,797 real 8x8 digits.

    Batches use `drop_remainder=True`: GAN steps need full global batches.

    Args:
      image_size: output side (int) or `(height, width)`, resized bilinearly
        with antialiasing; None keeps 8x8.
      batch_size: examples per batch.
      labels: if True each element is `(images, labels)` with int32 labels
        in 0..9; otherwise just `images`.
      split: "all", "train" or "test"; a fixed stratified split (module doc).
      seed: shuffle seed; the same seed gives the same order. None: random.
      shuffle: reshuffle every epoch.
      repeat: repeat forever instead of one epoch.
      channels: 1 (grey) or 3 (grey tiled to RGB).

    Returns:
      A `tf.data.Dataset` of float32 [batch, H, W, channels] in [-1, 1].
    """
    _images.check_channels(channels)
    images, label_array = digits_arrays(image_size, split)
    _pipeline.require_full_batch(len(images), batch_size, f"the digits {split!r} split")
    if channels == 3:
        images = np.repeat(images, 3, axis=-1)
    elements = (images, label_array) if labels else images
    dataset = tf.data.Dataset.from_tensor_slices(elements)
    dataset = _pipeline.shuffle_and_repeat(
        dataset, buffer_size=len(images), seed=seed, shuffle=shuffle, repeat=repeat
    )
    return _pipeline.batch_and_prefetch(dataset, batch_size=batch_size, seed=seed, shuffle=shuffle)


def digits_split_indices(split):
    """Indices into `load_digits()` of a split, in the data set's order.

    Args:
      split: "all", "train" or "test".

    Returns:
      int64 numpy array of indices.
    """
    if split not in DIGITS_SPLITS:
        raise ValueError(f"split must be one of {DIGITS_SPLITS}; received {split!r}.")
    targets = _load_digits()[1]
    if split == "all":
        return np.arange(len(targets))
    train = np.zeros(len(targets), dtype=bool)
    for digit in np.unique(targets):
        members = np.flatnonzero(targets == digit)
        train[members[: int(DIGITS_TRAIN_FRACTION * len(members))]] = True
    return np.flatnonzero(train if split == "train" else ~train)


@functools.lru_cache(maxsize=None)
def _load_digits():
    # Imported here: scikit-learn is only needed by this one data set, and
    # nothing may run at `import ganzoo` time.
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return bunch.images.astype(np.float32), bunch.target.astype(np.int32)


@functools.lru_cache(maxsize=8)
def _cached_digits(size_hw, split):
    raw, targets = _load_digits()
    index = digits_split_indices(split)
    images = raw[index, :, :, None] / (_DIGITS_MAX_VALUE / 2.0) - 1.0
    images = _images.resize(tf.constant(images, tf.float32), size_hw)
    images = np.array(images, dtype=np.float32)
    labels = targets[index]
    # Cached arrays are shared; read-only stops a caller's edit leaking into
    # later calls (the public function hands out copies anyway).
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels
