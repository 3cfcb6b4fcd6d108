"""Generators as SavedModels in TF Serving's layout: `<export_dir>/<version>/`.

Each model declares a `serving_family`; this module turns it into typed signatures with
`keras.export.ExportArchive` (Keras 3's supported path to a SavedModel). Images cross the signature as
uint8 and are scaled to and from the networks' [-1, 1] inside it, so a client never needs to know the
training normalisation. Every input is checked inside the graph: a bad request is an InvalidArgument that
names the input, never garbage.

A version directory is written under a temporary name and renamed into place, so a server watching
`export_dir` never loads half a model, and an existing version is never overwritten.
"""

import os
import re
import shutil
import uuid

import keras
import tensorflow as tf

from ganzoo import manifest, serving_assets

_VERSION = re.compile(r"^[1-9][0-9]*$")


def to_uint8(images):
    """[-1, 1] floats -> uint8 [0, 255], rounded and clipped."""
    images = tf.cast(images, tf.float32)
    return tf.cast(tf.round(tf.clip_by_value((images + 1.0) * 127.5, 0.0, 255.0)), tf.uint8)


def encode_png(images_uint8):
    """A batch of uint8 images -> a batch of PNG strings."""
    return tf.map_fn(tf.io.encode_png, images_uint8, fn_output_signature=tf.string)


def _with_rank(tensor, rank):
    """`tensor`, checked when the signature runs to be of rank `rank`. Apply it to the signature's input
    itself, so the error names it: "Shape of tensor images [16,16,3] is not compatible with expected
    shape [?,?,?,?]".

    A loaded signature does not enforce its TensorSpec's rank, and `tf.debugging.assert_rank`, like an
    Assert on `tf.raw_ops.Rank`, is decided from that static rank and never fires (both measured): a
    tensor of another rank reached a shape comparison or a layer that failed naming no input.
    """
    return tf.ensure_shape(tensor, [None] * rank)


def _checked_latent(z, latent_dim):
    message = f"input `z` must be float32 [batch, {latent_dim}]"
    z = _with_rank(z, 2)
    size_check = tf.debugging.assert_equal(tf.shape(z)[1], latent_dim, message=f"{message}; received size")
    with tf.control_dependencies([size_check]):  # before the generator's matmul fails more vaguely
        return tf.debugging.assert_all_finite(tf.identity(z), "input `z` must be finite")


def _serving_generator(model):
    """The generator a model serves with: its EMA copy when it keeps one (`serving_generator`)."""
    generator = getattr(model, "serving_generator", None)
    return model.generator if generator is None else generator


def _unconditional_endpoints(archive, model):
    """z float32 [batch, latent_dim] -> images uint8 [batch, H, W, C] (or samples float32 for flat data)."""
    generator = _serving_generator(model)
    archive.track(generator)
    latent_spec = tf.TensorSpec([None, model.latent_dim], tf.float32, name="z")
    produces_images = len(generator.output_shape) == 4

    if not produces_images:

        def samples(z):
            return {"samples": tf.cast(generator(_checked_latent(z, model.latent_dim)), tf.float32)}

        archive.add_endpoint("serving_default", samples, input_signature=[latent_spec])
        return

    def images(z):
        return {"images": to_uint8(generator(_checked_latent(z, model.latent_dim), training=False))}

    def images_png(z):
        uint8 = to_uint8(generator(_checked_latent(z, model.latent_dim), training=False))
        return {"images_bytes": encode_png(uint8)}

    archive.add_endpoint("serving_default", images, input_signature=[latent_spec])
    archive.add_endpoint("serving_bytes", images_png, input_signature=[latent_spec])


