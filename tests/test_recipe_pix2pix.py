"""recipes/pix2pix_facades.py end to end on the real facades, and its failures without data."""

import json
import os
import socket

import keras
import pytest
from PIL import Image

import harness
import shared_data
from ganzoo import data
from recipe_runner import run_recipe

SIDE = 64


def test_trains_evaluates_and_exports_a_model_that_serves_val_jpegs(tmp_path, capsys):
    facades = shared_data.shared_data_path("facades")
    run_recipe(
        "pix2pix_facades",
        data_dir=str(facades),
        image_size=SIDE,
        base_filters=16,
        epochs=1,
        steps_per_epoch=10,
        model_dir=str(tmp_path / "run"),
        export_dir=str(tmp_path / "export"),
        strategy="default",
    )
    printed = capsys.readouterr().out
    assert "pix2pix_facades on 100 val pairs at 64 px: mean L1" in printed and "PSNR" in printed
    with open(tmp_path / "run" / "val_scores.json") as stream:
        scores = json.load(stream)
    assert scores["pairs"] == 100 and 0 < scores["l1"] < 1
    assert scores["psnr"] > 5 and -1 < scores["ssim"] < 1
    # The strip: 4 val pairs, one row each, input | output | target (64 px cells, 2 px apart).
    with Image.open(tmp_path / "run" / "val_strip.png") as strip:
        assert strip.size == (3 * (SIDE + 2) + 2, 4 * (SIDE + 2) + 2)
    assert os.listdir(tmp_path / "run" / "samples") == ["epoch_0001.png"]
    restored = keras.saving.load_model(str(tmp_path / "run" / "model.keras"))
    assert int(restored.g_optimizer.iterations) == 10 and restored.l1_weight == 100.0

    val_jpeg = os.path.join(facades, "val", "7.jpg")
    result = harness.load_in_fresh_process(
        str(tmp_path / "export" / "1"),
        f"""
import tensorflow as tf
serve = tf.saved_model.load(path).signatures["serving_bytes"]
pair = tf.io.decode_jpeg(tf.io.read_file({val_jpeg!r}))             # 256x512: photo | label map
label_map = tf.image.resize(pair[:, 256:], ({SIDE}, {SIDE}), antialias=True)
jpeg = tf.io.encode_jpeg(tf.cast(tf.round(label_map), tf.uint8))
png = serve(image_bytes=tf.stack([jpeg]))["images_bytes"][0]
photo = tf.io.decode_png(png)
try:
    serve(image_bytes=tf.stack([tf.io.read_file({val_jpeg!r})]))   # the whole pair, not resized
    refused = ""
except tf.errors.InvalidArgumentError as error:
    refused = error.message
print(json.dumps({{"png": bool(png.numpy()[:4] == b"\\x89PNG"), "shape": photo.shape.as_list(),
                   "refused": "must decode to 64x64 images" in refused}}))
""",
    )
    assert result == {"png": True, "shape": [SIDE, SIDE, 3], "refused": True}


def test_no_data_dir_and_no_network_fails_fast_saying_how_to_pass_data_dir(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise OSError("[Errno 101] Network is unreachable")

    def must_not_download(*args, **kwargs):
        raise AssertionError("get_file was called although the server could not be reached")

    monkeypatch.setattr(socket, "create_connection", offline)
    monkeypatch.setattr(keras.utils, "get_file", must_not_download)
    with pytest.raises(data.DownloadError, match=r"facades.tar.gz.*--data_dir=PATH/facades"):
        run_recipe(
            "pix2pix_facades",
            data_dir=None,
            model_dir=str(tmp_path / "run"),
            export_dir="",
            strategy="default",
        )
    assert not os.path.exists(tmp_path / "run")


def test_a_data_dir_without_train_names_the_expected_layout(tmp_path):
    (tmp_path / "facades" / "photos").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match=r"has no 'val/' folder.*pix2pix layout"):
        run_recipe(
            "pix2pix_facades",
            data_dir=str(tmp_path / "facades"),
            model_dir=str(tmp_path / "run"),
            export_dir="",
            strategy="default",
        )


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
