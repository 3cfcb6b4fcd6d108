"""Tests for ganzoo/data/idx.py: MNIST-format IDX files."""

import gzip
import re
import shutil
import struct

import numpy as np
import pytest

from ganzoo import data
from shared_data import shared_data_path


@pytest.fixture(scope="module")
def mnist_5k():
    return shared_data_path("mnist_5k")


def _write_idx(path, array, compress=False):
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    content = header + array.astype(">u1").tobytes()
    path.write_bytes(gzip.compress(content) if compress else content)
    return path


def test_mnist_5k_native_size_with_labels(mnist_5k):
    images, labels = data.idx_arrays(mnist_5k)
    assert images.shape == (5000, 28, 28, 1) and images.dtype == np.float32
    assert images.min() == -1.0 and images.max() == 1.0
    assert labels.dtype == np.int32 and np.bincount(labels).tolist() == [500] * 10
    raw = data.read_idx(mnist_5k / "images-idx3-ubyte.gz")
    assert raw.dtype == np.uint8 and raw.shape == (5000, 28, 28)
    np.testing.assert_allclose(images[..., 0], raw / 127.5 - 1.0, atol=1e-6)


def test_mnist_5k_pipeline(mnist_5k):
    dataset = data.idx_images(mnist_5k, image_size=32, batch_size=500, labels=True, seed=1)
    batches = [(np.asarray(x), np.asarray(y)) for x, y in dataset]
    assert len(batches) == 10
    images, labels = batches[0]
    assert images.shape == (500, 32, 32, 1) and images.dtype == np.float32
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert labels.dtype == np.int32 and set(labels.tolist()) <= set(range(10))
    assert sorted(np.concatenate([y for _, y in batches]).tolist()) == sorted([*range(10)] * 500)
    again = next(iter(data.idx_images(mnist_5k, image_size=32, batch_size=500, labels=True, seed=1)))
    np.testing.assert_array_equal(labels, again[1])


def test_classic_names_raw_files_and_direct_file_path(mnist_5k, tmp_path):
    raw_images = data.read_idx(mnist_5k / "images-idx3-ubyte.gz")[:100]
    raw_labels = data.read_idx(mnist_5k / "labels-idx1-ubyte.gz")[:100]
    _write_idx(tmp_path / "train-images-idx3-ubyte.gz", raw_images, compress=True)
    _write_idx(tmp_path / "train-labels-idx1-ubyte.gz", raw_labels, compress=True)
    _write_idx(tmp_path / "t10k-images-idx3-ubyte", raw_images[:50])
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte", raw_labels[:50])

    images, labels = data.idx_arrays(tmp_path)
    assert images.shape == (100, 28, 28, 1)
    np.testing.assert_array_equal(labels, raw_labels)
    images, labels = data.idx_arrays(tmp_path / "t10k-images-idx3-ubyte", image_size=14)
    assert images.shape == (50, 14, 14, 1)
    np.testing.assert_array_equal(labels, raw_labels[:50])
    batch = next(iter(data.idx_images(tmp_path, batch_size=10, channels=3)))
    assert batch.shape == (10, 28, 28, 3)


# --- bad input: every error names the file ----------------------------------


def test_bad_magic_number_names_the_file(tmp_path):
    bad = tmp_path / "images-idx3-ubyte"
    bad.write_bytes(struct.pack(">I", 0x12345678) + bytes(100))
    with pytest.raises(ValueError, match=re.escape(f"'{bad}' has a bad magic number 0x12345678")):
        data.idx_images(tmp_path)


def test_truncated_data_names_the_file(tmp_path):
    good = _write_idx(tmp_path / "good", np.zeros((10, 28, 28), np.uint8))
    bad = tmp_path / "images-idx3-ubyte"
    bad.write_bytes(good.read_bytes()[:-100])
    with pytest.raises(ValueError, match=re.escape(f"'{bad}' is truncated") + ".*7840 bytes.*found 7740"):
        data.read_idx(bad)


def test_truncated_gzip_names_the_file(mnist_5k, tmp_path):
    bad = tmp_path / "images-idx3-ubyte.gz"
    content = (mnist_5k / "images-idx3-ubyte.gz").read_bytes()
    bad.write_bytes(content[: len(content) // 2])
    with pytest.raises(ValueError, match=re.escape(f"'{bad}' is a corrupt or truncated gzip")):
        data.idx_images(tmp_path)


def test_missing_files_are_explained(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no IDX images file.*images-idx3-ubyte\.gz"):
        data.idx_images(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        data.idx_images(tmp_path / "nothing-here")
    _write_idx(tmp_path / "images-idx3-ubyte", np.zeros((80, 4, 4), np.uint8))
    with pytest.raises(FileNotFoundError, match=r"labels=True but no labels file"):
        data.idx_images(tmp_path, labels=True)


def test_label_count_mismatch_and_small_sets(tmp_path):
    _write_idx(tmp_path / "images-idx3-ubyte", np.zeros((20, 4, 4), np.uint8))
    _write_idx(tmp_path / "labels-idx1-ubyte", np.zeros((19,), np.uint8))
    with pytest.raises(ValueError, match=r"shape \(19,\).*20 images"):
        data.idx_images(tmp_path, batch_size=4, labels=True)
    with pytest.raises(ValueError, match=r"holds 20 images.*batch_size=64"):
        data.idx_images(tmp_path)


def test_labels_file_is_not_an_images_file(mnist_5k, tmp_path):
    shutil.copy(mnist_5k / "labels-idx1-ubyte.gz", tmp_path / "images-idx3-ubyte.gz")
    with pytest.raises(ValueError, match=r"images must be uint8 \[count, height, width\]"):
        data.idx_images(tmp_path)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
