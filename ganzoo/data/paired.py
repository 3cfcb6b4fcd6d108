"""Paired images for image-to-image translation, in the pix2pix layout.

    facades/
      train/  1.jpg 2.jpg ...   each file one pair side by side: A (left half) | B (right half)
      val/    ...
      test/   ...

This is how the pix2pix authors distribute facades, cityscapes, maps, edges2shoes, edges2handbags and
night2day (`download_pix2pix_dataset`). Which half is the input is the `direction`: "AtoB" translates
the left half into the right one, "BtoA" the right into the left (facades: A is the photo and B the
label map, so labels -> photos, the paper's task, is BtoA).
"""

import os
import socket
import urllib.parse

import keras
import tensorflow as tf
from PIL import Image

from ganzoo.data import _file_decoding
from ganzoo.data import _images
from ganzoo.data import _pipeline
from ganzoo.data import folders

DIRECTIONS = ("AtoB", "BtoA")
SPLITS = ("train", "val", "test")
PIX2PIX_DATASETS = ("cityscapes", "edges2handbags", "edges2shoes", "facades", "maps", "night2day")
PIX2PIX_URL = "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/{name}.tar.gz"

# The paper's jitter at 256 px: resize to 286, random crop back to 256. Other sizes scale it.
_JITTER_RATIO = 286 / 256


class DownloadError(RuntimeError):
    """A pix2pix data set could not be downloaded (no network, or the server refused)."""


def jitter_size(image_size):
    """The side images are resized to before the random crop: 286 for 256 (the paper), 72 for 64."""
    return int(round(image_size * _JITTER_RATIO))