def _class_conditional_endpoints(archive, model):
    """z float32 [batch, latent_dim] + labels int32 [batch] -> images uint8 [batch, H, W, C], and the
    same inputs -> images_bytes (PNG).

    A label outside [0, n_classes) is an InvalidArgument naming `labels` (an embedding lookup would
    otherwise fail with an opaque message on CPU and return zeros on GPU), as is a batch-size mismatch.
    """
    generator = _serving_generator(model)
    archive.track(generator)
    n_classes = int(model.n_classes)
    latent_spec = tf.TensorSpec([None, model.latent_dim], tf.float32, name="z")
    labels_spec = tf.TensorSpec([None], tf.int32, name="labels")

    def generate(z, labels):
        z = _checked_latent(z, model.latent_dim)
        labels = _with_rank(labels, 1)
        checks = [
            tf.debugging.assert_greater_equal(
                labels, 0, message=f"input `labels` must be class indices in [0, {n_classes})"
            ),
            tf.debugging.assert_less(
                labels, n_classes, message=f"input `labels` must be class indices in [0, {n_classes})"
            ),
            tf.debugging.assert_equal(
                tf.shape(labels)[0],
                tf.shape(z)[0],
                message="inputs `z` and `labels` must have the same batch size",
            ),
        ]
        with tf.control_dependencies(checks):
            labels = tf.identity(labels)
        return to_uint8(generator([z, labels], training=False))

    def images(z, labels):
        return {"images": generate(z, labels)}

    def images_png(z, labels):
        return {"images_bytes": encode_png(generate(z, labels))}

    archive.add_endpoint("serving_default", images, input_signature=[latent_spec, labels_spec])
    archive.add_endpoint("serving_bytes", images_png, input_signature=[latent_spec, labels_spec])


# -- image inputs -----------------------------------------------------------------------------------

_IMAGE_MAGIC = {  # first bytes of the encodings tf.io.decode_image reads
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"BM": "BMP",
}
# A PNG ends with its IEND chunk (length 0, type, CRC): a truncated upload does not, and is refused naming
# the input instead of failing in the decoder with "Invalid PNG". A truncated JPEG still gets
# TensorFlow's own decode error: JPEGs in the wild may carry bytes after their end marker.
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


def _assert_not_empty(batch_size, name):
    # An empty batch would reach the network, where e.g. reflection padding fails naming nothing.
    return tf.debugging.assert_greater(
        batch_size, 0, message=f"input `{name}` holds no image: the batch is empty"
    )


def checked_images(images, image_shape, name="images"):
    """uint8 [batch, H, W, C] -> float32 in [-1, 1], refusing any other height, width or channels.

    A loaded signature does not enforce the static shape of its TensorSpec (measured), so the check is
    explicit and names the input.
    """
    height, width, channels = image_shape
    images = _with_rank(images, 4)
    checks = [
        _assert_not_empty(tf.shape(images)[0], name),
        tf.debugging.assert_equal(
            tf.shape(images)[1:],
            tf.constant([height, width, channels]),
            message=f"input `{name}` must be [batch, {height}, {width}, {channels}] uint8 images; "
            "received shape",
            summarize=4,
        ),
    ]
    with tf.control_dependencies(checks):  # before anything that would fail with a vaguer message
        images = tf.ensure_shape(tf.identity(images), [None, height, width, channels])
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def decode_images(encoded, image_shape, name="image_bytes"):
    """A batch of PNG/JPEG/GIF/BMP strings -> uint8 [batch, H, W, C], each checked before decoding.

    TensorFlow's own decode error names neither the input nor the problem; these checks do.
    """
    height, width, channels = image_shape
    encoded = _with_rank(encoded, 1)
    with tf.control_dependencies([_assert_not_empty(tf.size(encoded), name)]):
        encoded = tf.identity(encoded)

    def decode_one(data):
        known_format = tf.reduce_any(
            [tf.strings.substr(data, 0, len(magic)) == magic for magic in _IMAGE_MAGIC]
        )
        checks = [
            tf.debugging.assert_greater(
                tf.strings.length(data), 0, message=f"input `{name}` holds an empty string"
            ),
            tf.debugging.Assert(known_format, [f"input `{name}` is not a PNG, JPEG, GIF or BMP image"]),
            tf.debugging.Assert(
                tf.logical_or(
                    tf.strings.substr(data, 0, 4) != b"\x89PNG",
                    tf.strings.substr(
                        data, tf.maximum(tf.strings.length(data) - len(_PNG_END), 0), len(_PNG_END)
                    )
                    == _PNG_END,
                ),
                [f"input `{name}` is a truncated PNG (it does not end with the IEND chunk)"],
            ),
        ]
        with tf.control_dependencies(checks):
            image = tf.io.decode_image(
                tf.identity(data), channels=channels, expand_animations=False
            )
        tf.debugging.assert_equal(
            tf.shape(image)[:2],
            tf.constant([height, width]),
            message=f"input `{name}` must decode to {height}x{width} images (no resizing is done); "
            "received height, width",
        )
        # Inside map_fn's loop a control dependency does not order a shape check before the assert
        # (measured), so the shape is made static without any op that can fail first: the crop or pad is
        # a no-op on every image the assert lets through, and a request with any other size fails.
        return tf.image.resize_with_crop_or_pad(image, height, width)

    return tf.map_fn(decode_one, encoded, fn_output_signature=tf.TensorSpec([height, width, channels], tf.uint8))


