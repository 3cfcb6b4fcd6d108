"""The `--dataset` flag's mini-language: one string picks any image source.

    digits          scikit-learn's bundled 8x8 digits (no download)
    tfds:NAME       a TensorFlow Datasets set, e.g. tfds:mnist, tfds:celeb_a
    folder:PATH     a folder of images (class sub-folders give labels)
    idx:PATH        MNIST-format IDX files (a directory or the images file)
"""

from ganzoo.data import _file_decoding
from ganzoo.data import folders
from ganzoo.data import idx
from ganzoo.data import sklearn_digits
from ganzoo.data import tfds_datasets

DATASET_FORMS = "digits | tfds:NAME | folder:PATH | idx:PATH"


def parse_spec(spec):
    """Splits a `--dataset` value into `(kind, argument)`.

    Args:
      spec: e.g. "digits", "tfds:mnist", "folder:/data/faces", "idx:mnist/".

    Returns:
      `(kind, argument)`; `argument` is None for "digits". Only the first
      colon separates, so paths such as "C:\\data" survive.

    Raises:
      ValueError: unknown form or missing argument, listing the accepted forms.
    """
    if not isinstance(spec, str):
        raise ValueError(f"--dataset must be a string ({DATASET_FORMS}); received {spec!r}.")
    if spec == "digits":
        return "digits", None
    kind, sep, argument = spec.partition(":")
    if sep and kind in ("tfds", "folder", "idx"):
        if not argument:
            raise ValueError(f"--dataset={spec!r} lacks its {kind} argument; expected {DATASET_FORMS}.")
        return kind, argument
    raise ValueError(f"unknown --dataset={spec!r}; expected one of: {DATASET_FORMS}.")


def from_spec(
    spec,
    image_size,
    batch_size,
    labels=False,
    data_dir=None,
    seed=0,
    channels=None,
    repeat=False,
    on_bad_image=None,
):
    """Builds the pipeline a `--dataset` value names; see `DATASET_FORMS`.

    Batches use `drop_remainder=True`: GAN steps need full global batches.

    Args:
      spec: "digits", "tfds:NAME", "folder:PATH" or "idx:PATH".
      image_size: output side (int) or `(height, width)`; None keeps the
        source's size (not allowed for folders).
      batch_size: images per batch.
      labels: if True elements are `(images, int32 labels)`.
      data_dir: TFDS data dir for "tfds:NAME" (unused by the other forms;
        folder and IDX paths are taken as given).
      seed: shuffle seed; None: random order.
      channels: 1 or 3; None keeps each source's default (digits and IDX 1,
        folders 3, TFDS the data set's own).
      repeat: repeat forever instead of one epoch.
      on_bad_image: "fail" or "skip", for "folder:PATH" (see
        `ganzoo.data.image_folder`); checked but unused by the other forms,
        which read no image files. None: the enclosing
        `ganzoo.data.bad_image_policy` block's, else "fail".

    Returns:
      A `tf.data.Dataset` of float32 images in [-1, 1], NHWC.
    """
    kind, argument = parse_spec(spec)
    on_bad_image = _file_decoding.resolve_on_bad_image(on_bad_image)
    common = dict(batch_size=batch_size, labels=labels, seed=seed, repeat=repeat)
    if kind == "digits":
        return sklearn_digits.digits(image_size=image_size, channels=channels or 1, **common)
    if kind == "folder":
        return folders.image_folder(
            argument, image_size=image_size, channels=channels or 3, on_bad_image=on_bad_image,
            **common,
        )
    if kind == "idx":
        return idx.idx_images(argument, image_size=image_size, channels=channels or 1, **common)
    return tfds_datasets.tfds_images(
        argument, image_size=image_size, data_dir=data_dir, channels=channels, **common
    )
