"""recipes/gan_2d_mixture.py end to end: flags -> training -> statistics line -> TF Serving export."""

import os
import re

import numpy as np
import pytest
import tensorflow as tf
from absl import app, flags
from absl.testing import flagsaver

import gan_2d_mixture as recipe  # recipes/ is on sys.path (pyproject.toml's pythonpath, Bazel's imports)

# Another recipe in the same process moves the shared flags' defaults; the tests pass every default back.
import dcgan_digits  # noqa: F401,E402


@pytest.fixture(autouse=True)
def parsed_flags():
    if not flags.FLAGS.is_parsed():
        flags.FLAGS.mark_as_parsed()


def _values(tmp_path, **overrides):
    return {
        **recipe.DEFAULTS,
        "epochs": 2,
        "steps_per_epoch": 5,
        "model_dir": str(tmp_path / "run"),
        "export_dir": str(tmp_path / "export"),
        "strategy": "default",
        "seed": 0,
        **overrides,
    }


def test_trains_prints_the_mode_statistics_and_exports(tmp_path, capsys):
    with flagsaver.flagsaver(**_values(tmp_path, mixture="ring")):
        recipe.main(["gan_2d_mixture"])
    printed = capsys.readouterr().out
    assert re.search(
        r"gan_2d_mixture_ring on 2500 samples: modes \d+/8, high-quality samples [0-9.]+%, "
        r"reverse KL [0-9.]+",
        printed,
    ), printed[-2000:]
    assert os.path.isfile(tmp_path / "run" / "samples" / "epoch_0002.png")

    export = tmp_path / "export" / "1"
    assert os.path.isfile(export / "saved_model.pb")
    serve = tf.saved_model.load(str(export)).signatures["serving_default"]
    samples = serve(z=tf.zeros([3, recipe.DEFAULTS["latent_dim"]]))["samples"]
    assert samples.dtype == tf.float32 and samples.shape == (3, 2)
    assert np.all(np.isfinite(samples.numpy()))


def test_rejects_another_dataset(tmp_path):
    with flagsaver.flagsaver(**_values(tmp_path, dataset="digits")):
        with pytest.raises(app.UsageError, match="--dataset='digits'"):
            recipe.main(["gan_2d_mixture"])
    assert not os.path.exists(tmp_path / "export")


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
