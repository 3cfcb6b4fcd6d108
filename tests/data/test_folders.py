"""Tests for ganzoo/data/folders.py: image folders, with and without classes."""

import os
import re

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from ganzoo import data

RED, GREEN, WHITE = (255, 0, 0), (0, 255, 0), (255, 255, 255)
# Each class is one solid colour so a test can tell which class an image is.
CLASS_COLOURS = {"cat": RED, "dog": GREEN, "owl": WHITE}


def _save(path, colour, size=(14, 10), mode="RGB", image_format=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, colour).save(path, format=image_format)
    return path


@pytest.fixture(scope="module")
def class_folders(tmp_path_factory):
    """cat/ (5, every format and case, one nested), dog/ (4), owl/ (3 grey)."""
    root = tmp_path_factory.mktemp("classes")
    _save(root / "cat" / "1.jpg", RED)
    _save(root / "cat" / "2.PNG", RED, size=(20, 20), image_format="PNG")
    _save(root / "cat" / "3.bmp", RED)
    _save(root / "cat" / "4.gif", RED)
    _save(root / "cat" / "nested" / "5.jpeg", RED, size=(7, 9))
    _save(root / "dog" / "1.png", GREEN + (255,), mode="RGBA")
    for name in ("2.jpg", "3.Jpg", "4.png"):
        _save(root / "dog" / name, GREEN)
    for name in ("1.png", "2.png", "3.jpg"):
        _save(root / "owl" / name, 255, mode="L")
    # Skipped: hidden files (macOS "._" forks do not decode) and non-images.
    (root / "cat" / "._1.jpg").write_bytes(b"\0\5\26\7 AppleDouble")
    (root / "dog" / "notes.txt").write_text("not an image")
    return root


@pytest.fixture()
def flat_folder(tmp_path):
    for i in range(6):
        _save(tmp_path / f"{i}.png", (40 * i, 0, 0))
    return tmp_path


def _all_examples(dataset):
    images, labels = [], []
    for batch_images, batch_labels in dataset:
        images.append(np.asarray(batch_images))
        labels.append(np.asarray(batch_labels))
    return np.concatenate(images), np.concatenate(labels)


def _scaled(colour):
    return np.asarray(colour, np.float32) / 127.5 - 1.0


def test_class_folders_give_sorted_labels_paired_with_their_images(class_folders):
    dataset = data.image_folder(class_folders, image_size=8, batch_size=4, labels=True)
    assert dataset.class_names == ["cat", "dog", "owl"]
    images, labels = _all_examples(dataset)
    assert images.shape == (12, 8, 8, 3) and images.dtype == np.float32
    assert labels.dtype == np.int32
    assert np.bincount(labels).tolist() == [5, 4, 3]
    assert images.min() >= -1.0 and images.max() <= 1.0
    for image, label in zip(images, labels):
        colour = CLASS_COLOURS[dataset.class_names[label]]
        np.testing.assert_allclose(image.mean(axis=(0, 1)), _scaled(colour), atol=0.03)


def test_grey_output_and_rectangular_size(class_folders):
    dataset = data.image_folder(class_folders, image_size=(6, 10), batch_size=12, channels=1)
    images = np.asarray(next(iter(dataset)))
    assert images.shape == (12, 6, 10, 1)
    white = images.reshape(12, -1).mean(axis=1) > 0.99
    assert white.sum() == 3


def test_class_folders_without_labels_use_every_image(class_folders):
    batch = next(iter(data.image_folder(class_folders, 8, batch_size=12, labels=False)))
    assert isinstance(batch, tf.Tensor) and batch.shape == (12, 8, 8, 3)


def test_flat_folder_without_labels(flat_folder):
    batches = list(data.image_folder(flat_folder, 4, batch_size=3, shuffle=False))
    assert [b.shape for b in batches] == [(3, 4, 4, 3), (3, 4, 4, 3)]
    red = np.concatenate(batches)[:, 0, 0, 0]
    np.testing.assert_allclose(red, _scaled([40 * i for i in range(6)]), atol=1e-5)


