"""TensorFlow Datasets image sets, normalised like every ganzoo pipeline.

Fails fast offline: `tfds.load` on data that is not prepared locally retries
its downloads for minutes (about 205 s measured) before giving up. Here the
local data dir is checked first, and a download is attempted only when
allowed and the network answers within a few seconds; otherwise the error
says where the data was looked for and how to point at local data instead.
"""

import urllib.error
import urllib.request

import tensorflow as tf

from ganzoo.data import _images
from ganzoo.data import _pipeline

# Most TFDS sources (and TFDS's own bucket) live on Google Cloud Storage; an
# answer from it is the cheap sign that a download has a chance.
_NETWORK_PROBE_URL = "https://storage.googleapis.com"
NETWORK_PROBE_TIMEOUT_S = 3.0


class DatasetNotPreparedError(FileNotFoundError):
    """A TFDS data set is not in the data dir and cannot be downloaded now."""


def tfds_images(
    name,
    split="train",
    image_size=None,
    batch_size=64,
    labels=False,
    data_dir=None,
    channels=None,
    seed=0,
    shuffle=True,
    repeat=False,
    download=True,
    shuffle_buffer_size=10_000,
    cache=False,
    image_key="image",
    label_key="label",
):
    """A tf.data pipeline over a TFDS image data set.

    Batches use `drop_remainder=True`: GAN steps need full global batches.

    Args:
      name: TFDS name, optionally "name/config:version" (e.g. "mnist").
      split: TFDS split string, slicing allowed ("train[:10%]").
      image_size: output side (int) or `(height, width)`; None keeps the
        data set's size (it must then be fixed).
      batch_size: images per batch.
      labels: if True each element is `(images, labels)` with int32 labels
        from the feature `label_key`.
      data_dir: TFDS data dir; None means TFDS's default ($TFDS_DATA_DIR or
        ~/tensorflow_datasets).
      channels: 1 or 3, or None to keep the data set's channels.
      seed: seed for file and example shuffling. None: random.
      shuffle: shuffle files and examples (reshuffled every epoch).
      repeat: repeat forever instead of one epoch.
      download: if the data is not prepared under `data_dir`, try to download
        and prepare it (only when the network answers within
        `NETWORK_PROBE_TIMEOUT_S`). False: fail at once.
      shuffle_buffer_size: examples in the shuffle buffer (capped at the
        split's size).
      cache: keep the normalised split in memory after the first epoch.
      image_key: feature holding the image.
      label_key: feature holding the class label.

    Returns:
      A `tf.data.Dataset` of float32 [batch, H, W, C] in [-1, 1].

    Raises:
      DatasetNotPreparedError: data not prepared locally and no download
        possible; the message says where it looked and what to do instead.
      ValueError: unknown name, split or feature; variable image size with
        `image_size=None`; fewer examples than one batch.
    """
    size_hw = _images.image_size_hw(image_size, allow_none=True)
    _images.check_channels(channels, allow_none=True)
    _pipeline.check_batch_size(batch_size)
    # Imported here: TFDS is heavy and optional, and nothing may run at import.
    import tensorflow_datasets as tfds

    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError as e:
        raise ValueError(
            f"tfds_images: no TFDS data set named {name!r} (see "
            "https://www.tensorflow.org/datasets/catalog/overview)."
        ) from e
    if not builder.is_prepared():
        _prepare_or_explain(builder, name, download)

    info = builder.info
    try:
        num_examples = info.splits[split].num_examples
    except (KeyError, ValueError) as e:
        raise ValueError(
            f"tfds_images: {name!r} has no split {split!r}; splits: {sorted(info.splits)}."
        ) from e
    for key in (image_key, label_key) if labels else (image_key,):
        if key not in info.features:
            raise ValueError(
                f"tfds_images: {name!r} has no feature {key!r}; features: "
                f"{sorted(info.features.keys())}."
            )
    image_shape = info.features[image_key].shape
    if size_hw is None and None in image_shape[:2]:
        raise ValueError(
            f"tfds_images: {name!r} images have variable size {image_shape}; pass image_size."
        )
    _pipeline.require_full_batch(num_examples, batch_size, f"TFDS {name!r} split {split!r}")

    read_config = tfds.ReadConfig(shuffle_seed=seed)
    dataset = builder.as_dataset(split=split, shuffle_files=shuffle, read_config=read_config)

    def normalize(example):
        image = _images.normalize_images(example[image_key], size_hw, channels)
        label = tf.cast(example[label_key], tf.int32) if labels else tf.constant(0, tf.int32)
        return image, label

    dataset = dataset.map(normalize, num_parallel_calls=_pipeline.AUTOTUNE)
    if cache:
        dataset = dataset.cache()
    dataset = _pipeline.shuffle_and_repeat(
        dataset,
        buffer_size=min(num_examples, shuffle_buffer_size),
        seed=seed,
        shuffle=shuffle,
        repeat=repeat,
    )
    dataset = _pipeline.split_labels(dataset, labels)
    return _pipeline.batch_and_prefetch(dataset, batch_size=batch_size, seed=seed, shuffle=shuffle)


def network_reachable(url=_NETWORK_PROBE_URL, timeout=NETWORK_PROBE_TIMEOUT_S):
    """Whether `url` answers within `timeout` seconds (any HTTP status counts).

    Goes through urllib, so the usual *_proxy environment variables apply as
    they do for TFDS's own downloads.
    """
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout)
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False
    return True


def _prepare_or_explain(builder, name, download):
    if download:
        if network_reachable():
            builder.download_and_prepare()
            return
        reason = (
            f"the network is unreachable ({_NETWORK_PROBE_URL} did not answer within "
            f"{NETWORK_PROBE_TIMEOUT_S:g} s), so it cannot be downloaded"
        )
    else:
        reason = "download=False"
    data_dir_root = builder.data_dir_root
    raise DatasetNotPreparedError(
        f"tfds_images: TFDS data set {name!r} was not found under data_dir "
        f"'{data_dir_root}' (looked for '{builder.data_dir}'), and {reason}. Either prepare it "
        f"on a machine with network access (`tfds build {name.split('/')[0]} "
        f"--data_dir=DIR`, or `tfds.load({name!r}, data_dir=DIR)`), copy DIR here and pass "
        "--data_dir=DIR; or train from local files instead: --dataset=folder:PATH (a "
        "folder of images) or --dataset=idx:PATH (MNIST-format IDX files)."
    )

