"""The image recipes end to end, called as a user runs them, into a temporary directory."""

import glob
import os

import keras
import pytest
import tensorflow as tf

import shared_data
from recipe_runner import run_recipe


def _tensorboard_tags(log_dir):
    tags = set()
    for path in glob.glob(os.path.join(log_dir, "**", "events.out.tfevents.*"), recursive=True):
        for event in tf.compat.v1.train.summary_iterator(path):
            tags.update(value.tag for value in event.summary.value)
    return tags


def test_dcgan_digits_trains_samples_logs_and_exports(tmp_path):
    run_recipe(
        "dcgan_digits",
        image_size=16,
        base_filters=8,
        epochs=2,
        steps_per_epoch=3,
        model_dir=str(tmp_path / "run"),
        export_dir=str(tmp_path / "export"),
        strategy="default",
    )
    assert os.listdir(tmp_path / "export") == ["1"]
    assert os.path.isfile(tmp_path / "export" / "1" / "saved_model.pb")
    assert sorted(os.listdir(tmp_path / "run" / "samples")) == ["epoch_0001.png", "epoch_0002.png"]
    assert os.path.isfile(tmp_path / "run" / "model.keras")
    assert {
        "samples",
        "epoch_d_loss",
        "epoch_g_loss",
        "epoch_d_real_accuracy",
        "epoch_d_fake_accuracy",
    } <= _tensorboard_tags(str(tmp_path / "run" / "logs"))


def test_dcgan_mnist_runs_on_local_idx_digits(tmp_path):
    mnist = shared_data.shared_data_path("mnist_5k")
    run_recipe(
        "dcgan_mnist",
        dataset=f"idx:{mnist}",
        image_size=16,
        base_filters=8,
        epochs=1,
        steps_per_epoch=2,
        model_dir=str(tmp_path / "run"),
        export_dir="",
        strategy="default",
    )
    assert not os.path.exists(tmp_path / "export")
    restored = keras.saving.load_model(str(tmp_path / "run" / "model.keras"))
    assert restored.generate(2, seed=0).shape == (2, 16, 16, 1)
    assert int(restored.g_optimizer.iterations) == 2


def test_a_missing_data_folder_is_named_in_the_error(tmp_path):
    missing = tmp_path / "no_such_folder"
    with pytest.raises((FileNotFoundError, ValueError), match="no_such_folder"):
        run_recipe(
            "dcgan_digits",
            dataset=f"folder:{missing}",
            model_dir=str(tmp_path / "run"),
            export_dir="",
            strategy="default",
        )


def test_an_unknown_dataset_form_lists_the_accepted_ones(tmp_path):
    with pytest.raises(ValueError, match="folder:PATH"):
        run_recipe(
            "dcgan_digits",
            dataset="imagenet",
            model_dir=str(tmp_path / "run"),
            export_dir="",
            strategy="default",
        )


def test_an_unknown_strategy_flag_value_is_refused():
    from absl import flags

    import dcgan_digits  # noqa: F401  (defines --strategy as an enum of ganzoo.distribute.STRATEGIES)

    with pytest.raises(flags.IllegalFlagValueError, match="strategy"):
        flags.FLAGS["strategy"].parse("gpus")


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