def test_flat_folder_with_labels_is_an_error(flat_folder):
    with pytest.raises(ValueError, match=r"6 images at its top level.*labels=False"):
        data.image_folder(flat_folder, 4, batch_size=2, labels=True)


def test_seeded_order_reproducible_and_reshuffled_each_epoch(class_folders):
    def labels_in_order(dataset):
        return _all_examples(dataset)[1].tolist()

    def build(seed):
        return data.image_folder(class_folders, 4, batch_size=1, labels=True, seed=seed)

    assert labels_in_order(build(5)) == labels_in_order(build(5))
    orders = {tuple(labels_in_order(build(seed))) for seed in range(6)}
    assert len(orders) > 1
    dataset = build(5)
    epochs = {tuple(labels_in_order(dataset)) for _ in range(4)}
    assert len(epochs) > 1


def test_cache_and_repeat(class_folders):
    plain = _all_examples(data.image_folder(class_folders, 4, batch_size=4, labels=True))
    cached = data.image_folder(class_folders, 4, batch_size=4, labels=True, cache=True)
    for _ in range(2):
        images, labels = _all_examples(cached)
        assert sorted(labels) == sorted(plain[1])
        np.testing.assert_allclose(np.sort(images.ravel()), np.sort(plain[0].ravel()))
    repeated = data.image_folder(class_folders, 4, batch_size=5, repeat=True)
    assert sum(1 for _ in repeated.take(7)) == 7


# --- bad input: every error names what was wrong ---------------------------


def test_missing_directory(tmp_path):
    missing = tmp_path / "no_such_dir"
    with pytest.raises(FileNotFoundError, match=re.escape(f"'{missing}' does not exist")):
        data.image_folder(missing, 8)


def test_file_instead_of_directory(flat_folder):
    with pytest.raises(NotADirectoryError, match="0.png"):
        data.image_folder(flat_folder / "0.png", 8)


def test_folder_without_images_lists_extensions(tmp_path):
    (tmp_path / "readme.txt").write_text("nothing to see")
    (tmp_path / "empty_class").mkdir()
    with pytest.raises(ValueError, match=r"no images found.*\.bmp, \.gif, \.jpeg, \.jpg, \.png"):
        data.image_folder(tmp_path, 8)


def test_fewer_images_than_one_batch(flat_folder):
    with pytest.raises(ValueError, match=r"holds 6 images.*batch_size=64"):
        data.image_folder(flat_folder, 8, batch_size=64)


def _truncated_jpeg(path):
    full = _save(path.with_suffix(".full.jpg"), RED, size=(32, 32))
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    full.unlink()
    return path


@pytest.mark.parametrize("bad_name", ["2_text.jpg", "2_truncated.jpg", "9_last.png", "0_first.jpg"])
def test_undecodable_file_is_named(flat_folder, bad_name):
    bad = flat_folder / bad_name
    if "truncated" in bad_name:
        _truncated_jpeg(bad)
    else:
        bad.write_text("this is text, not an image")
    for shuffle in (False, True):
        dataset = data.image_folder(flat_folder, 8, batch_size=2, shuffle=shuffle)
        with pytest.raises(tf.errors.InvalidArgumentError, match="could not read or decode") as e:
            for _ in dataset:
                pass
        assert str(bad) in str(e.value)


def test_folder_of_only_bad_files_fails_instead_of_spinning(tmp_path):
    for i in range(3):
        (tmp_path / f"{i}.jpg").write_text("junk")
    dataset = data.image_folder(tmp_path, 8, batch_size=1, repeat=True)
    with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(str(tmp_path))):
        next(iter(dataset))


def test_bad_arguments_are_echoed(flat_folder):
    with pytest.raises(ValueError, match="channels must be 1 or 3; received 4"):
        data.image_folder(flat_folder, 8, batch_size=2, channels=4)
    with pytest.raises(ValueError, match=r"image_size.*\(0, 8\)"):
        data.image_folder(flat_folder, (0, 8), batch_size=2)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
