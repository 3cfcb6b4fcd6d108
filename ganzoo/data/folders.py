"""A local (or gs://) folder of images as a GAN data set.

Layouts, as in `keras.utils.image_dataset_from_directory`:

    flat/             classes/
      a.jpg             cat/ 1.jpg 2.png ...   -> label 0
      b.png             dog/ 7.jpg ...         -> label 1 (sorted names)

A flat folder has no labels. With class sub-folders, `labels=False` simply
uses every image of every class. Hidden files and folders (".name", such as
macOS "._x.jpg" resource forks) are skipped.
"""

import os

import tensorflow as tf

from ganzoo.data import _file_decoding
from ganzoo.data import _images
from ganzoo.data import _pipeline

IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


def list_image_files(path, labels=False):
    """Lists a folder's images in sorted order, with class labels if asked.

    Args:
      path: the folder.
      labels: whether class sub-folders are required (labels from their
        sorted names).

    Returns:
      `(files, file_labels, class_names)`: sorted full paths, an int label per
      file (all 0 when `labels` is False) and the class names (None when
      `labels` is False).

    Raises:
      FileNotFoundError: `path` does not exist.
      NotADirectoryError: `path` is a file.
      ValueError: no images, or `labels=True` on a folder without classes.
    """
    path = os.fspath(path)
    if not tf.io.gfile.exists(path):
        raise FileNotFoundError(f"image_folder: directory '{path}' does not exist.")
    if not tf.io.gfile.isdir(path):
        raise NotADirectoryError(f"image_folder: '{path}' is a file, not a directory of images.")

    top_files, class_names = [], []
    for name in sorted(entry.rstrip("/") for entry in tf.io.gfile.listdir(path)):
        if _is_hidden(name):
            continue
        full = os.path.join(path, name)
        if tf.io.gfile.isdir(full):
            class_names.append(name)
        elif _is_image_name(name):
            top_files.append(full)
    class_files = [_images_below(os.path.join(path, name)) for name in class_names]

    if not top_files and not any(class_files):
        raise ValueError(
            f"image_folder: no images found in '{path}' (looked for files ending in "
            f"{', '.join(IMAGE_EXTENSIONS)}, any case, at its top level and in its sub-folders)."
        )
    if not labels:
        files = sorted(top_files + [f for group in class_files for f in group])
        return files, [0] * len(files), None
    if top_files:
        raise ValueError(
            f"image_folder: labels=True needs every image in a class sub-folder, but "
            f"'{path}' has {len(top_files)} images at its top level (e.g. "
            f"'{top_files[0]}'). Move them into class folders, or pass labels=False."
        )
    files = [f for group in class_files for f in group]
    file_labels = [index for index, group in enumerate(class_files) for _ in group]
    return files, file_labels, class_names


