"""The SavedModel export: TF Serving layout, typed signatures, and loading without ganzoo."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import harness
import tiny_translators
import zoo_cases
from ganzoo import export


@pytest.fixture(scope="module")
def dcgan():
    model = zoo_cases.CASES["dcgan"].make_model()
    model.compile()
    return model


def test_versions_are_the_next_free_integer_and_never_overwritten(dcgan, tmp_path):
    base = str(tmp_path / "dcgan")
    assert export.save(dcgan, base) == os.path.join(base, "1")
    assert export.save(dcgan, base) == os.path.join(base, "2")
    assert export.save(dcgan, base, version=7) == os.path.join(base, "7")
    assert export.save(dcgan, base) == os.path.join(base, "8")
    with pytest.raises(FileExistsError, match="never overwrites"):
        export.save(dcgan, base, version=2)
    with pytest.raises(ValueError, match="positive integer"):
        export.save(dcgan, base, version=0)
    assert sorted(os.listdir(base)) == ["1", "2", "7", "8"]  # no staging directory left behind


def test_failed_export_leaves_no_version_directory(dcgan, tmp_path, monkeypatch):
    import keras

    real_archive = keras.export.ExportArchive

    class CrashingArchive:
        """Writes part of a SavedModel, then fails, as a full disk or a kill would."""

        def __init__(self):
            self._archive = real_archive()

        def __getattr__(self, name):
            return getattr(self._archive, name)

        def write_out(self, path, **kwargs):
            os.makedirs(path)
            with open(os.path.join(path, "saved_model.pb"), "w") as partial:
                partial.write("half")
            raise RuntimeError("disk full")

    monkeypatch.setattr(keras.export, "ExportArchive", CrashingArchive)
    base = str(tmp_path / "dcgan")
    with pytest.raises(RuntimeError, match="disk full"):
        export.save(dcgan, base)
    assert os.listdir(base) == []


def test_signature_matches_generator_and_loads_without_ganzoo(dcgan, tmp_path):
    path = export.save(dcgan, str(tmp_path / "dcgan"))
    z = np.random.default_rng(0).normal(size=(3, dcgan.latent_dim)).astype(np.float32)
    expected = export.to_uint8(dcgan.generator(z, training=False)).numpy()
    np.save(tmp_path / "z.npy", z)
    result = harness.load_in_fresh_process(
        path,
        f"""
import numpy as np, tensorflow as tf
loaded = tf.saved_model.load(path)
signature = loaded.signatures["serving_default"]
z = np.load({str(tmp_path / "z.npy")!r})
images = signature(z=tf.constant(z))["images"]
other = signature(z=tf.constant(z[::-1].copy()))["images"]
png = loaded.signatures["serving_bytes"](z=tf.constant(z))["images_bytes"]
decoded = tf.io.decode_png(png[0]).numpy()
np.save({str(tmp_path / "images.npy")!r}, images.numpy())
print(json.dumps({{"dtype": images.dtype.name, "shape": images.shape.as_list(),
                   "inputs": sorted(signature.structured_input_signature[1]),
                   "differs": bool(np.any(images.numpy()[0] != other.numpy()[0])),
                   "png_equal": bool(np.array_equal(decoded, images.numpy()[0]))}}))
