"""Unpaired images of two domains for CycleGAN, from local folders or TFDS `cycle_gan/<name>`.

    horse2zebra/
      trainA/  ...   images of domain A (any names; JPEG/PNG/GIF/BMP)
      trainB/  ...   images of domain B
      testA/   testB/

This is the layout of the CycleGAN authors' archives (horse2zebra, apple2orange, summer2winter_yosemite,
monet2photo, maps, ...) and of TFDS's `cycle_gan/<name>` (splits trainA, trainB, testA, testB). The two
domains are read as two independent streams, each shuffled with its own seed and jittered with its own
random draws, and zipped: an element is `(a, b)`, two batches that have nothing to do with each other.
"""

import os

import tensorflow as tf

from ganzoo.data import _file_decoding
from ganzoo.data import _images
from ganzoo.data import _pipeline
from ganzoo.data import folders
from ganzoo.data import tfds_datasets
from ganzoo.data.paired import jitter_size

SPLITS = ("train", "test")
CYCLE_GAN_DATASETS = (
    "apple2orange", "summer2winter_yosemite", "horse2zebra", "monet2photo", "cezanne2photo",
    "ukiyoe2photo", "vangogh2photo", "maps", "cityscapes", "facades", "iphone2dslr_flower",
)


def _check(split, image_size, batch_size):
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}; received {split!r}.")
    if not isinstance(image_size, int) or isinstance(image_size, bool) or image_size < 1:
        raise ValueError(f"image_size must be a positive int; received {image_size!r}.")
    _pipeline.check_batch_size(batch_size)


def _domain_seeds(seed):
    # Two different seeds: the domains are shuffled and jittered independently of each other.
    return (None, None) if seed is None else (seed, seed + 1_000_003)


def unpaired_folders(
    data_dir,
    split="train",
    image_size=256,
    batch_size=1,
    jitter=None,
    seed=0,
    shuffle=None,
    repeat=False,
    cache=False,
    channels=3,
    on_bad_image=None,
):
    """`(a, b)` batches from `<data_dir>/<split>A/` and `<data_dir>/<split>B/`.

    Each image is decoded, resized (bilinear, antialiased, aspect ratio not kept) and scaled to
    [-1, 1]. With `jitter` (the paper's augmentation, on for "train" by default) it is resized to
    `jitter_size(image_size)` (286 for 256), randomly cropped back to `image_size` and mirrored half
    of the time, each domain with its own draws; without it, resized straight to `image_size`. An epoch
    is max(|A|, |B|) // batch_size batches (the reference code's length): the smaller domain is cycled.

    Args:
        data_dir: the folder holding `trainA/`, `trainB/` (and/or `testA/`, `testB/`).
        split: "train" or "test".
        image_size: side of the square output images.
        batch_size: images per batch of each domain (the paper uses 1).
        jitter: random resize-crop and mirror; True for "train" when None.
        seed: seed of both orders and jitters (the domains get different streams); None: random.
        shuffle: reshuffle every epoch; True for "train" when None.
        repeat: repeat forever instead of one epoch.
        cache: keep the decoded, resized images in memory after the first pass.
        channels: 1 or 3.
        on_bad_image: "fail": iterating raises `tf.errors.InvalidArgumentError` naming a file that
            does not decode, and why. "skip": every file is decoded once now, the bad ones are left
            out and logged, and `dataset.bad_images` is a `ganzoo.data.BadImageReport` listing those
            of both domains (None under "fail"). None: the enclosing `ganzoo.data.bad_image_policy`
            block's, else "fail". See `ganzoo.data.image_folder`.

    Returns:
        A `tf.data.Dataset` of `(a, b)`, each float32 [batch, image_size, image_size, channels] in
        [-1, 1].

    Raises:
        FileNotFoundError: `data_dir` or one of its domain folders does not exist (the message says which
            layout is expected).
        ValueError: a bad argument, or a domain with fewer images than one batch (before or after
            skipping bad files).
    """
    on_bad_image = _file_decoding.resolve_on_bad_image(on_bad_image)
    _check(split, image_size, batch_size)
    _images.check_channels(channels)
    jitter = split == "train" if jitter is None else bool(jitter)
    shuffle = split == "train" if shuffle is None else bool(shuffle)
    data_dir = os.fspath(data_dir)
    layout = (
        f"expected the CycleGAN layout '{data_dir}/{{trainA,trainB,testA,testB}}/' with the images of "
        "domain A in *A/ and of domain B in *B/"
    )
    if not tf.io.gfile.isdir(data_dir):
        raise FileNotFoundError(f"unpaired_folders: directory '{data_dir}' does not exist; {layout}.")
    load_side = jitter_size(image_size) if jitter else image_size
    streams, sizes, reports = [], [], []
    domain_dirs = [os.path.join(data_dir, f"{split}{domain}") for domain in "AB"]
    for domain, folder in zip("AB", domain_dirs):
        if not tf.io.gfile.isdir(folder):
            raise FileNotFoundError(
                f"unpaired_folders: '{data_dir}' has no '{split}{domain}/' folder; {layout}."
            )
    for folder, domain_seed in zip(domain_dirs, _domain_seeds(seed)):
        files, labels, _, report = folders.checked_image_files(
            folder, False, batch_size, on_bad_image, f"unpaired_folders '{folder}'"
        )
        sizes.append(len(files))
        reports.append(report)
        stream = folders.decoded_images(
            files, labels, (load_side, load_side), channels, seed=domain_seed, shuffle=shuffle,
            repeat=True, cache=cache,
        )
        streams.append(_pipeline.split_labels(stream, labels=False))
    dataset = _zip_domains(streams, sizes, image_size, batch_size, jitter, seed, repeat)
    dataset.bad_images = (
        None
        if on_bad_image == "fail"
        else _file_decoding.BadImageReport.combine(f"unpaired_folders '{data_dir}' ({split})", reports)
    )
    return dataset


