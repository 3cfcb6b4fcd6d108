"""Digits FID orders real digits, a trained DCGAN and an untrained one (slow: trains a DCGAN)."""

import keras
import pytest

import ganzoo


def test_digits_fid_real_far_below_untrained_with_a_trained_dcgan_between():
    classifier = ganzoo.metrics.DigitsClassifier.pretrained()
    train, _ = ganzoo.data.digits_arrays(16, split="train")
    test, _ = ganzoo.data.digits_arrays(16, split="test")
    n = len(test)  # every row compares the same number of images: FID's bias depends on it
    reference = ganzoo.metrics.FeatureStatistics().update(classifier.features(train))

    def fid(images):
        return ganzoo.metrics.frechet_distance(reference, classifier.features(images))

    keras.utils.set_random_seed(0)
    gan = ganzoo.models.DCGAN((16, 16, 1), latent_dim=32, base_filters=16, seed=1)
    gan.compile()
    real = fid(test)
    untrained = fid(gan.generate(n, seed=5))
    gan.fit(ganzoo.data.digits(image_size=16, batch_size=64, seed=0), epochs=20, verbose=0)
    trained = fid(gan.generate(n, seed=5))

    # Measured: real 20.0, untrained 1001, trained 56.2 (the classifier and the GAN are seeded).
    assert real < trained < untrained, (real, trained, untrained)
    assert untrained > 20 * real
    assert trained < 0.25 * untrained


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
