"""Sample grids, the NaN guard, and the driver's refusal to save a diverged run."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
import zoo_cases
from ganzoo import callbacks


def test_image_grid_places_each_image_in_its_cell():
    images = np.stack([np.full((4, 3, 1), value, np.float32) for value in (-1.0, 0.0, 1.0)])
    grid = callbacks.image_grid(images, columns=2, padding=1)
    assert grid.shape == (2 * 5 + 1, 2 * 4 + 1, 1) and grid.dtype == np.uint8
    assert np.all(grid[1:5, 1:4] == 0)  # -1 -> black
    assert np.all(grid[1:5, 5:8] == 128)  # 0 -> mid grey (127.5 rounds to 128)
    assert np.all(grid[6:10, 1:4] == 255)  # 1 -> white
    assert np.all(grid[6:10, 5:8] == 0)  # the empty cell stays black
    with pytest.raises(ValueError, match=r"\[n, H, W, C\]"):
        callbacks.image_grid(np.zeros((4, 4)))


def test_sample_grid_writes_the_same_noise_every_epoch_and_a_tensorboard_image(tmp_path):
    model = zoo_cases.CASES["dcgan"].make_model()
    model.compile()
    grid = callbacks.SampleGrid(str(tmp_path / "samples"), n=4, seed=3, log_dir=str(tmp_path / "logs"))
    model.fit(zoo_cases.CASES["dcgan"].dataset(8, 4), epochs=2, verbose=0, callbacks=[grid])
    assert sorted(os.listdir(tmp_path / "samples")) == ["epoch_0001.png", "epoch_0002.png"]
    written = keras.utils.img_to_array(keras.utils.load_img(str(tmp_path / "samples" / "epoch_0002.png"),
                                                            color_mode="grayscale"))
    expected = callbacks.image_grid(model.generate(4, seed=3))
    np.testing.assert_array_equal(written.astype(np.uint8), expected)
    events = [
        value
        for path in (tmp_path / "logs").rglob("events.out.tfevents.*")
        for event in tf.compat.v1.train.summary_iterator(str(path))
        for value in event.summary.value
    ]
    assert [value.tag for value in events] == ["samples", "samples"]


class _PoisonAt(keras.callbacks.Callback):
    """Makes the discriminator's weights NaN after batch `step` (1-based), as a diverging run would."""

    def __init__(self, step):
        super().__init__()
        self.step = step

    def on_train_batch_end(self, batch, logs=None):
        if batch + 1 == self.step:
            for variable in self.model.discriminator.trainable_variables:
                variable.assign(tf.fill(variable.shape, np.nan))


def test_nan_guard_stops_within_one_step_naming_the_loss_and_step():
    model = zoo_cases.CASES["gan"].make_model()
    model.compile()
    guard = callbacks.NaNGuard()
    history = model.fit(
        zoo_cases.CASES["gan"].dataset(80, 8), epochs=1, verbose=0, callbacks=[_PoisonAt(3), guard]
    )
    assert guard.failure is not None
    assert "d_loss" in guard.failure and "step 4" in guard.failure
    assert int(model.d_optimizer.iterations) == 4  # stopped right after the first non-finite step
    assert history is not None


def test_keras_terminate_on_nan_is_blind_to_gan_losses():
    """Why NaNGuard exists: Keras' own callback reads only logs['loss']."""
    model = zoo_cases.CASES["gan"].make_model()
    model.compile()
    model.fit(
        zoo_cases.CASES["gan"].dataset(80, 8),
        epochs=1,
        verbose=0,
        callbacks=[_PoisonAt(3), keras.callbacks.TerminateOnNaN()],
    )
    assert int(model.d_optimizer.iterations) == 10


def test_training_driver_refuses_to_save_or_export_a_diverged_run(tmp_path):
    config = ganzoo.training.TrainConfig(
        name="diverges",
        model_dir=str(tmp_path / "run"),
        export_dir=str(tmp_path / "export"),
        epochs=2,
        checkpoint_every=1,
        sample_every=0,
        verbose=0,
    )

    def make_model():
        model = zoo_cases.CASES["gan"].make_model()
        model.compile()
        return model

    with pytest.raises(ganzoo.training.TrainingDiverged, match=r"d_loss became nan at step 2"):
        ganzoo.training.train(
            config,
            lambda: zoo_cases.CASES["gan"].dataset(40, 8),
            make_model,
            extra_callbacks=[_PoisonAt(1)],
        )
    assert not os.path.exists(tmp_path / "export")
    assert not os.path.exists(tmp_path / "run" / "model.keras")
    # The last good checkpoint (step 1) is intact and no non-finite state was saved after it.
    model = make_model()
    state = ganzoo.checkpointing.TrainingState(model, str(tmp_path / "run" / "checkpoints"))
    assert [os.path.basename(p) for p in state.manager.checkpoints] == ["ckpt-1"]
    assert state.restore(log=lambda message: None) == 1
    assert all(np.all(np.isfinite(np.array(v))) for v in model.weights)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
