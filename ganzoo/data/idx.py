"""MNIST-style IDX files (raw or gzip) as a GAN data set.

IDX layout (http://yann.lecun.com/exdb/mnist/): a big-endian header of two
zero bytes, a type code (0x08 = uint8, ...), the number of dimensions, then
one uint32 per dimension, then the values row-major. MNIST images are
magic 2051 (0x00000803: uint8, 3 dims N x 28 x 28), labels 2049 (0x00000801).

Gzip is recognised by its content, not its name.
"""

import gzip
import os
import zlib

import numpy as np
import tensorflow as tf

from ganzoo.data import _images
from ganzoo.data import _pipeline

# Type code -> big-endian numpy dtype.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"

# Looked for, in this order, when `path` is a directory.
IDX_IMAGE_NAMES = (
    "images-idx3-ubyte.gz",
    "images-idx3-ubyte",
    "train-images-idx3-ubyte.gz",
    "train-images-idx3-ubyte",
    "train-images.idx3-ubyte",
)


def read_idx(path):
    """Reads one IDX file (raw or gzip) into a native-endian numpy array.

    Args:
      path: the file.

    Returns:
      numpy array with the file's dtype and shape.

    Raises:
      FileNotFoundError: no such file.
      ValueError: bad magic number, corrupt gzip or truncated data; the
        message names the file.
    """
    path = os.fspath(path)
    if not tf.io.gfile.exists(path) or tf.io.gfile.isdir(path):
        raise FileNotFoundError(f"IDX file '{path}' does not exist.")
    with tf.io.gfile.GFile(path, "rb") as f:
        content = f.read()
    if content[:2] == _GZIP_MAGIC:
        try:
            content = gzip.decompress(content)
        except (EOFError, OSError, zlib.error) as e:
            raise ValueError(f"IDX file '{path}' is a corrupt or truncated gzip file: {e}") from e

    if len(content) < 4:
        raise ValueError(f"IDX file '{path}' is truncated: {len(content)} bytes, no header.")
    zero, type_code, ndim = content[:2], content[2], content[3]
    if zero != b"\0\0" or type_code not in _IDX_DTYPES or ndim == 0:
        magic = int.from_bytes(content[:4], "big")
        raise ValueError(
            f"IDX file '{path}' has a bad magic number 0x{magic:08X} ({magic}); an IDX file "
            "starts with two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16, "
            "0x0C int32, 0x0D float32, 0x0E float64) and the number of dimensions, e.g. "
            "0x00000803 (2051) for MNIST images and 0x00000801 (2049) for labels."
        )
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise ValueError(
            f"IDX file '{path}' is truncated: its header needs {header_size} bytes, "
            f"the file has {len(content)}."
        )
    shape = tuple(int.from_bytes(content[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = _IDX_DTYPES[type_code]
    expected = int(np.prod(shape)) * dtype.itemsize
    found = len(content) - header_size
    if found != expected:
        what = "truncated" if found < expected else "longer than its header says"
        raise ValueError(
            f"IDX file '{path}' is {what}: shape {shape} of {dtype.name} needs {expected} "
            f"bytes of data after the header, found {found}."
        )
    data = np.frombuffer(content, dtype=dtype, offset=header_size).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def find_idx_files(path):
    """Resolves `path` to `(images_file, labels_file or None)`.

    Args:
      path: a directory holding one of `IDX_IMAGE_NAMES` (and its labels file,
        the same name with "images"/"idx3" -> "labels"/"idx1"), or the
        images file itself (e.g. ".../t10k-images-idx3-ubyte.gz").

    Raises:
      FileNotFoundError: nothing there, naming what was looked for.
    """
    path = os.fspath(path)
    if tf.io.gfile.isdir(path):
        for name in IDX_IMAGE_NAMES:
            candidate = os.path.join(path, name)
            if tf.io.gfile.exists(candidate):
                return candidate, _labels_file_for(candidate)
        raise FileNotFoundError(
            f"idx_images: no IDX images file in directory '{path}' (looked for "
            f"{', '.join(IDX_IMAGE_NAMES)})."
        )
    if not tf.io.gfile.exists(path):
        raise FileNotFoundError(f"idx_images: '{path}' does not exist.")
    return path, _labels_file_for(path)


def idx_arrays(path, image_size=None, labels=True):
    """An IDX image set as numpy arrays, scaled and resized like `idx_images()`.

    Args:
      path: directory or images file (see `find_idx_files`).
      image_size: output side (int) or `(height, width)`; None keeps the
        file's size (28x28 for MNIST).
      labels: whether to read the labels file (it must then exist).

    Returns:
      `(images, labels)`: float32 [N, H, W, 1] in [-1, 1], and int32 [N] or
      None when `labels` is False.
    """
    size_hw = _images.image_size_hw(image_size, allow_none=True)
    _, _, raw_images, raw_labels = _read_images_and_labels(path, labels)
    images = _images.normalize_images(raw_images[..., None], size_hw)
    return np.array(images, dtype=np.float32), raw_labels


def idx_images(
    path,
    image_size=None,
    batch_size=64,
    labels=False,
    channels=1,
    seed=0,
    shuffle=True,
    repeat=False,
):
    """A tf.data pipeline over MNIST-format IDX files.

    Batches use `drop_remainder=True`: GAN steps need full global batches.

    Args:
      path: a directory holding `images-idx3-ubyte(.gz)` (or the classic
        `train-images-idx3-ubyte.gz`) and optionally the matching labels file,
        or the images file itself.
      image_size: output side (int) or `(height, width)`; None keeps the
        file's size.
      batch_size: images per batch.
      labels: if True each element is `(images, labels)` with int32 labels;
        the labels file must exist.
      channels: 1 (grey) or 3 (grey tiled to RGB).
      seed: shuffle seed; the same seed gives the same order. None: random.
      shuffle: reshuffle every epoch.
      repeat: repeat forever instead of one epoch.

    Returns:
      A `tf.data.Dataset` of float32 [batch, H, W, channels] in [-1, 1].

    Raises:
      FileNotFoundError, ValueError: missing or malformed files (named), or
        fewer images than one batch.
    """
    size_hw = _images.image_size_hw(image_size, allow_none=True)
    _images.check_channels(channels)
    images_file, _, raw_images, raw_labels = _read_images_and_labels(path, labels)
    _pipeline.require_full_batch(len(raw_images), batch_size, f"IDX file '{images_file}'")
    if raw_labels is None:
        raw_labels = np.zeros(len(raw_images), np.int32)

    def normalize(image, label):
        return _images.normalize_images(image[..., None], size_hw, channels), label

    dataset = tf.data.Dataset.from_tensor_slices((raw_images, raw_labels))
    # Small sets held in memory: normalise once, then serve from the cache.
    dataset = dataset.map(normalize, num_parallel_calls=_pipeline.AUTOTUNE).cache()
    dataset = _pipeline.shuffle_and_repeat(
        dataset, buffer_size=len(raw_images), seed=seed, shuffle=shuffle, repeat=repeat
    )
    dataset = _pipeline.split_labels(dataset, labels)
    return _pipeline.batch_and_prefetch(dataset, batch_size=batch_size, seed=seed, shuffle=shuffle)


def _labels_file_for(images_file):
    directory, name = os.path.split(images_file)
    stem = name[:-3] if name.endswith(".gz") else name
    stem = stem.replace("images", "labels").replace("idx3", "idx1")
    for candidate in (stem + ".gz", stem):
        if candidate != name and tf.io.gfile.exists(os.path.join(directory, candidate)):
            return os.path.join(directory, candidate)
    return None


def _read_images_and_labels(path, labels):
    images_file, labels_file = find_idx_files(path)
    images = read_idx(images_file)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"IDX file '{images_file}' holds {images.dtype.name} data of shape {images.shape}; "
            "images must be uint8 [count, height, width] (magic 0x00000803)."
        )
    if not labels:
        return images_file, labels_file, images, None
    if labels_file is None:
        raise FileNotFoundError(
            f"idx_images: labels=True but no labels file next to '{images_file}' (looked for "
            "the same name with 'images' -> 'labels' and 'idx3' -> 'idx1', with or without .gz)."
        )
    label_values = read_idx(labels_file)
    if label_values.shape != (len(images),):
        raise ValueError(
            f"IDX labels file '{labels_file}' has shape {label_values.shape}, but "
            f"'{images_file}' holds {len(images)} images; expected ({len(images)},)."
        )
    return images_file, labels_file, images, label_values.astype(np.int32)
