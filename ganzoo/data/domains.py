"""Multi-domain data for StarGAN: colour-domain digits (bundled), CelebA attributes (tfds), and a local
folder of images with an attribute CSV.

Elements are `(images, domains)`: images float32 [batch, H, W, 3] in [-1, 1]; domains int32 class
indices [batch] for single-label domains, or float32 {0, 1} attribute vectors [batch, n] for multi-label
ones.

Colour-domain digits: a fixed transform of scikit-learn's real digits into `len(INK_COLOURS)` domains,
the digit's ink coloured red, green or blue on a black background. With t = (x + 1)/2 ∈ [0, 1] the grey
digit's ink intensity and k the domain's RGB colour (1, 0, 0), (0, 1, 0) or (0, 0, 1), the image is
2·t·k − 1. Each digit appears in ONE domain, the domain of the i-th digit of the split (in
`ganzoo.data.digits_arrays` order) being i mod 3, so the data are unpaired and every domain holds every
digit class. A classifier of ink colour checks the domain reached; one of digits, the content kept.
"""

import csv
import os

import numpy as np
import tensorflow as tf

from ganzoo.data import _file_decoding
from ganzoo.data import _images
from ganzoo.data import _pipeline
from ganzoo.data import sklearn_digits

INK_COLOURS = {"red": (1.0, 0.0, 0.0), "green": (0.0, 1.0, 0.0), "blue": (0.0, 0.0, 1.0)}
COLOUR_DOMAINS = tuple(INK_COLOURS)

# The paper's CelebA domains.
CELEBA_DEFAULT_ATTRS = ("Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young")
CELEBA_CROP = 178


def colourize(grey_images, domains):
    """Grey digits [N, H, W, 1] in [-1, 1] and domain indices [N] -> RGB [N, H, W, 3] in [-1, 1]."""
    grey_images = np.asarray(grey_images, np.float32)
    colours = np.asarray(list(INK_COLOURS.values()), np.float32)[np.asarray(domains)]
    intensity = (grey_images + 1.0) / 2.0
    return (2.0 * intensity * colours[:, None, None, :] - 1.0).astype(np.float32)


def colour_digits_arrays(image_size=16, split="train"):
    """The colour-domain digits as arrays (module docstring).

    Returns:
      `(images, domains, digits)`: float32 [N, H, W, 3] in [-1, 1], int32 domain indices [N] in
      0..2 (`COLOUR_DOMAINS` order), int32 digit labels [N] in 0..9.
    """
    grey, digits = sklearn_digits.digits_arrays(image_size, split)
    domains = (np.arange(len(grey)) % len(INK_COLOURS)).astype(np.int32)
    return colourize(grey, domains), domains, digits


def colour_digits(image_size=16, batch_size=64, split="train", seed=0, shuffle=True, repeat=False):
    """A tf.data pipeline of `(images, domain indices)` over the colour-domain digits."""
    images, domains, _ = colour_digits_arrays(image_size, split)
    _pipeline.require_full_batch(len(images), batch_size, f"the colour digits {split!r} split")
    dataset = tf.data.Dataset.from_tensor_slices((images, domains))
    dataset = _pipeline.shuffle_and_repeat(
        dataset, buffer_size=len(images), seed=seed, shuffle=shuffle, repeat=repeat
    )
    return _pipeline.batch_and_prefetch(dataset, batch_size=batch_size, seed=seed, shuffle=shuffle)


def _centre_crop_and_resize(image, crop, size_hw):
    image = tf.image.resize_with_crop_or_pad(image, crop, crop) if crop else image
    return _images.normalize_images(image, size_hw, 3)


def celeb_a_attributes(
    attrs=CELEBA_DEFAULT_ATTRS,
    split="train",
    image_size=128,
    batch_size=16,
    data_dir=None,
    seed=0,
    shuffle=True,
    repeat=False,
    download=True,
    shuffle_buffer_size=10_000,
):
    """tfds `celeb_a`: 178×178 centre crops resized to `image_size`, with the chosen attributes.

    Elements are `(images, attributes)`, attributes float32 {0, 1} [batch, len(attrs)], as the paper
    (which trains on the default five: three hair colours, Male, Young).

    Raises:
      ganzoo.data.DatasetNotPreparedError: CelebA is not prepared under `data_dir` and cannot be
        downloaded (tfds's CelebA needs a manual download from Google Drive).
      ValueError: an attribute CelebA does not have.
    """
    size_hw = _images.image_size_hw(image_size)
    _pipeline.check_batch_size(batch_size)
    attrs = tuple(attrs)
    if not attrs:
        raise ValueError("attrs must name at least one CelebA attribute.")
    import tensorflow_datasets as tfds

    from ganzoo.data import tfds_datasets

    builder = tfds.builder("celeb_a", data_dir=data_dir)
    if not builder.is_prepared():
        tfds_datasets._prepare_or_explain(builder, "celeb_a", download)
    known = set(builder.info.features["attributes"].keys())
    unknown = [name for name in attrs if name not in known]
    if unknown:
        raise ValueError(f"CelebA has no attribute(s) {unknown}; it has {sorted(known)}.")
    dataset = builder.as_dataset(
        split=split, shuffle_files=shuffle, read_config=tfds.ReadConfig(shuffle_seed=seed)
    )

    def element(example):
        image = _centre_crop_and_resize(example["image"], CELEBA_CROP, size_hw)
        labels = tf.stack([tf.cast(example["attributes"][name], tf.float32) for name in attrs])
        return image, labels

    dataset = dataset.map(element, num_parallel_calls=_pipeline.AUTOTUNE)
    dataset = _pipeline.shuffle_and_repeat(
        dataset, buffer_size=shuffle_buffer_size, seed=seed, shuffle=shuffle, repeat=repeat
    )
    return _pipeline.batch_and_prefetch(dataset, batch_size=batch_size, seed=seed, shuffle=shuffle)