def paired_images(
    data_dir,
    split="train",
    image_size=256,
    batch_size=1,
    direction="AtoB",
    jitter=None,
    seed=0,
    shuffle=None,
    repeat=False,
    cache=False,
    channels=3,
    on_bad_image=None,
):
    """A tf.data pipeline of `(inputs, targets)` batches from side-by-side A|B images.

    Each file is decoded, split into its left half A and right half B, and both halves are resized
    (bilinear, antialiased, aspect ratio not kept) and scaled to [-1, 1]. With `jitter` (the paper's
    augmentation, on for "train" by default) the halves are resized to `jitter_size(image_size)` (286
    for 256), randomly cropped back to `image_size` at the same place in both, and mirrored together
    half of the time; without it they are resized straight to `image_size` (the test-time
    preprocessing). The random crops and flips are stateless ops seeded from `seed`: the same seed gives
    the same stream of batches.

    Args:
        data_dir: the folder holding `train/`, `val/` and/or `test/`.
        split: "train", "val" or "test".
        image_size: side of the square output images.
        batch_size: pairs per batch (the paper uses 1).
        direction: "AtoB" (inputs are the left halves) or "BtoA" (inputs are the right halves).
        jitter: random resize-crop and mirror; True for "train" when None.
        seed: seed of the order and of the jitter; None: random.
        shuffle: reshuffle every epoch; True for "train" when None.
        repeat: repeat forever instead of one epoch.
        cache: keep the decoded, resized pairs in memory after the first epoch (jitter still differs
            each epoch).
        channels: 1 or 3.
        on_bad_image: "fail": a pair whose width is not twice its height is a ValueError naming it
            (from the image headers, now), and iterating raises `tf.errors.InvalidArgumentError`
            naming a file that does not decode, and why. "skip": every file is decoded once
            now, files that do not decode or are not 2:1 are left out and logged, and
            `dataset.bad_images` is a `ganzoo.data.BadImageReport` listing them (None under "fail").
            None: the enclosing `ganzoo.data.bad_image_policy` block's, else "fail".

    Returns:
        A `tf.data.Dataset` of `(inputs, targets)`, each float32 [batch, image_size, image_size,
        channels] in [-1, 1].

    Raises:
        FileNotFoundError: `data_dir` or its `split` folder does not exist (the message says which
            layout is expected).
        ValueError: a bad argument, a pair whose width is not twice its height (naming the file;
            "fail" only), or fewer pairs than one batch (before or after skipping bad files).
    """
    on_bad_image = _file_decoding.resolve_on_bad_image(on_bad_image)
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}; received {split!r}.")
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}; received {direction!r}.")
    if not isinstance(image_size, int) or isinstance(image_size, bool) or image_size < 1:
        raise ValueError(f"image_size must be a positive int; received {image_size!r}.")
    _images.check_channels(channels)
    _pipeline.check_batch_size(batch_size)
    jitter = split == "train" if jitter is None else bool(jitter)
    shuffle = split == "train" if shuffle is None else bool(shuffle)

    split_dir = pix2pix_split_dir(data_dir, split)
    files, _, _ = folders.list_image_files(split_dir)
    source = f"paired_images '{split_dir}'"
    _pipeline.require_full_batch(len(files), batch_size, source)
    report = None
    if on_bad_image == "skip":
        files, _, report = _file_decoding.skip_bad_files(
            files, [0] * len(files), source, check_shape=side_by_side_problem
        )
        _file_decoding.require_full_batch(report, len(files), batch_size, source)
    else:
        check_side_by_side(files)

    load_side = jitter_size(image_size) if jitter else image_size
    pair_shape = (2, load_side, load_side, channels)

    def load_pair(path):
        image = _file_decoding.decode_image_file(path)
        # A pair the header check missed (a header Pillow cannot parse) is refused here too.
        height, width = tf.shape(image)[0], tf.shape(image)[1]
        two_to_one = tf.debugging.assert_equal(width, 2 * height, message="not a 2:1 pair")
        with tf.control_dependencies([two_to_one]):
            image = _images.convert_channels(_images.to_unit_range(image), channels)
        half = width // 2
        halves = [image[:, :half], image[:, half : 2 * half]]
        resized = [_images.resize(part, (load_side, load_side)) for part in halves]
        return tf.ensure_shape(tf.stack(resized), pair_shape)

    dataset = _file_decoding.file_dataset(
        files, [0] * len(files), load_pair, pair_shape, "paired_images",
        seed=seed, shuffle=shuffle, repeat=repeat, cache=cache, check_shape=side_by_side_problem,
    )
    dataset = _pipeline.split_labels(dataset, labels=False)

    if jitter:
        # One random int64 per pair, drawn again (deterministically from `seed`) at each iteration.
        keys = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
        dataset = tf.data.Dataset.zip(dataset, keys).map(
            _random_jitter(image_size, channels), num_parallel_calls=_pipeline.AUTOTUNE
        )
    first, second = (0, 1) if direction == "AtoB" else (1, 0)
    dataset = dataset.map(lambda pair: (pair[first], pair[second]))
    dataset = _pipeline.batch_and_prefetch(
        dataset, batch_size=batch_size, seed=seed, shuffle=shuffle
    )
    if not repeat:
        # Decoding hides the length from tf.data; it is known (an undecodable file raises anyway).
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(len(files) // batch_size))
    dataset.bad_images = report
    return dataset


def _random_jitter(image_size, channels):
    def jitter(pair, key):
        crop_seed = tf.stack([key, tf.constant(0, tf.int64)])
        flip_seed = tf.stack([key, tf.constant(1, tf.int64)])
        pair = tf.image.stateless_random_crop(
            pair, [2, image_size, image_size, channels], seed=crop_seed
        )
        mirror = tf.random.stateless_uniform([], seed=flip_seed) < 0.5
        return tf.cond(mirror, lambda: tf.reverse(pair, axis=[2]), lambda: pair)

    return jitter


def pix2pix_split_dir(data_dir, split):
    """`<data_dir>/<split>`, or an error that says which layout is expected."""
    data_dir = os.fspath(data_dir)
    layout = (
        f"expected the pix2pix layout '{data_dir}/{{train,val,test}}/' of side-by-side A|B images "
        "(A the left half, B the right), as in facades.tar.gz"
    )
    if not tf.io.gfile.isdir(data_dir):
        raise FileNotFoundError(f"paired_images: directory '{data_dir}' does not exist; {layout}.")
    split_dir = os.path.join(data_dir, split)
    if not tf.io.gfile.isdir(split_dir):
        present = sorted(entry.rstrip("/") for entry in tf.io.gfile.listdir(data_dir))
        raise FileNotFoundError(
            f"paired_images: '{data_dir}' has no '{split}/' folder (it holds {present[:10]}); {layout}."
        )
    return split_dir


def side_by_side_problem(height, width):
    """Why an image of this size is not a pix2pix pair, or None when its width is twice its height."""
    if width == 2 * height:
        return None
    return (
        f"it is {width}x{height} (width x height), but a pix2pix pair is two images side by side, "
        "A|B, so its width must be twice its height"
    )


def check_side_by_side(files):
    """Raises ValueError naming the first file whose width is not twice its height.

    Reads only the image headers. A file whose header does not parse is left to the decoding step,
    which names it as undecodable.
    """
    for path in files:
        try:
            with tf.io.gfile.GFile(path, "rb") as stream, Image.open(stream) as image:
                width, height = image.size
        except (OSError, ValueError, SyntaxError, tf.errors.OpError):
            continue
        if side_by_side_problem(height, width):
            raise ValueError(
                f"paired_images: '{path}' is {width}x{height} (width x height), but a pix2pix pair is "
                "two images side by side, A|B, so its width must be twice its height. Pass "
                "on_bad_image='skip' (recipes: --on_bad_image=skip) to leave such files out."
            )


def download_pix2pix_dataset(name="facades", cache_dir=None, timeout=10.0):
    """Downloads and extracts a pix2pix authors' data set; returns its folder (train/, val/, ...).

    Uses `keras.utils.get_file` (kept under `cache_dir`, `~/.keras/datasets` by default, and not fetched
    again). The server is first contacted with a `timeout`, so a machine without network fails within
    seconds with a message that says what to do instead.

    Raises:
        ValueError: an unknown name.
        DownloadError: the download failed.
    """
    if name not in PIX2PIX_DATASETS:
        raise ValueError(f"unknown pix2pix data set {name!r}; expected one of {PIX2PIX_DATASETS}.")
    url = PIX2PIX_URL.format(name=name)
    try:
        address = urllib.parse.urlsplit(url)
        socket.create_connection((address.hostname, address.port or 80), timeout=timeout).close()
        extracted = keras.utils.get_file(
            fname=f"{name}.tar.gz", origin=url, extract=True, cache_dir=cache_dir
        )
    except Exception as error:  # noqa: BLE001 - any failure gets the same advice
        raise DownloadError(
            f"could not download the pix2pix '{name}' data set from {url} ({error}). Without network "
            f"access: fetch {name}.tar.gz on a machine that has it, extract it (tar xzf {name}.tar.gz), "
            f"copy the '{name}/' folder here and pass it with --data_dir=PATH/{name} (the folder that "
            "holds train/ and val/)."
        ) from None
    for candidate in (extracted, os.path.join(extracted, name)):
        if tf.io.gfile.isdir(os.path.join(candidate, "train")):
            return candidate
    raise DownloadError(f"{url} was extracted to '{extracted}', but no '{name}/train/' folder is there.")
