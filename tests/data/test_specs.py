"""Tests for ganzoo/data/specs.py: the --dataset flag's forms."""

import socket

import numpy as np
import pytest
from PIL import Image

from ganzoo import data
from shared_data import shared_data_path


@pytest.mark.parametrize(
    "spec, parsed",
    [
        ("digits", ("digits", None)),
        ("tfds:celeb_a", ("tfds", "celeb_a")),
        ("tfds:mnist/config:3.0.1", ("tfds", "mnist/config:3.0.1")),
        ("folder:/data/faces", ("folder", "/data/faces")),
        ("folder:C:\\data", ("folder", "C:\\data")),
        ("idx:mnist", ("idx", "mnist")),
    ],
)
def test_parse_accepted_forms(spec, parsed):
    assert data.parse_spec(spec) == parsed


@pytest.mark.parametrize("spec", ["mnist", "csv:/x", "Digits", "", "folder"])
def test_unknown_form_lists_the_accepted_ones(spec):
    with pytest.raises(ValueError, match=r"digits \| tfds:NAME \| folder:PATH \| idx:PATH"):
        data.from_spec(spec, 32, 8)


def test_missing_argument_is_explained():
    with pytest.raises(ValueError, match="lacks its folder argument"):
        data.parse_spec("folder:")


def test_digits_spec_with_channels():
    images, labels = next(iter(data.from_spec("digits", 16, 8, labels=True, channels=3)))
    assert images.shape == (8, 16, 16, 3) and labels.shape == (8,)


def test_folder_spec(tmp_path):
    for i in range(4):
        Image.new("RGB", (9, 9), (60 * i, 0, 0)).save(tmp_path / f"{i}.png")
    batch = next(iter(data.from_spec(f"folder:{tmp_path}", 8, 4)))
    assert batch.shape == (4, 8, 8, 3)
    batch = next(iter(data.from_spec(f"folder:{tmp_path}", 8, 4, channels=1)))
    assert batch.shape == (4, 8, 8, 1)


def test_idx_spec():
    mnist = shared_data_path("mnist_5k")
    images, labels = next(iter(data.from_spec(f"idx:{mnist}", 32, 16, labels=True, seed=3)))
    assert images.shape == (16, 32, 32, 1) and labels.dtype == np.int32
    assert float(images.numpy().min()) >= -1.0 and float(images.numpy().max()) <= 1.0


def test_tfds_spec_offline_fails_fast_naming_local_alternatives(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    with pytest.raises(data.DatasetNotPreparedError, match=r"folder:PATH.*idx:PATH"):
        data.from_spec("tfds:mnist", 28, 64, data_dir=tmp_path)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
