"""recipes/cyclegan_facades.py end to end on the real facades (unpaired by the recipe), and its export
served in both directions from a fresh process that never imports ganzoo."""

import json
import os

import keras
import numpy as np
import pytest
from PIL import Image

import harness
import shared_data
from recipe_runner import run_recipe

SIDE = 32


def test_trains_and_exports_both_directions_that_serve_without_ganzoo(tmp_path, capsys):
    facades = shared_data.shared_data_path("facades")
    run_recipe(
        "cyclegan_facades",
        data_dir=str(facades),  # pix2pix layout: the recipe unpairs it first
        image_size=SIDE,
        base_filters=4,
        pool_size=2,
        batch_size=2,
        epochs=2,
        steps_per_epoch=3,
        model_dir=str(tmp_path / "run"),
        export_dir=str(tmp_path / "export"),
        strategy="default",
    )
    printed = capsys.readouterr().out
    assert "cyclegan_facades on 100 test pairs at 32 px: cycle L1" in printed
    unpaired = tmp_path / "run" / "unpaired"
    assert [len(os.listdir(unpaired / f)) for f in ("trainA", "trainB", "testA", "testB")] == [200, 200, 100, 100]
    assert sorted(os.listdir(tmp_path / "run" / "samples")) == ["epoch_0001.png", "epoch_0002.png"]
    with Image.open(tmp_path / "run" / "test_strip.png") as strip:
        assert strip.size == (3 * (SIDE + 2) + 2, 4 * (SIDE + 2) + 2)

    restored = keras.saving.load_model(str(tmp_path / "run" / "model.keras"))
    assert int(restored.g_optimizer.iterations) == int(restored.d_optimizer.iterations) == 6
    schedule = restored.g_optimizer.learning_rate
    # The paper's schedule over the run's 6 steps: 2e-4 for 3 steps, then linearly to 0.
    assert restored.g_optimizer._learning_rate.total_steps == 6
    assert float(restored.g_optimizer._learning_rate(0)) == pytest.approx(2e-4)
    assert float(restored.g_optimizer._learning_rate(6)) == 0.0 and float(schedule) == 0.0
    assert restored.pool_size == 2 and restored.cycle_weight == 10.0 and restored.identity_weight == 0.0

    images = np.stack([
        np.asarray(Image.open(unpaired / folder / "7.png").resize((SIDE, SIDE), Image.BILINEAR))
        for folder in ("testA", "testB")
    ]).astype(np.uint8)
    expected = {
        direction: np.asarray(
            keras.ops.cast(
                keras.ops.round(
                    keras.ops.clip((restored.translate(images / 127.5 - 1.0, direction) + 1) * 127.5, 0, 255)
                ),
                "uint8",
            )
        ).tolist()
        for direction in ("a_to_b", "b_to_a")
    }
    np.save(tmp_path / "images.npy", images)
    result = harness.load_in_fresh_process(
        str(tmp_path / "export" / "1"),
        f"""
import numpy as np
import tensorflow as tf
loaded = tf.saved_model.load(path)
images = tf.constant(np.load({str(tmp_path / "images.npy")!r}))
out = {{}}
for direction in ("a_to_b", "b_to_a"):
    out[direction] = loaded.signatures[direction](images=images)["images"].numpy().tolist()
    pngs = loaded.signatures[direction + "_bytes"](image_bytes=tf.map_fn(tf.io.encode_png, images, fn_output_signature=tf.string))
    out[direction + "_bytes"] = tf.stack([tf.io.decode_png(p) for p in pngs["images_bytes"]]).numpy().tolist()
out["default"] = loaded.signatures["serving_default"](images=images)["images"].numpy().tolist()
try:
    loaded.signatures["b_to_a"](images=tf.zeros([1, 16, 16, 3], tf.uint8))
    out["refused"] = False
except tf.errors.InvalidArgumentError as error:
    out["refused"] = "input `images` must be [batch, {SIDE}, {SIDE}, 3]" in error.message
out["signatures"] = sorted(loaded.signatures)
print(json.dumps(out))
""",
    )
    assert result["signatures"] == ["a_to_b", "a_to_b_bytes", "b_to_a", "b_to_a_bytes", "serving_default"]
    assert result["refused"] is True
    for direction in ("a_to_b", "b_to_a"):
        served = np.array(result[direction], np.int32)
        assert np.abs(served - np.array(expected[direction], np.int32)).max() <= 1, direction
        np.testing.assert_array_equal(np.array(result[direction + "_bytes"]), np.array(result[direction]))
    np.testing.assert_array_equal(np.array(result["default"]), np.array(result["a_to_b"]))
    assert result["a_to_b"] != result["b_to_a"]  # two different generators


def test_a_missing_data_dir_says_which_layouts_are_accepted(tmp_path):
    with pytest.raises(ValueError, match=r"needs --data_dir.*trainA/ trainB/.*pix2pix layout"):
        run_recipe("cyclegan_facades", data_dir=None, model_dir=str(tmp_path / "run"), export_dir="",
                   strategy="default")


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
