"""SeededDropout: dropout whose masks are saved with the weights and the same for any replica count."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import layers

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_identity_in_inference_and_inverted_dropout_in_training():
    layer = layers.SeededDropout(0.5, seed=1)
    ones = tf.ones((8, 16, 16, 4))
    np.testing.assert_array_equal(layer(ones).numpy(), ones.numpy())
    dropped = layer(ones, training=True).numpy()
    assert set(np.unique(dropped)) == {0.0, 2.0}  # kept units scaled by 1 / (1 - rate)
    assert abs((dropped == 0).mean() - 0.5) < 0.03


def test_each_training_call_draws_a_new_mask_and_the_position_is_a_weight():
    layer = layers.SeededDropout(0.5, seed=1)
    ones = tf.ones((4, 8, 8, 2))
    first = layer(ones, training=True).numpy()
    second = layer(ones, training=True).numpy()
    assert not np.array_equal(first, second)
    assert int(layer.draws) == 2 and layer.draws in layer.non_trainable_weights
    # Restoring the position (as a checkpoint does) replays the same masks.
    layer.draws.assign(1)
    np.testing.assert_array_equal(layer(ones, training=True).numpy(), second)
    other_seed = layers.SeededDropout(0.5, seed=2)
    assert not np.array_equal(other_seed(ones, training=True).numpy(), first)


def test_config_round_trip_and_safe_mode_reload(tmp_path):
    model = keras.Sequential([keras.Input((4,)), layers.SeededDropout(0.25, seed=9, name="drop")])
    model(tf.ones((2, 4)), training=True)
    path = str(tmp_path / "model.keras")
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    drop = restored.get_layer("drop")
    assert (drop.rate, drop.seed, int(drop.draws)) == (0.25, 9, 1)


def test_bad_rates_are_refused():
    for rate in (-0.1, 1.0):
        with pytest.raises(ValueError, match=r"rate must be in \[0, 1\)"):
            layers.SeededDropout(rate)


_TWO_REPLICAS = """
import json
import numpy as np
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])
from ganzoo import layers

ones = np.ones((8, 6), np.float32)
single = layers.SeededDropout(0.5, seed=4)
expected = [single(ones, training=True).numpy() for _ in range(2)]

strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    mirrored = layers.SeededDropout(0.5, seed=4)
    mirrored.build((None, 6))
step = tf.function(lambda batch: mirrored(batch, training=True))
dataset = strategy.experimental_distribute_dataset(tf.data.Dataset.from_tensors(ones).repeat(2))
masks = [np.concatenate(strategy.experimental_local_results(strategy.run(step, (batch,))))
         for batch in dataset]
print(json.dumps({"equal": all(np.array_equal(a, b) for a, b in zip(expected, masks)),
                  "replicas_differ": bool(np.any(masks[0][:4] != masks[0][4:])),
                  "draws": int(mirrored.draws.numpy())}))
"""


def test_two_replicas_drop_what_one_device_drops():
    completed = subprocess.run(
        [sys.executable, "-c", _TWO_REPLICAS],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO_ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    # Each replica takes its slice of one global mask, and the position advances once per step.
    assert result == {"equal": True, "replicas_differ": True, "draws": 2}


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
