"""recipes/wgan_digits.py and recipes/wgan_gp_cifar10.py end to end, into a temporary directory."""


import keras
import numpy as np
import pytest
import tensorflow as tf

from recipe_runner import run_recipe

_SHORT = dict(
    image_size=16, base_filters=8, latent_dim=16, batch_size=8, epochs=1, steps_per_epoch=2,
    strategy="default",
)


def test_wgan_digits_clips_the_critic_and_exports(tmp_path):
    run_recipe(
        "wgan_digits", model_dir=str(tmp_path / "run"), export_dir=str(tmp_path / "export"), **_SHORT
    )
    restored = keras.saving.load_model(str(tmp_path / "run" / "model.keras"))
    assert type(restored).__name__ == "WGAN"
    assert int(restored.d_optimizer.iterations) == 5 * int(restored.g_optimizer.iterations) == 10
    for weight in restored.discriminator.trainable_variables:
        assert np.abs(np.array(weight)).max() <= 0.01 + 1e-7, weight.path
    serve = tf.saved_model.load(str(tmp_path / "export" / "1")).signatures["serving_default"]
    assert serve(z=tf.zeros((2, 16)))["images"].shape == (2, 16, 16, 1)


def test_wgan_gp_cifar10_trains_rgb_on_a_local_folder(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for index in range(48):  # one element holds batch_size × n_critic = 40 images
        keras.utils.save_img(str(folder / f"{index}.png"), rng.integers(0, 256, (20, 20, 3)).astype(np.uint8))
    run_recipe(
        "wgan_gp_cifar10", dataset=f"folder:{folder}", model_dir=str(tmp_path / "run"), export_dir="",
        **_SHORT,
    )
    restored = keras.saving.load_model(str(tmp_path / "run" / "model.keras"))
    assert type(restored).__name__ == "WGANGP" and restored.gp_weight == 10.0
    assert restored.generate(2, seed=0).shape == (2, 16, 16, 3)
    assert isinstance(restored.d_optimizer, keras.optimizers.Adam)
    assert restored.d_optimizer.beta_1 == pytest.approx(0.0)
    assert not any(
        isinstance(layer, keras.layers.BatchNormalization) for layer in restored.discriminator.layers
    )


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