def unpaired_tfds(
    name="horse2zebra",
    split="train",
    image_size=256,
    batch_size=1,
    jitter=None,
    seed=0,
    shuffle=None,
    repeat=False,
    data_dir=None,
    download=True,
    cache=False,
):
    """`(a, b)` batches from TFDS `cycle_gan/<name>`, splits `<split>A` and `<split>B`.

    The same pipeline as `unpaired_folders` (see there) on TFDS's copy of the CycleGAN authors' data.

    Args:
        name: a `cycle_gan` config, e.g. "horse2zebra" (`CYCLE_GAN_DATASETS`).
        data_dir: TFDS data dir; None means TFDS's default.
        download: download and prepare the data set if it is not prepared (only when the network
            answers); False: fail at once with `ganzoo.data.DatasetNotPreparedError`.
        Other arguments: as `unpaired_folders`.
    """
    _check(split, image_size, batch_size)
    jitter = split == "train" if jitter is None else bool(jitter)
    shuffle = split == "train" if shuffle is None else bool(shuffle)
    load_side = jitter_size(image_size) if jitter else image_size
    streams, sizes = [], []
    for domain, domain_seed in zip("AB", _domain_seeds(seed)):
        stream = tfds_datasets.tfds_images(
            f"cycle_gan/{name}", split=f"{split}{domain}", image_size=load_side, batch_size=1,
            data_dir=data_dir, channels=3, seed=domain_seed, shuffle=shuffle, repeat=True,
            download=download, cache=cache,
        )
        streams.append(stream.unbatch())
        sizes.append(_tfds_split_size(f"cycle_gan/{name}", f"{split}{domain}", data_dir))
    return _zip_domains(streams, sizes, image_size, batch_size, jitter, seed, repeat)


def _tfds_split_size(name, split, data_dir):
    import tensorflow_datasets as tfds

    return tfds.builder(name, data_dir=data_dir).info.splits[split].num_examples