def _image_to_image_endpoints(archive, model):
    """images uint8 [batch, H, W, C] -> images uint8, and image_bytes (PNG/JPEG) -> images_bytes (PNG).

    The model provides `image_shape` and `translate(images)`, images in [-1, 1] both ways.
    """
    archive.track(model)
    shape = tuple(model.image_shape)

    def translate(images):
        return {"images": to_uint8(model.translate(checked_images(images, shape)))}

    def translate_bytes(image_bytes):
        images = checked_images(decode_images(image_bytes, shape), shape)
        return {"images_bytes": encode_png(to_uint8(model.translate(images)))}

    archive.add_endpoint(
        "serving_default", translate, input_signature=[tf.TensorSpec([None, *shape], tf.uint8, name="images")]
    )
    archive.add_endpoint(
        "serving_bytes", translate_bytes, input_signature=[tf.TensorSpec([None], tf.string, name="image_bytes")]
    )


def _multi_domain_endpoints(archive, model):
    """images uint8 [batch, H, W, C] + domains float32 [batch, n_domains] -> images uint8, and
    image_bytes (PNG/JPEG) + domains -> images_bytes (PNG).

    The model provides `image_shape`, `n_domains` and `translate(images, domains)`. A domains tensor of
    another length or batch size than the images is an InvalidArgument naming `domains`.
    """
    archive.track(model)
    shape = tuple(model.image_shape)
    n_domains = int(model.n_domains)

    def checked_domains(domains, images):
        domains = _with_rank(domains, 2)
        checks = [
            tf.debugging.assert_equal(
                tf.shape(domains)[-1],
                n_domains,
                message=f"input `domains` must be float32 [batch, {n_domains}]: one value per domain",
            ),
            tf.debugging.assert_equal(
                tf.shape(domains)[0],
                tf.shape(images)[0],
                message="inputs `images` and `domains` must have the same batch size",
            ),
            tf.debugging.assert_all_finite(domains, "input `domains` must be finite"),
        ]
        with tf.control_dependencies(checks):
            return tf.ensure_shape(tf.identity(domains), [None, n_domains])

    def translate(images, domains):
        images = checked_images(images, shape)
        return {"images": to_uint8(model.translate(images, checked_domains(domains, images)))}

    def translate_bytes(image_bytes, domains):
        images = checked_images(decode_images(image_bytes, shape), shape)
        outputs = model.translate(images, checked_domains(domains, images))
        return {"images_bytes": encode_png(to_uint8(outputs))}

    domains_spec = tf.TensorSpec([None, n_domains], tf.float32, name="domains")
    archive.add_endpoint(
        "serving_default",
        translate,
        input_signature=[tf.TensorSpec([None, *shape], tf.uint8, name="images"), domains_spec],
    )
    archive.add_endpoint(
        "serving_bytes",
        translate_bytes,
        input_signature=[tf.TensorSpec([None], tf.string, name="image_bytes"), domains_spec],
    )


