"""Feature extractors: the digits classifier, and InceptionV3 without ever downloading its weights."""

import os

import keras
import numpy as np
import pytest

import ganzoo
from ganzoo.metrics import extractors
from ganzoo.metrics.extractors import (
    DigitsClassifier,
    InceptionV3Extractor,
    WeightsNotFoundError,
    resize_images,
)

# Keras' own save_weights converts each of InceptionV3's variables with a numpy-2 deprecation warning.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


@pytest.fixture(scope="module")
def classifier():
    return DigitsClassifier.pretrained()


@pytest.mark.parametrize("size", [None, 16, 32])  # None: the native 8x8
def test_digits_classifier_is_accurate_on_held_out_digits(classifier, size):
    images, labels = ganzoo.data.digits_arrays(size, split="test")
    accuracy = classifier.accuracy(images, labels)
    assert accuracy > 0.9, accuracy  # measured: 0.967 at 8, 16 and 32 px


def test_digits_classifier_outputs(classifier):
    images, _ = ganzoo.data.digits_arrays(32, split="test")
    features, probabilities = classifier.features_and_probabilities(images[:20])
    assert features.shape == (20, 128) and features.dtype == np.float32
    assert probabilities.shape == (20, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert np.all(features >= 0)  # ReLU features
    # Grey tiled to RGB, and uint8 pixels, give the same features.
    np.testing.assert_allclose(classifier.features(np.repeat(images[:20], 3, -1)), features, atol=1e-5)
    uint8 = np.round((images[:20] + 1.0) * 127.5).astype(np.uint8)
    np.testing.assert_allclose(classifier.features(uint8), features, atol=0.05 * np.abs(features).max())
    # Batching does not change anything.
    small_batches = DigitsClassifier(classifier.model, batch_size=7)
    np.testing.assert_allclose(small_batches.features(images[:20]), features, rtol=1e-5, atol=1e-6)


def test_digits_classifier_training_is_deterministic():
    # Two short runs with one seed agree (seeded weights, data order and shifts), whatever the global
    # seeds; another seed differs.
    first = DigitsClassifier.train(seed=0, epochs=2)
    keras.utils.set_random_seed(1234)
    again, other = (DigitsClassifier.train(seed=seed, epochs=2) for seed in (0, 1))
    for expected, actual in zip(first.model.get_weights(), again.model.get_weights()):
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)
    assert not np.allclose(first.model.get_weights()[0], other.model.get_weights()[0])


def test_digits_classifier_caches_to_a_keras_file(classifier, tmp_path):
    path = str(tmp_path / "cache" / "digits.keras")
    saved = DigitsClassifier.pretrained(cache_path=path)  # trained already in this process: saved
    assert os.path.isfile(path)
    loaded = DigitsClassifier.pretrained(cache_path=path)
    images, _ = ganzoo.data.digits_arrays(16, split="test")
    np.testing.assert_allclose(loaded.features(images), saved.features(images), rtol=1e-6, atol=1e-6)


def test_resize_is_antialiased():
    # A one-pixel checkerboard shrunk by 4 averages to grey with antialiasing; plain bilinear aliases.
    board = np.indices((64, 64)).sum(axis=0) % 2 * 2.0 - 1.0
    images = board[None, :, :, None].astype(np.float32)
    assert np.abs(np.asarray(resize_images(images, (16, 16)))).max() < 0.05


@pytest.fixture
def no_downloads(monkeypatch, tmp_path):
    """An empty Keras home, and any download attempt fails the test."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    def refuse(*args, **kwargs):
        raise AssertionError(f"a download was attempted: {args} {kwargs}")

    monkeypatch.setattr(keras.utils, "get_file", refuse)
    monkeypatch.setattr("keras.src.utils.file_utils.get_file", refuse)
    monkeypatch.setattr(extractors, "keras_cache_dirs", lambda: [str(tmp_path / "keras_home" / "models")])
    return tmp_path


@pytest.mark.parametrize("with_top", [False, True])
def test_inception_without_cached_weights_says_what_to_do(no_downloads, with_top):
    with pytest.raises(WeightsNotFoundError) as raised:
        InceptionV3Extractor(with_top=with_top)
    message = str(raised.value)
    assert extractors.INCEPTION_V3_WEIGHT_FILES[with_top] in message
    assert "--weights" in message and "never downloads" in message
    with pytest.raises(WeightsNotFoundError, match="does not exist"):
        InceptionV3Extractor(weights=str(no_downloads / "missing.h5"))


def test_inception_weights_are_found_in_the_keras_cache(no_downloads):
    cache = no_downloads / "keras_home" / "models"
    cache.mkdir(parents=True)
    (cache / extractors.INCEPTION_V3_WEIGHT_FILES[False]).write_bytes(b"")
    assert extractors.resolve_inception_weights("imagenet") == str(
        cache / extractors.INCEPTION_V3_WEIGHT_FILES[False]
    )
    assert extractors.keras_cache_dirs.__module__  # the patched lookup was used, not the real home


def test_default_cache_dirs_follow_keras_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert extractors.keras_cache_dirs()[0] == str(tmp_path / "models")


def test_inception_random_weights_give_2048_features_and_load_from_a_path(tmp_path):
    images = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 1)).astype(np.float32)
    random_init = InceptionV3Extractor(weights=None, batch_size=2)
    features = random_init.features(images)
    assert features.shape == (2, 2048) and np.all(np.isfinite(features))
    assert "NOT pretrained" in random_init.protocol()["weights"]
    assert "299x299" in random_init.protocol()["resize"]
    # A weights file given by path is used as is.
    path = str(tmp_path / "inception.weights.h5")
    random_init.model.save_weights(path)
    from_file = InceptionV3Extractor(weights=path, batch_size=2)
    np.testing.assert_allclose(from_file.features(images), features, rtol=1e-4, atol=1e-5)
    assert "inception.weights.h5" in from_file.protocol()["weights"]


def test_extractor_lookup_by_name():
    assert isinstance(extractors.get("identity"), extractors.IdentityExtractor)
    with pytest.raises(ValueError, match="unknown extractor"):
        extractors.get("vgg")


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
