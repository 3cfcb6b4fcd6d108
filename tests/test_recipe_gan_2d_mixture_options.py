"""recipes/gan_2d_mixture.py's --model, --pack and --r1_weight reach the model (the recipe's own tests
are in test_recipe_gan_2d_mixture.py)."""

import keras
import pytest
from absl import app, flags
from absl.testing import flagsaver

import gan_2d_mixture as recipe


@pytest.fixture(autouse=True)
def parsed_flags():
    if not flags.FLAGS.is_parsed():
        flags.FLAGS.mark_as_parsed()


def _run(tmp_path, **overrides):
    values = {
        **recipe.DEFAULTS, "epochs": 1, "steps_per_epoch": 4, "batch_size": 64, "strategy": "default",
        "model_dir": str(tmp_path / "run"), "export_dir": "", "seed": 0, **overrides,
    }
    with flagsaver.flagsaver(**values):
        recipe.main(["gan_2d_mixture"])
    return keras.saving.load_model(str(tmp_path / "run" / "model.keras"))


def test_pack_and_r1_reach_the_gan(tmp_path):
    model = _run(tmp_path, pack=4, r1_weight=0.1)
    assert type(model).__name__ == "GAN" and (model.pack, model.r1_weight) == (4, 0.1)
    assert model.discriminator.input_shape == (None, 8)


def test_model_wgan_gp_takes_n_critic_batches_per_step(tmp_path):
    model = _run(tmp_path, model="wgan_gp", pack=2)
    assert type(model).__name__ == "WGANGP" and model.pack == 2
    assert int(model.d_optimizer.iterations) == 5 * int(model.g_optimizer.iterations) > 0


def test_an_unknown_model_is_refused(tmp_path):
    with pytest.raises(app.UsageError, match="--model must be gan or wgan_gp"):
        _run(tmp_path, model="cgan")


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
