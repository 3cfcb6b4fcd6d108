"""pix2pix: the paper's objective step by step, its normalisation at serving time, and its export.

The shared contract (tests/models/test_contract.py) covers player isolation, configs, reloads, resume
and replicas; learning on the real facades is in test_pix2pix_learning.py.
"""

import io
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import harness
import shared_data
from ganzoo import export, losses, models

SIDE = 32


def _images(n, seed):
    return tf.constant(np.random.default_rng(seed).uniform(-1, 1, (n, SIDE, SIDE, 3)), tf.float32)


def _model(**kwargs):
    return models.Pix2Pix((SIDE, SIDE, 3), base_filters=4, seed=2, **kwargs)


def test_defaults_are_the_papers():
    pix2pix = _model()
    pix2pix.compile()
    for optimizer in (pix2pix.d_optimizer, pix2pix.g_optimizer):
        assert isinstance(optimizer, keras.optimizers.Adam)
        assert float(optimizer.learning_rate) == pytest.approx(2e-4)
        assert optimizer.beta_1 == pytest.approx(0.5)
    assert pix2pix.game.name == "non_saturating" and pix2pix.l1_weight == 100.0
    assert pix2pix.norm == "instance" and pix2pix.dropout == 0.5 and pix2pix.d_layers == 3
    assert models.get("pix2pix") is models.Pix2Pix


def test_one_step_is_the_papers_algorithm():
    """D: halved cGAN loss on (x, y) vs (x, G(x)); then G: non-saturating loss against the UPDATED D
    plus λ·L1. Replayed here by hand with plain SGD and compared weight for weight."""
    inputs, targets = _images(2, seed=0), _images(2, seed=1)
    model = _model(dropout=0.0)  # without dropout a training forward pass is repeatable
    model.compile(
        d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1), l1_weight=7.0
    )
    manual = _model(dropout=0.0)
    manual.set_weights(model.get_weights())
    generator, discriminator = manual.generator, manual.discriminator

    outputs = generator(inputs, training=True)
    with tf.GradientTape() as tape:
        real = discriminator([inputs, targets], training=True)
        fake = discriminator([inputs, outputs], training=True)
        d_loss = 0.5 * tf.reduce_mean(tf.nn.softplus(-real) + tf.nn.softplus(fake))
    for variable, gradient in zip(
        discriminator.trainable_variables, tape.gradient(d_loss, discriminator.trainable_variables)
    ):
        variable.assign_sub(0.1 * gradient)
    with tf.GradientTape() as tape:
        outputs = generator(inputs, training=True)
        gan = tf.reduce_mean(tf.nn.softplus(-discriminator([inputs, outputs], training=True)))
        l1 = tf.reduce_mean(tf.abs(outputs - targets))
        g_loss = gan + 7.0 * l1
    for variable, gradient in zip(
        generator.trainable_variables, tape.gradient(g_loss, generator.trainable_variables)
    ):
        variable.assign_sub(0.1 * gradient)

    logs = model.fit(
        tf.data.Dataset.from_tensors((inputs, targets)), epochs=1, verbose=0
    ).history
    assert logs["d_loss"][0] == pytest.approx(float(d_loss), rel=1e-5)
    assert logs["g_gan_loss"][0] == pytest.approx(float(gan), rel=1e-5)
    assert logs["g_l1_loss"][0] == pytest.approx(float(l1), rel=1e-5)
    for expected, actual in zip(manual.trainable_variables, model.trainable_variables):
        np.testing.assert_allclose(np.array(actual), np.array(expected), atol=2e-6, err_msg=actual.path)


def test_l1_is_a_mean_over_each_examples_pixels():
    outputs = np.zeros((2, 2, 2, 1), np.float32)
    targets = np.array([np.full((2, 2, 1), 0.5), [[[1.0], [0.0]], [[0.0], [0.0]]]], np.float32)
    np.testing.assert_allclose(models.pix2pix.l1_per_example(outputs, targets), [0.5, 0.25])


def test_evaluate_reports_the_losses_without_training():
    model = _model()
    model.compile()
    pairs = tf.data.Dataset.from_tensor_slices((_images(4, 0), _images(4, 1))).batch(2)
    before = [np.array(w) for w in model.weights]
    scores = model.evaluate(pairs, return_dict=True, verbose=0)
    assert set(scores) == {"d_loss", "g_gan_loss", "g_l1_loss"}
    outputs = model.translate(_images(4, 0))
    assert scores["g_l1_loss"] == pytest.approx(float(tf.reduce_mean(tf.abs(outputs - _images(4, 1)))))
    fake = model.discriminator([_images(4, 0), outputs])
    assert scores["g_gan_loss"] == pytest.approx(
        float(tf.reduce_mean(losses.non_saturating_generator_loss(fake))), rel=1e-5
    )
    for b, w in zip(before, model.weights):
        np.testing.assert_array_equal(b, np.array(w))