def _zip_domains(streams, sizes, image_size, batch_size, jitter, seed, repeat):
    """Jitters each endless domain stream with its own keys, zips, batches, and cuts epochs."""
    if jitter:
        jittered = []
        for index, stream in enumerate(streams):
            key_seed = None if seed is None else seed + 7 * (index + 1)
            keys = tf.data.Dataset.random(seed=key_seed, rerandomize_each_iteration=True)
            jittered.append(
                tf.data.Dataset.zip(stream, keys).map(
                    _random_jitter(image_size), num_parallel_calls=_pipeline.AUTOTUNE
                )
            )
        streams = jittered
    dataset = tf.data.Dataset.zip(tuple(streams)).batch(batch_size, drop_remainder=True)
    steps = max(sizes) // batch_size
    if not repeat:
        dataset = dataset.take(steps).apply(tf.data.experimental.assert_cardinality(steps))
    return dataset.prefetch(_pipeline.AUTOTUNE)


def _random_jitter(image_size):
    def jitter(image, key):
        crop_seed = tf.stack([key, tf.constant(0, tf.int64)])
        flip_seed = tf.stack([key, tf.constant(1, tf.int64)])
        channels = image.shape[-1]
        image = tf.image.stateless_random_crop(image, [image_size, image_size, channels], seed=crop_seed)
        mirror = tf.random.stateless_uniform([], seed=flip_seed) < 0.5
        return tf.cond(mirror, lambda: tf.reverse(image, axis=[1]), lambda: image)

    return jitter


def unpaired_from_pairs(pix2pix_dir, target_dir, a_half="right", image_size=None):
    """Writes an unpaired CycleGAN folder (`trainA/ trainB/ testA/ testB/`) from a pix2pix A|B folder.

    No pair survives in the training split: domain A takes its half of the FIRST half of the `train/`
    files, domain B the other half of the SECOND half. The test split keeps the pairs of `val/` (or
    `test/`), in the same file order in testA/ and testB/, so a translation can be scored against the
    true counterpart. Facades (photo left, label map right) with `a_half="right"`: A = label maps,
    B = photos.

    Args:
        pix2pix_dir: folder holding `train/` and `val/` or `test/` side-by-side pairs.
        target_dir: where the four folders are written (PNG).
        a_half: which half of each pair is domain A, "left" or "right".
        image_size: resize each half to this square side when writing; None keeps its size.

    Returns:
        `target_dir`.
    """
    from PIL import Image  # noqa: PLC0415  (only this helper needs it)

    if a_half not in ("left", "right"):
        raise ValueError(f"a_half must be 'left' or 'right'; received {a_half!r}.")
    pix2pix_dir = os.fspath(pix2pix_dir)

    def numbered(split):
        files, _, _ = folders.list_image_files(os.path.join(pix2pix_dir, split))
        return sorted(files, key=lambda path: (len(os.path.basename(path)), os.path.basename(path)))

    train = numbered("train")
    test_split = "val" if tf.io.gfile.isdir(os.path.join(pix2pix_dir, "val")) else "test"
    test = numbered(test_split)
    half = len(train) // 2
    b_half = "left" if a_half == "right" else "right"
    jobs = (
        [("trainA", path, a_half) for path in train[:half]]
        + [("trainB", path, b_half) for path in train[half:]]
        + [("testA", path, a_half) for path in test]
        + [("testB", path, b_half) for path in test]
    )
    for folder, path, side in jobs:
        os.makedirs(os.path.join(target_dir, folder), exist_ok=True)
        with tf.io.gfile.GFile(path, "rb") as stream, Image.open(stream) as pair:
            pair = pair.convert("RGB")
            width, height = pair.size
            box = (0, 0, width // 2, height) if side == "left" else (width // 2, 0, width, height)
            image = pair.crop(box)
            if image_size:
                image = image.resize((image_size, image_size), Image.BILINEAR)
        name = os.path.splitext(os.path.basename(path))[0] + ".png"
        image.save(os.path.join(target_dir, folder, name))
    return os.fspath(target_dir)
