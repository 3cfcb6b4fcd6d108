"""Tests for ganzoo/data/tfds_datasets.py, offline: TFDS must fail fast here.

A data set "prepared elsewhere and copied here" is simulated by preparing a
small TFDS set of scikit-learn's real digits into a temporary data dir with a
builder that is not registered, so TFDS can only find it from its files.
"""

import socket
import time

import numpy as np
import pytest
import tensorflow_datasets as tfds

from ganzoo import data

TEST_SET = "ganzoo_prepared_digits"


@pytest.fixture()
def no_network(monkeypatch):
    """Blocks every socket and records the attempts."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


@pytest.fixture()
def no_download(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("download_and_prepare must not be called offline")

    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", fail)


@pytest.fixture(scope="module")
def prepared_data_dir(tmp_path_factory):
    with tfds.core.registered.skip_registration():

        class GanzooPreparedDigits(tfds.core.GeneratorBasedBuilder):
            VERSION = tfds.core.Version("1.0.0")

            def _info(self):
                features = tfds.features.FeaturesDict(
                    {
                        "image": tfds.features.Image(shape=(8, 8, 1)),
                        "label": tfds.features.ClassLabel(num_classes=10),
                    }
                )
                return tfds.core.DatasetInfo(builder=self, features=features)

            def _split_generators(self, dl_manager):
                del dl_manager
                return {split: self._generate_examples(split) for split in ("train", "test")}

            def _generate_examples(self, split):
                images, labels = data.digits_arrays(image_size=None, split=split)
                for key, (image, label) in enumerate(zip(images, labels)):
                    pixels = np.round((image + 1.0) * 127.5).astype(np.uint8)
                    yield key, {"image": pixels, "label": int(label)}

    data_dir = tmp_path_factory.mktemp("tfds")
    GanzooPreparedDigits(data_dir=str(data_dir)).download_and_prepare()
    return data_dir


def test_not_prepared_and_download_false_fails_fast_with_how_to(tmp_path, no_network, no_download):
    start = time.monotonic()
    with pytest.raises(data.DatasetNotPreparedError) as e:
        data.tfds_images("mnist", data_dir=tmp_path, download=False)
    assert time.monotonic() - start < 10
    message = str(e.value)
    for needed in (f"'{tmp_path}'", "download=False", "--data_dir", "folder:PATH", "idx:PATH"):
        assert needed in message
    assert not no_network


def test_not_prepared_and_offline_fails_fast_without_downloading(tmp_path, no_network, no_download):
    start = time.monotonic()
    with pytest.raises(data.DatasetNotPreparedError, match="network is unreachable"):
        data.tfds_images("mnist", data_dir=tmp_path)
    assert time.monotonic() - start < 10
    assert no_network, "the network probe should have been tried (and blocked)"


def test_unknown_name_is_explained(tmp_path, no_network):
    with pytest.raises(ValueError, match="no TFDS data set named 'no_such_set_xyz'"):
        data.tfds_images("no_such_set_xyz", data_dir=tmp_path)


def test_prepared_data_set_loads_normalised(prepared_data_dir, no_network, no_download):
    dataset = data.tfds_images(
        TEST_SET, split="train", image_size=16, batch_size=64, labels=True,
        data_dir=prepared_data_dir, seed=2,
    )
    batches = [(np.asarray(x), np.asarray(y)) for x, y in dataset]
    assert len(batches) == 1433 // 64
    images, labels = batches[0]
    assert images.shape == (64, 16, 16, 1) and images.dtype == np.float32
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert labels.dtype == np.int32 and labels.min() >= 0 and labels.max() <= 9
    again = next(iter(data.tfds_images(
        TEST_SET, image_size=16, batch_size=64, labels=True, data_dir=prepared_data_dir, seed=2,
    )))
    np.testing.assert_array_equal(labels, again[1])
    np.testing.assert_array_equal(images, again[0])


def test_prepared_pixels_match_the_source(prepared_data_dir):
    dataset = data.tfds_images(
        TEST_SET, split="test", batch_size=364, labels=True,
        data_dir=prepared_data_dir, channels=3,
    )
    images, labels = (np.asarray(t) for t in next(iter(dataset)))
    assert images.shape == (364, 8, 8, 3)
    source, source_labels = data.digits_arrays(image_size=None, split="test")
    order = np.lexsort(images[..., 0].reshape(364, -1).T)
    source_order = np.lexsort(source[..., 0].reshape(364, -1).T)
    np.testing.assert_allclose(images[order, ..., 0], source[source_order, ..., 0], atol=1 / 127.5)
    np.testing.assert_array_equal(labels[order], source_labels[source_order])


def test_sliced_split_unknown_split_and_small_split(prepared_data_dir):
    dataset = data.tfds_images(TEST_SET, split="test[:50%]", batch_size=2, data_dir=prepared_data_dir)
    assert sum(1 for _ in dataset) == 182 // 2
    with pytest.raises(ValueError, match=r"no split 'valid'; splits: \['test', 'train'\]"):
        data.tfds_images(TEST_SET, split="valid", data_dir=prepared_data_dir)
    with pytest.raises(ValueError, match=r"holds 364 images.*batch_size=400"):
        data.tfds_images(TEST_SET, split="test", batch_size=400, data_dir=prepared_data_dir)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