def image_folder(
    path,
    image_size,
    batch_size=64,
    labels=False,
    channels=3,
    seed=0,
    shuffle=True,
    repeat=False,
    cache=False,
    on_bad_image=None,
):
    """A tf.data pipeline over a folder of JPEG/PNG/GIF/BMP images.

    Each image is decoded with `tf.io.decode_image(expand_animations=False)`
    (by content, not name: a PNG named .jpg is read as a PNG; a GIF gives its
    first frame; grey, CMYK JPEG and 16-bit PNG are fine), converted to
    `channels`, resized bilinearly with antialiasing (aspect ratio not kept)
    and scaled to [-1, 1]. Batches use `drop_remainder=True`: GAN steps need
    full global batches.

    Args:
      path: the folder (layouts in the module docstring).
      image_size: output side (int) or `(height, width)`.
      batch_size: images per batch.
      labels: if True each element is `(images, labels)` with int32 labels from
        the sorted class sub-folder names, also set as `dataset.class_names`;
        a flat folder then raises ValueError.
      channels: 1 (grey) or 3 (RGB); alpha is dropped.
      seed: shuffle seed; the same seed gives the same order. None: random.
      shuffle: reshuffle every epoch.
      repeat: repeat forever instead of one epoch.
      cache: keep the decoded, resized images in memory after the first
        epoch (for folders that fit in RAM).
      on_bad_image: "fail": iterating raises `tf.errors.InvalidArgumentError`
        naming a file that does not decode (empty, not an image,
        truncated, ...) and why. "skip": every file is decoded once now, the
        bad ones are left out and logged, and `dataset.bad_images` is a
        `ganzoo.data.BadImageReport` listing them (None under "fail"). None:
        the enclosing `ganzoo.data.bad_image_policy` block's, else "fail".

    Returns:
      A `tf.data.Dataset` of float32 [batch, H, W, channels] in [-1, 1], of
      known length unless `repeat`.

    Raises:
      FileNotFoundError, NotADirectoryError, ValueError: bad `path` or
        arguments, or fewer images than one batch (before or after skipping
        bad files; messages name the input).
    """
    on_bad_image = _file_decoding.resolve_on_bad_image(on_bad_image)
    size_hw = _images.image_size_hw(image_size)
    _images.check_channels(channels)
    _pipeline.check_batch_size(batch_size)
    files, file_labels, class_names, report = checked_image_files(
        path, labels, batch_size, on_bad_image, f"image_folder '{os.fspath(path)}'"
    )
    dataset = decoded_images(
        files, file_labels, size_hw, channels, seed=seed, shuffle=shuffle, repeat=repeat, cache=cache
    )
    dataset = _pipeline.split_labels(dataset, labels)
    dataset = _pipeline.batch_and_prefetch(
        dataset, batch_size=batch_size, seed=seed, shuffle=shuffle
    )
    if not repeat:
        # Decoding hides the length from tf.data; it is known (a bad file raises anyway).
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(len(files) // batch_size))
    if labels:
        dataset.class_names = class_names
    dataset.bad_images = report
    return dataset


def checked_image_files(path, labels, batch_size, on_bad_image, source):
    """`list_image_files`, then the bad files left out under "skip", and at least one batch left.

    Returns:
        `(files, file_labels, class_names, report)`: `report` is a `BadImageReport` under "skip",
        None under "fail".
    """
    files, file_labels, class_names = list_image_files(path, labels=labels)
    _pipeline.require_full_batch(len(files), batch_size, source)
    report = None
    if on_bad_image == "skip":
        files, file_labels, report = _file_decoding.skip_bad_files(files, file_labels, source)
        _file_decoding.require_full_batch(report, len(files), batch_size, source)
    return files, file_labels, class_names, report


def decoded_images(files, file_labels, size_hw, channels, *, seed, shuffle, repeat, cache):
    """Unbatched `(image, label)` from image files, in a seeded order; a bad file raises, named."""
    image_shape = (*size_hw, channels)

    def load_image(file_path):
        # Decoding to RGB works for every format (BMP and GIF refuse 1 channel);
        # the channel conversion happens afterwards.
        image = _file_decoding.decode_image_file(file_path)
        image = _images.normalize_images(image, size_hw, channels)
        return tf.ensure_shape(image, image_shape)

    return _file_decoding.file_dataset(
        files, file_labels, load_image, image_shape, "image_folder",
        seed=seed, shuffle=shuffle, repeat=repeat, cache=cache,
    )


def _is_hidden(name):
    return name.startswith(".")


def _is_image_name(name):
    return name.lower().endswith(IMAGE_EXTENSIONS)


def _images_below(directory):
    files = []
    for dir_path, _, file_names in tf.io.gfile.walk(directory):
        relative = os.path.relpath(dir_path, directory)
        if any(_is_hidden(part) for part in relative.split(os.sep) if part != "."):
            continue
        files.extend(
            os.path.join(dir_path, name)
            for name in file_names
            if not _is_hidden(name) and _is_image_name(name)
        )
    return sorted(files)