def read_attribute_csv(csv_path, attrs):
    """(file names, float32 {0, 1} [N, len(attrs)]) from a CSV with a header row.

    The first column holds image file names (relative to the image folder); the other columns are
    attributes, one per header name, valued 1 / 0 or 1 / -1 (CelebA's `list_attr_celeba` convention),
    read as present when > 0.
    """
    with open(csv_path, newline="") as stream:
        rows = list(csv.reader(stream))
    if not rows:
        raise ValueError(f"{csv_path} is empty; expected a header row: filename,<attribute>,...")
    header = [name.strip() for name in rows[0]]
    missing = [name for name in attrs if name not in header[1:]]
    if missing:
        raise ValueError(f"{csv_path} has no column(s) {missing}; its header is {header}.")
    columns = [header.index(name) for name in attrs]
    names, values = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise ValueError(f"{csv_path} line {line} has {len(row)} fields; the header has {len(header)}.")
        names.append(row[0].strip())
        values.append([float(row[column]) > 0 for column in columns])
    return names, np.asarray(values, np.float32).reshape(-1, len(attrs))


def attribute_folder(
    path,
    csv_path,
    attrs,
    image_size=128,
    batch_size=16,
    crop=None,
    seed=0,
    shuffle=True,
    repeat=False,
    on_bad_image=None,
):
    """A local folder of images with an attribute CSV (`read_attribute_csv`), as `(images, attributes)`.

    Args:
      path: the folder the CSV's file names are relative to.
      csv_path: the attribute CSV.
      attrs: the attribute columns to use, in domain-vector order.
      image_size: output side; images are centre-cropped to `crop` (None: no crop) then resized.
      crop: side of the centre crop (178 for CelebA's aligned 178×218 images).
      on_bad_image: "fail": iterating raises `tf.errors.InvalidArgumentError` naming a file that does
        not decode, and why. "skip": every file is decoded once now, the bad ones (and their CSV rows)
        are left out and logged, and `dataset.bad_images` is a `ganzoo.data.BadImageReport` listing
        them (None under "fail"). None: the enclosing `ganzoo.data.bad_image_policy` block's, else
        "fail". See `ganzoo.data.image_folder`.
    """
    on_bad_image = _file_decoding.resolve_on_bad_image(on_bad_image)
    size_hw = _images.image_size_hw(image_size)
    _pipeline.check_batch_size(batch_size)
    names, attributes = read_attribute_csv(csv_path, tuple(attrs))
    files = [os.path.join(path, name) for name in names]
    absent = [name for name in files if not os.path.exists(name)]
    if absent:
        raise FileNotFoundError(f"{len(absent)} image(s) named in {csv_path} are missing, e.g. {absent[0]}.")
    source = f"attribute_folder '{os.fspath(path)}' ({csv_path})"
    _pipeline.require_full_batch(len(files), batch_size, source)
    rows = list(range(len(files)))
    report = None
    if on_bad_image == "skip":
        files, rows, report = _file_decoding.skip_bad_files(files, rows, source)
        _file_decoding.require_full_batch(report, len(files), batch_size, source)
    image_shape = (*size_hw, 3)

    def load_image(file):
        image = _centre_crop_and_resize(_file_decoding.decode_image_file(file), crop, size_hw)
        return tf.ensure_shape(image, image_shape)

    table = tf.constant(attributes)

    def with_attributes(image, row):
        return image, tf.gather(table, row)

    dataset = _file_decoding.file_dataset(
        files, rows, load_image, image_shape, "attribute_folder",
        seed=seed, shuffle=shuffle, repeat=repeat, cache=False,
    )
    dataset = dataset.map(with_attributes, num_parallel_calls=_pipeline.AUTOTUNE)
    dataset = _pipeline.batch_and_prefetch(dataset, batch_size=batch_size, seed=seed, shuffle=shuffle)
    if not repeat:
        # Decoding hides the length from tf.data; it is known (a bad file raises anyway).
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(len(files) // batch_size))
    dataset.bad_images = report
    return dataset
