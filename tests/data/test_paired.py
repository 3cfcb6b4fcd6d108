"""Tests for ganzoo/data/paired.py: the pix2pix A|B layout, direction, jitter, errors, download."""

import os
import socket

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import shared_data
from ganzoo import data
from ganzoo.data import paired


def _pattern(height, width, seed):
    """A smooth random RGB image: resizing and cropping keep it recognisable."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, (4, 4, 3)).astype(np.uint8)
    return np.asarray(Image.fromarray(coarse).resize((width, height), Image.BILINEAR))


def _save_pair(path, a, b):
    """Saves A|B side by side, losslessly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.concatenate([a, b], axis=1)).save(path)


@pytest.fixture(scope="module")
def pairs_dir(tmp_path_factory):
    """train/ (6 pairs), val/ (2 pairs); B is the negative of A: a correct pair sums to 0 in [-1, 1]."""
    root = tmp_path_factory.mktemp("pairs")
    for split, count in (("train", 6), ("val", 2)):
        for index in range(count):
            a = _pattern(32, 32, seed=index)
            _save_pair(root / split / f"{index}.png", a, 255 - a)
    return root


def _all(dataset):
    inputs, targets = zip(*[(x.numpy(), y.numpy()) for x, y in dataset])
    return np.concatenate(inputs), np.concatenate(targets)


def test_a_is_the_left_half_and_direction_picks_the_input(pairs_dir):
    a_to_b = data.paired_images(pairs_dir, "val", image_size=32, batch_size=2, direction="AtoB")
    inputs, targets = _all(a_to_b)
    assert inputs.shape == targets.shape == (2, 32, 32, 3) and inputs.dtype == np.float32
    expected_a = np.stack([_pattern(32, 32, seed=i) for i in (0, 1)]).astype(np.float32) / 127.5 - 1
    np.testing.assert_allclose(inputs, expected_a, atol=1e-5)
    np.testing.assert_allclose(targets, -expected_a, atol=1e-5)
    b_to_a_inputs, b_to_a_targets = _all(
        data.paired_images(pairs_dir, "val", image_size=32, batch_size=2, direction="BtoA")
    )
    np.testing.assert_array_equal(b_to_a_inputs, targets)
    np.testing.assert_array_equal(b_to_a_targets, inputs)


def test_test_time_resizes_without_cropping(pairs_dir):
    inputs, targets = _all(data.paired_images(pairs_dir, "val", image_size=16, batch_size=1))
    assert inputs.shape == (2, 16, 16, 3)
    whole = tf.image.resize(
        _pattern(32, 32, seed=0)[np.newaxis].astype(np.float32) / 127.5 - 1, (16, 16), antialias=True
    )
    np.testing.assert_allclose(inputs[0], whole[0], atol=1e-4)


def test_jitter_crops_and_mirrors_both_halves_alike_and_differs_each_epoch(pairs_dir):
    assert data.jitter_size(256) == 286 and data.jitter_size(64) == 72
    dataset = data.paired_images(pairs_dir, "train", image_size=32, batch_size=2, seed=3)
    assert dataset.cardinality() == 3
    first_epoch = _all(dataset)
    second_epoch = _all(dataset)
    for inputs, targets in (first_epoch, second_epoch):
        assert inputs.shape == (6, 32, 32, 3)
        np.testing.assert_allclose(inputs, -targets, atol=1e-5)  # same crop, same flip
    # Jittered: not the plain resize of any training image, and another crop in the next epoch.
    plain, _ = _all(data.paired_images(pairs_dir, "train", image_size=32, batch_size=6, jitter=False))
    assert min(np.abs(image - plain).max(axis=(1, 2, 3)).min() for image in first_epoch[0]) > 1e-3
    assert not np.allclose(np.sort(first_epoch[0].ravel()), np.sort(second_epoch[0].ravel()))


def test_the_same_seed_repeats_the_same_batches(pairs_dir):
    def stream():
        dataset = data.paired_images(pairs_dir, "train", image_size=32, batch_size=2, seed=5)
        return [x.numpy() for x, _ in dataset.repeat().take(7)]

    for a, b in zip(stream(), stream()):
        np.testing.assert_array_equal(a, b)