""",
    )
    assert result == {
        "dtype": "uint8",
        "shape": [3, 16, 16, 1],
        "inputs": ["z"],
        "differs": True,
        "png_equal": True,
    }
    harness.assert_same_images(np.load(tmp_path / "images.npy"), expected)


def test_non_finite_noise_is_rejected_naming_the_input(dcgan, tmp_path):
    loaded = tf.saved_model.load(export.save(dcgan, str(tmp_path / "dcgan")))
    z = np.zeros((1, dcgan.latent_dim), np.float32)
    z[0, 0] = np.nan
    with pytest.raises(tf.errors.InvalidArgumentError, match="`z` must be finite"):
        loaded.signatures["serving_default"](z=tf.constant(z))
    with pytest.raises((ValueError, TypeError, tf.errors.InvalidArgumentError)):
        loaded.signatures["serving_default"](z=tf.zeros((1, dcgan.latent_dim + 1)))


def test_flat_generator_exports_float_samples(tmp_path):
    model = zoo_cases.CASES["gan"].make_model()
    loaded = tf.saved_model.load(export.save(model, str(tmp_path / "gan")))
    z = tf.random.stateless_normal((5, model.latent_dim), seed=[1, 2])
    samples = loaded.signatures["serving_default"](z=z)["samples"]
    assert samples.dtype == tf.float32 and samples.shape == (5, 2)
    np.testing.assert_allclose(samples.numpy(), model.generator(z).numpy(), rtol=1e-6, atol=1e-6)


def test_a_model_without_a_serving_family_is_refused(tmp_path):
    import keras

    with pytest.raises(ValueError, match="serving_family"):
        export.save(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]), str(tmp_path))


@pytest.fixture(scope="module")
def inverter_export(tmp_path_factory):
    return export.save(tiny_translators.Inverter(name="inverter"), str(tmp_path_factory.mktemp("inverter")))


def _png(image):
    return tf.io.encode_png(image).numpy()


def test_image_to_image_signatures_translate_uint8_and_bytes(inverter_export):
    loaded = tf.saved_model.load(inverter_export)
    images = np.random.default_rng(0).integers(0, 256, (2, 8, 6, 3)).astype(np.uint8)
    inverted = loaded.signatures["serving_default"](images=tf.constant(images))["images"].numpy()
    np.testing.assert_allclose(inverted.astype(int), 255 - images.astype(int), atol=1)
    png = loaded.signatures["serving_bytes"](image_bytes=tf.constant([_png(images[0])]))["images_bytes"]
    np.testing.assert_array_equal(tf.io.decode_png(png[0]).numpy(), inverted[0])
    jpeg = tf.io.encode_jpeg(images[1], quality=100).numpy()
    assert loaded.signatures["serving_bytes"](image_bytes=tf.constant([jpeg]))["images_bytes"].shape == (1,)


@pytest.mark.parametrize(
    "images, message",
    [
        (np.zeros((1, 8, 7, 3), np.uint8), r"input `images` must be \[batch, 8, 6, 3\]"),
        (np.zeros((1, 6, 8, 3), np.uint8), r"input `images` must be \[batch, 8, 6, 3\]"),
        (np.zeros((1, 8, 6, 1), np.uint8), r"input `images` must be \[batch, 8, 6, 3\]"),
    ],
)
def test_wrong_image_sizes_are_rejected_naming_the_input(inverter_export, images, message):
    loaded = tf.saved_model.load(inverter_export)
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        loaded.signatures["serving_default"](images=tf.constant(images))


def test_wrong_image_dtype_is_refused(inverter_export):
    loaded = tf.saved_model.load(inverter_export)
    with pytest.raises((TypeError, ValueError, tf.errors.InvalidArgumentError)):
        loaded.signatures["serving_default"](images=tf.zeros((1, 8, 6, 3), tf.float32))


@pytest.mark.parametrize(
    "payload, message",
    [
        (b"", "input `image_bytes` holds an empty string"),
        (b"this is a text file, not an image", "input `image_bytes` is not a PNG, JPEG"),
        ("png of the wrong size", "input `image_bytes` must decode to 8x6 images"),
        ("truncated png", "input `image_bytes` is a truncated PNG"),
        (b"\x89PNG", "input `image_bytes` is a truncated PNG"),  # shorter than the end chunk
    ],
)
def test_bad_encoded_images_are_rejected_naming_the_input(inverter_export, payload, message):
    if payload == "png of the wrong size":
        payload = _png(np.zeros((9, 6, 3), np.uint8))
    elif payload == "truncated png":
        payload = _png(np.zeros((8, 6, 3), np.uint8))[:-20]
    loaded = tf.saved_model.load(inverter_export)
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        loaded.signatures["serving_bytes"](image_bytes=tf.constant([payload]))


def test_export_carries_a_manifest_that_detects_tampering(dcgan, tmp_path):
    from ganzoo import manifest

    path = export.save(dcgan, str(tmp_path / "dcgan"))
    assert os.path.isfile(os.path.join(path, manifest.DIRECTORY_MANIFEST))
    export.verify(path)
    variables = [
        os.path.join(root, name)
        for root, _, names in os.walk(os.path.join(path, "variables"))
        for name in names
    ]
    with open(variables[0], "ab") as stream:
        stream.write(b"\x00")
    with pytest.raises(manifest.ManifestError, match="does not match its manifest"):
        export.verify(path)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