def test_serving_normalises_each_image_as_training_did():
    """Instance norm: an image's translation is the same alone or in any batch, and equal to a training
    forward pass (dropout aside)."""
    model = _model(dropout=0.0)
    images = _images(4, 0)
    together = model.translate(images).numpy()
    alone = np.concatenate([model.translate(images[i : i + 1]).numpy() for i in range(4)])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    np.testing.assert_allclose(model.generator(images, training=True).numpy(), together, atol=1e-5)
    np.testing.assert_array_equal(model.predict(images, verbose=0), together)


def test_unknown_norms_and_small_images_are_refused():
    with pytest.raises(ValueError, match="norm must be one of"):
        _model(norm="layer")
    with pytest.raises(ValueError, match="too small for a PatchGAN"):
        models.Pix2Pix((16, 16, 3), base_filters=4)
    assert models.Pix2Pix((16, 16, 3), base_filters=4, d_layers=2).translate(
        np.zeros((1, 16, 16, 3), np.float32)
    ).shape == (1, 16, 16, 3)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    model = _model()
    model.compile()
    return model, export.save(model, str(tmp_path_factory.mktemp("pix2pix") / "pix2pix"))


def _facade_jpeg(side):
    """The label map of val pair 1 of the real facades, at `side` px, as JPEG bytes."""
    facades = shared_data.shared_data_path("facades")
    with Image.open(os.path.join(facades, "val", "1.jpg")) as pair:
        label_map = pair.crop((256, 0, 512, 256)).resize((side, side), Image.BILINEAR)
    stream = io.BytesIO()
    label_map.save(stream, format="JPEG", quality=95)
    return stream.getvalue()


def test_export_translates_uint8_and_jpeg_bytes_in_a_process_without_ganzoo(exported, tmp_path):
    model, path = exported
    jpeg = _facade_jpeg(SIDE)
    images = np.random.default_rng(0).integers(0, 256, (2, SIDE, SIDE, 3)).astype(np.uint8)
    decoded = tf.io.decode_jpeg(jpeg).numpy()
    expected = export.to_uint8(model.translate(np.stack([decoded, *images]) / 127.5 - 1.0)).numpy()
    np.save(tmp_path / "images.npy", images)
    (tmp_path / "label_map.jpg").write_bytes(jpeg)
    result = harness.load_in_fresh_process(
        path,
        f"""
import numpy as np, tensorflow as tf
loaded = tf.saved_model.load(path)
images = np.load({str(tmp_path / "images.npy")!r})
typed = loaded.signatures["serving_default"](images=tf.constant(images))["images"].numpy()
jpeg = open({str(tmp_path / "label_map.jpg")!r}, "rb").read()
png = loaded.signatures["serving_bytes"](image_bytes=tf.constant([jpeg]))["images_bytes"].numpy()[0]
np.save({str(tmp_path / "typed.npy")!r}, typed)
np.save({str(tmp_path / "from_jpeg.npy")!r}, tf.io.decode_png(png).numpy())
print(json.dumps({{"dtype": typed.dtype.name, "png": png[:4] == b"\\x89PNG"}}))
""",
    )
    assert result == {"dtype": "uint8", "png": True}
    harness.assert_same_images(np.load(tmp_path / "typed.npy"), expected[1:])
    harness.assert_same_images(np.load(tmp_path / "from_jpeg.npy"), expected[0])


@pytest.mark.parametrize(
    "shape", [(1, SIDE, SIDE + 8, 3), (1, 2 * SIDE, 2 * SIDE, 3), (1, SIDE, SIDE, 1), (1, SIDE, SIDE, 4)]
)
def test_export_rejects_other_sizes_and_channel_counts(exported, shape):
    loaded = tf.saved_model.load(exported[1])
    message = r"input `images` must be \[batch, 32, 32, 3\]"
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        loaded.signatures["serving_default"](images=tf.zeros(shape, tf.uint8))


def test_export_rejects_a_jpeg_of_another_size_instead_of_resizing(exported):
    loaded = tf.saved_model.load(exported[1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="must decode to 32x32 images"):
        loaded.signatures["serving_bytes"](image_bytes=tf.constant([_facade_jpeg(64)]))


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
