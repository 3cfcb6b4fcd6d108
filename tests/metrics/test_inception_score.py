"""The Inception Score: its bounds, and the reference computation (openai/improved-gan)."""

import numpy as np
import pytest
import tensorflow as tf

from ganzoo.metrics import InceptionScore, inception_score


def _reference_inception_score(predictions, splits):
    """openai/improved-gan's inception_score.py, on probabilities without zeros."""
    scores = []
    for k in range(splits):
        part = predictions[k * (len(predictions) // splits) : (k + 1) * (len(predictions) // splits)]
        kl = part * (np.log(part) - np.log(np.expand_dims(np.mean(part, 0), 0)))
        scores.append(np.exp(np.mean(np.sum(kl, 1))))
    return np.mean(scores), np.std(scores)


@pytest.mark.parametrize("classes", [2, 10, 1000])
def test_confident_and_uniformly_spread_scores_the_number_of_classes(classes):
    probabilities = np.eye(classes)[np.arange(10 * classes) % classes]
    result = inception_score(probabilities, splits=10)
    assert result.mean == pytest.approx(classes)
    assert result.std == pytest.approx(0.0, abs=1e-9)


def test_constant_output_scores_one():
    probabilities = np.tile(np.random.default_rng(0).dirichlet(np.ones(10)), (500, 1))
    assert inception_score(probabilities).mean == pytest.approx(1.0)
    assert inception_score(np.eye(10)[np.zeros(100, int)]).mean == pytest.approx(1.0)  # one class


def test_matches_the_reference_implementation():
    logits = np.random.default_rng(1).normal(size=(1000, 10)) * 3.0
    probabilities = np.asarray(tf.nn.softmax(logits))
    mean, std = _reference_inception_score(probabilities.astype(np.float64), 10)
    result = inception_score(probabilities, splits=10)
    assert result.mean == pytest.approx(mean, rel=1e-6)
    assert result.std == pytest.approx(std, rel=1e-4)
    assert type(result.mean) is float


def test_half_the_classes_used_scores_half():
    probabilities = np.eye(10)[np.arange(1000) % 5]
    assert inception_score(probabilities).mean == pytest.approx(5.0)


def test_invalid_probabilities_are_refused():
    with pytest.raises(ValueError, match="sum to 1"):
        inception_score(np.ones((10, 3)))
    with pytest.raises(ValueError, match="splits"):
        inception_score(np.eye(3), splits=5)


def test_keras_metric_uses_generated_probabilities_only():
    class Uniform:
        def probabilities(self, images):
            return np.eye(4)[np.arange(len(images)) % 4]

    metric = InceptionScore(Uniform(), splits=2)
    metric.update_state(real_images=np.zeros((7, 8, 8, 1)), generated_images=np.zeros((40, 8, 8, 1)))
    assert metric.result() == {"is": pytest.approx(4.0), "is_std": pytest.approx(0.0, abs=1e-9)}
    assert metric.protocol()["generated_samples"] == 40 and "real_samples" not in metric.protocol()


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