def test_a_pair_not_twice_as_wide_as_high_is_named(tmp_path):
    a = _pattern(32, 32, seed=0)
    for index in range(2):
        _save_pair(tmp_path / "train" / f"{index}.png", a, a)
    Image.fromarray(a).save(tmp_path / "train" / "square.png")
    with pytest.raises(ValueError, match=r"square\.png' is 32x32 .*width must be twice its height"):
        data.paired_images(tmp_path, "train", image_size=16)


def test_a_folder_without_the_split_says_what_layout_is_expected(tmp_path):
    (tmp_path / "photos").mkdir()
    with pytest.raises(FileNotFoundError, match=r"has no 'train/' folder.*pix2pix layout"):
        data.paired_images(tmp_path, "train", image_size=16)
    with pytest.raises(FileNotFoundError, match="no_such_dir' does not exist"):
        data.paired_images(tmp_path / "no_such_dir", "train", image_size=16)


def test_an_undecodable_pair_is_named(tmp_path):
    a = _pattern(32, 32, seed=0)
    _save_pair(tmp_path / "train" / "1.png", a, a)
    (tmp_path / "train" / "2.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    dataset = data.paired_images(tmp_path, "train", image_size=16, shuffle=False)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"2\.jpg"):
        _all(dataset)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(direction="AB"), "direction must be one of"),
        (dict(split="training"), "split must be one of"),
        (dict(batch_size=7), "fewer than one batch"),
    ],
)
def test_bad_arguments_are_refused(pairs_dir, kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.paired_images(pairs_dir, **{"split": "train", "image_size": 16, **kwargs})


def test_real_facades_at_64px():
    facades = shared_data.shared_data_path("facades")
    train = data.paired_images(facades, "train", image_size=64, batch_size=8, direction="BtoA")
    assert train.cardinality() == 50  # 400 pairs
    val = data.paired_images(facades, "val", image_size=64, batch_size=100, direction="BtoA")
    labels, photos = next(iter(val))
    assert labels.shape == photos.shape == (100, 64, 64, 3)
    assert -1.0 <= float(tf.reduce_min(photos)) and float(tf.reduce_max(photos)) <= 1.0
    # BtoA: the inputs are the colour-coded label maps (the right halves), the targets the photos.
    with Image.open(os.path.join(facades, "val", "1.jpg")) as pair:
        right = np.asarray(pair.crop((256, 0, 512, 256)).resize((64, 64), Image.BILINEAR))
    assert np.abs(labels[0].numpy() - (right / 127.5 - 1)).mean() < 0.05


def test_download_fails_fast_offline_and_says_how_to_pass_data_dir(monkeypatch):
    def offline(*args, **kwargs):
        raise OSError("[Errno -3] Temporary failure in name resolution")

    def must_not_download(*args, **kwargs):
        raise AssertionError("get_file was called although the server could not be reached")

    monkeypatch.setattr(socket, "create_connection", offline)
    monkeypatch.setattr(keras.utils, "get_file", must_not_download)
    with pytest.raises(data.DownloadError, match=r"name resolution.*--data_dir=PATH/facades"):
        data.download_pix2pix_dataset("facades")
    with pytest.raises(ValueError, match="unknown pix2pix data set"):
        data.download_pix2pix_dataset("imagenet")


def test_download_returns_the_folder_holding_train(monkeypatch, tmp_path):
    (tmp_path / "facades_extracted" / "facades" / "train").mkdir(parents=True)
    requested = {}

    class Connection:
        def close(self):
            pass

    def get_file(fname, origin, extract, cache_dir):
        requested.update(fname=fname, origin=origin, extract=extract)
        return str(tmp_path / "facades_extracted")

    monkeypatch.setattr(socket, "create_connection", lambda *args, **kwargs: Connection())
    monkeypatch.setattr(keras.utils, "get_file", get_file)
    folder = data.download_pix2pix_dataset("facades")
    assert folder == str(tmp_path / "facades_extracted" / "facades")
    assert requested == {
        "fname": "facades.tar.gz",
        "origin": "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/facades.tar.gz",
        "extract": True,
    }
    assert paired.PIX2PIX_URL.format(name="facades") == requested["origin"]


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