def _two_directions_endpoints(archive, model):
    """Both directions of a two-domain translator (CycleGAN): `a_to_b` and `b_to_a` take images uint8
    [batch, H, W, C] -> images uint8, `a_to_b_bytes` and `b_to_a_bytes` take image_bytes (PNG/JPEG) ->
    images_bytes (PNG); `serving_default` is `a_to_b`.

    The model provides `image_shape` and `translate(images, direction)`, images in [-1, 1] both ways.
    """
    archive.track(model)
    shape = tuple(model.image_shape)
    images_spec = tf.TensorSpec([None, *shape], tf.uint8, name="images")
    bytes_spec = tf.TensorSpec([None], tf.string, name="image_bytes")

    def endpoints(direction):
        def translate(images):
            return {"images": to_uint8(model.translate(checked_images(images, shape), direction))}

        def translate_bytes(image_bytes):
            images = checked_images(decode_images(image_bytes, shape), shape)
            return {"images_bytes": encode_png(to_uint8(model.translate(images, direction)))}

        return translate, translate_bytes

    for direction in ("a_to_b", "b_to_a"):
        translate, translate_bytes = endpoints(direction)
        archive.add_endpoint(direction, translate, input_signature=[images_spec])
        archive.add_endpoint(f"{direction}_bytes", translate_bytes, input_signature=[bytes_spec])
    archive.add_endpoint("serving_default", endpoints("a_to_b")[0], input_signature=[images_spec])


_FAMILIES = {
    "unconditional": _unconditional_endpoints,
    "image_to_image": _image_to_image_endpoints,
    "class_conditional": _class_conditional_endpoints,
    "multi_domain": _multi_domain_endpoints,
    "two_directions": _two_directions_endpoints,
}


def register_family(name, add_endpoints):
    """Adds a serving family: `add_endpoints(archive, model)` tracks the nets and adds signatures."""
    _FAMILIES[name] = add_endpoints


def existing_versions(export_dir):
    """The version numbers already present under `export_dir`, ascending."""
    if not os.path.isdir(export_dir):
        return []
    return sorted(int(name) for name in os.listdir(export_dir) if _VERSION.match(name))


def save(model, export_dir, version=None):
    """Exports `model`'s serving signatures to `<export_dir>/<version>/` and returns that path.

    Args:
        model: a ganzoo model (its `serving_family` picks the signatures).
        export_dir: the TF Serving model base path, e.g. `saved_models/dcgan_digits`.
        version: a positive integer; the next free one when None. An existing version is never
            overwritten.
    """
    family = getattr(model, "serving_family", None)
    if family not in _FAMILIES:
        raise ValueError(
            f"{type(model).__name__} has serving_family={family!r}; ganzoo.export knows {sorted(_FAMILIES)}."
        )
    if version is not None and (not isinstance(version, int) or version < 1):
        raise ValueError(f"version must be a positive integer; received {version!r}.")
    os.makedirs(export_dir, exist_ok=True)

    archive = keras.export.ExportArchive()
    _FAMILIES[family](archive, model)
    staging = os.path.join(export_dir, f".tmp-{uuid.uuid4().hex}")
    try:
        archive.write_out(staging, verbose=False)
        serving_assets.write_warmup(staging, os.path.basename(os.path.abspath(export_dir)))
        manifest.write_directory_manifest(staging)  # published with the version, by the same rename
        published = _publish(staging, export_dir, version)
        serving_assets.update_model_config(export_dir)
        return published
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def verify(version_dir):
    """Raises `ganzoo.manifest.ManifestError` unless the export matches the manifest written with it."""
    manifest.verify_manifest(os.path.join(version_dir, manifest.DIRECTORY_MANIFEST))


def _publish(staging, export_dir, version):
    """Renames the staged SavedModel to its version directory; rename is atomic on one file system."""
    if version is not None:
        target = os.path.join(export_dir, str(version))
        if os.path.exists(target):
            raise FileExistsError(f"{target} already exists; ganzoo never overwrites a version.")
        os.rename(staging, target)
        return target
    while True:
        candidate = (existing_versions(export_dir) or [0])[-1] + 1
        target = os.path.join(export_dir, str(candidate))
        try:
            os.rename(staging, target)  # fails if another exporter took this number meanwhile
            return target
        except OSError:
            if not os.path.exists(target):
                raise
