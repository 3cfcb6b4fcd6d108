"""recipes/cgan_digits.py and recipes/cgan_mnist.py end to end, into a temporary directory."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from absl import app

import shared_data
from recipe_runner import run_recipe

_SHORT = dict(image_size=16, base_filters=8, latent_dim=16, epochs=1, steps_per_epoch=2, strategy="default")


@pytest.mark.parametrize("model", ["cgan", "acgan"])
def test_cgan_digits_trains_and_exports_the_class_conditional_signature(tmp_path, model):
    run_recipe(
        "cgan_digits", model=model, model_dir=str(tmp_path / "run"), export_dir=str(tmp_path / "export"),
        **_SHORT,
    )
    assert os.path.isfile(tmp_path / "run" / "samples" / "epoch_0001.png")
    restored = keras.saving.load_model(str(tmp_path / "run" / "model.keras"))
    assert type(restored).__name__ == model.upper()
    serve = tf.saved_model.load(str(tmp_path / "export" / "1")).signatures["serving_default"]
    images = serve(z=tf.zeros((3, 16)), labels=tf.constant([0, 5, 9], tf.int32))["images"]
    assert images.dtype == tf.uint8 and images.shape == (3, 16, 16, 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="`labels`"):
        serve(z=tf.zeros((1, 16)), labels=tf.constant([10], tf.int32))


def test_cgan_digits_options_reach_the_model(tmp_path):
    run_recipe(
        "cgan_digits", conditioning="projection", pack=2, ema_decay=0.9, r1_weight=0.5, spectral_norm=True,
        loss="hinge", model_dir=str(tmp_path / "run"), export_dir="", **_SHORT,
    )
    restored = keras.saving.load_model(str(tmp_path / "run" / "model.keras"))
    assert (restored.pack, restored.ema_decay, restored.r1_weight) == (2, 0.9, 0.5)
    assert restored.game.name == "hinge"
    assert any("projection" in layer.name for layer in restored.discriminator.layers)
    assert any(type(layer).__name__ == "SpectralNormalization" for layer in restored.discriminator.layers)


def test_cgan_digits_refuses_an_unknown_model(tmp_path):
    with pytest.raises(app.UsageError, match="--model must be cgan or acgan"):
        run_recipe("cgan_digits", model="gan", model_dir=str(tmp_path / "run"), export_dir="", **_SHORT)


def test_cgan_mnist_runs_on_local_idx_digits(tmp_path):
    mnist = shared_data.shared_data_path("mnist_5k")
    run_recipe(
        "cgan_mnist", dataset=f"idx:{mnist}", model_dir=str(tmp_path / "run"), export_dir="", **_SHORT
    )
    restored = keras.saving.load_model(str(tmp_path / "run" / "model.keras"))
    samples = restored.generate(10, seed=0)
    assert samples.shape == (10, 16, 16, 1) and np.all(np.isfinite(samples))
    assert int(restored.g_optimizer.iterations) == 2


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
