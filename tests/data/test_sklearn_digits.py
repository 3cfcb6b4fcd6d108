"""Tests for ganzoo/data/sklearn_digits.py: scikit-learn's real 8x8 digits."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from ganzoo import data


def _first_epoch(dataset):
    return [tuple(np.asarray(t) for t in batch) for batch in dataset]


@pytest.mark.parametrize("image_size, side", [(None, 8), (16, 16), (32, 32)])
def test_arrays_scaled_and_resized(image_size, side):
    images, labels = data.digits_arrays(image_size=image_size)
    assert images.shape == (1797, side, side, 1)
    assert images.dtype == np.float32 and labels.dtype == np.int32
    assert images.min() == -1.0 and images.max() == 1.0
    assert set(labels.tolist()) == set(range(10))


def test_native_size_is_raw_pixels_scaled_linearly():
    images, labels = data.digits_arrays(image_size=None)
    raw = load_digits()
    np.testing.assert_allclose(images[..., 0], raw.images / 8.0 - 1.0, atol=1e-6)
    np.testing.assert_array_equal(labels, raw.target)


def test_split_is_disjoint_complete_stratified_and_fixed():
    train = data.digits_split_indices("train")
    test = data.digits_split_indices("test")
    assert not set(train) & set(test)
    assert sorted(np.concatenate([train, test])) == list(range(1797))
    assert (len(train), len(test)) == (1433, 364)
    targets = load_digits().target
    for digit in range(10):
        n_train = np.sum(targets[train] == digit)
        n_test = np.sum(targets[test] == digit)
        assert n_test > 0
        assert abs(n_train / (n_train + n_test) - 0.8) < 0.01
    np.testing.assert_array_equal(train, data.digits_split_indices("train"))
    _, test_labels = data.digits_arrays(16, split="test")
    np.testing.assert_array_equal(test_labels, targets[test])


def test_pipeline_yields_full_batches_of_images_and_labels():
    dataset = data.digits(image_size=16, batch_size=100, labels=True, split="train")
    batches = _first_epoch(dataset)
    assert len(batches) == 1433 // 100
    for images, labels in batches:
        assert images.shape == (100, 16, 16, 1) and images.dtype == np.float32
        assert labels.shape == (100,) and labels.dtype == np.int32
        assert images.min() >= -1.0 and images.max() <= 1.0
        assert labels.min() >= 0 and labels.max() <= 9


def test_images_and_labels_stay_paired_after_shuffling():
    images, labels = data.digits_arrays(image_size=8)
    by_image = {im.tobytes(): lab for im, lab in zip(images, labels)}
    for batch_images, batch_labels in data.digits(image_size=8, batch_size=64, labels=True):
        for im, lab in zip(np.asarray(batch_images), np.asarray(batch_labels)):
            assert by_image[im.tobytes()] == lab


def test_labels_false_yields_images_only_and_channels_3_tiles_grey():
    batch = next(iter(data.digits(image_size=16, batch_size=8, channels=3)))
    assert batch.shape == (8, 16, 16, 3)
    np.testing.assert_array_equal(batch[..., 0], batch[..., 2])


def test_seeded_order_reproducible_reshuffled_each_epoch():
    first = _first_epoch(data.digits(image_size=8, batch_size=256, labels=True, seed=3))
    again = _first_epoch(data.digits(image_size=8, batch_size=256, labels=True, seed=3))
    other = _first_epoch(data.digits(image_size=8, batch_size=256, labels=True, seed=4))
    for (a, la), (b, lb) in zip(first, again):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(la, lb)
    assert not np.array_equal(first[0][1], other[0][1])
    dataset = data.digits(image_size=8, batch_size=256, labels=True, seed=3)
    epoch_1, epoch_2 = _first_epoch(dataset), _first_epoch(dataset)
    assert not np.array_equal(epoch_1[0][1], epoch_2[0][1])


def test_unshuffled_order_is_the_data_set_order():
    images, _ = data.digits_arrays(image_size=8, split="test")
    batch = next(iter(data.digits(image_size=8, batch_size=32, split="test", shuffle=False)))
    np.testing.assert_array_equal(batch, images[:32])


def test_repeat_is_infinite():
    dataset = data.digits(image_size=8, batch_size=1000, repeat=True)
    assert sum(1 for _ in dataset.take(5)) == 5


def test_bad_split_and_too_large_batch_are_explained():
    with pytest.raises(ValueError, match="'valid'"):
        data.digits(split="valid")
    with pytest.raises(ValueError, match=r"364 images.*batch_size=500"):
        data.digits(split="test", batch_size=500)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
