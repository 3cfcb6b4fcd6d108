"""`python -m ganzoo.sample`: samples from a SavedModel alone."""

import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import tiny_translators
import zoo_cases
from ganzoo import export


def _run(*args):
    completed = subprocess.run(
        [sys.executable, "-m", "ganzoo.sample", *args], capture_output=True, text=True, timeout=300
    )
    return completed


def test_unconditional_grid(tmp_path):
    path = export.save(zoo_cases.CASES["dcgan"].make_model(), str(tmp_path / "dcgan"))
    out = tmp_path / "grid.png"
    completed = _run(path, "--n=6", f"--out={out}")
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "Wrote 6 images" in completed.stdout
    grid = tf.io.decode_png(tf.io.read_file(str(out))).numpy()
    assert grid.shape == (2 * 18 + 2, 3 * 18 + 2, 1)  # 6 images of 16 px: 2 rows of 3, 2 px apart


def test_image_to_image_input_and_its_size_check(tmp_path):
    path = export.save(tiny_translators.Inverter(name="inverter"), str(tmp_path / "inverter"))
    good, bad = tmp_path / "good.png", tmp_path / "bad.png"
    tf.io.write_file(str(good), tf.io.encode_png(np.zeros((8, 6, 3), np.uint8)))
    tf.io.write_file(str(bad), tf.io.encode_png(np.zeros((9, 6, 3), np.uint8)))
    completed = _run(path, f"--input={good}", f"--out={tmp_path / 'out.png'}")
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert os.path.isfile(tmp_path / "out.png")
    # Files of another size than the signature's are named before they are stacked into one batch.
    completed = _run(path, f"--input={good},{bad}", f"--out={tmp_path / 'x.png'}")
    assert completed.returncode != 0
    assert f"--input {bad} is 9x6 (height x width); this model takes 8x6 images" in completed.stderr
    completed = _run(path, f"--out={tmp_path / 'x.png'}")
    assert "pass --input" in completed.stderr


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
