"""GenerativeMetrics: figures every k epochs, in History and in TensorBoard."""

import glob
import os

import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo.metrics import GenerativeMetrics


@pytest.fixture(scope="module")
def real():
    return ganzoo.data.digits_arrays(16, split="test")[0]


def _tiny_dcgan():
    gan = ganzoo.models.DCGAN((16, 16, 1), latent_dim=8, base_filters=4, seed=0)
    gan.compile()
    return gan


def _scalars(log_dir):
    values = {}
    for path in glob.glob(os.path.join(log_dir, "metrics", "events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                values.setdefault(value.tag, []).append(
                    (event.step, float(tf.make_ndarray(value.tensor)))
                )
    return values


def test_every_k_epochs_into_history_and_tensorboard(real, tmp_path):
    gan = _tiny_dcgan()
    scores = GenerativeMetrics(
        real, metrics="fid,kid,is,pr", n=64, every=2, batch_size=32, log_dir=str(tmp_path),
        kid_subsets=5, kid_subset_size=32,
    )
    data = ganzoo.data.digits(image_size=16, batch_size=32, seed=0)
    history = gan.fit(data, epochs=4, steps_per_epoch=2, callbacks=[scores], verbose=0)

    assert scores.evaluated_epochs == [2, 4]
    for key in ("fid", "kid", "kid_std", "is", "is_std", "precision", "recall"):
        assert len(history.history[key]) == 2, key
        assert all(np.isfinite(history.history[key])), key
    assert len(history.history["d_loss"]) == 4  # the model's own logs are untouched
    assert history.history["fid"][0] > 100  # an all but untrained generator
    assert 1.0 <= history.history["is"][0] <= 10.0

    scalars = _scalars(str(tmp_path))
    assert [step for step, _ in scalars["epoch_fid"]] == [2, 4]
    assert scalars["epoch_fid"][1][1] == pytest.approx(history.history["fid"][1], rel=1e-6)
    assert "epoch_recall" in scalars


def test_fixed_noise_repeats_and_real_features_are_extracted_once(real):
    calls = []

    class CountingIdentity(ganzoo.metrics.IdentityExtractor):
        def features(self, samples):
            calls.append(len(samples))
            return super().features(samples)

    gan = _tiny_dcgan()
    scores = GenerativeMetrics(real, metrics=["fid"], extractor=CountingIdentity(), n=50, batch_size=25)
    scores.set_model(gan)
    first = scores.evaluate()
    second = scores.evaluate()
    assert first == second  # the same z at every evaluation
    assert sum(calls) == len(real) + 2 * 50  # the real images once, the samples twice

    logs = {"d_loss": 1.0}
    scores.prefix = "val_"
    scores.on_epoch_end(0, logs)
    assert set(logs) == {"d_loss", "val_fid"} and logs["val_fid"] == pytest.approx(first["fid"])


def test_real_images_from_a_dataset_and_bad_arguments(real):
    dataset = ganzoo.data.digits(image_size=16, batch_size=50, split="test", labels=True, shuffle=False)
    gan = _tiny_dcgan()
    identity = ganzoo.metrics.IdentityExtractor()
    from_dataset = GenerativeMetrics(dataset, metrics="fid", extractor=identity, n=40)
    from_array = GenerativeMetrics(real[:350], metrics="fid", extractor=identity, n=40)
    for scores in (from_dataset, from_array):
        scores.set_model(gan)
    assert from_dataset.evaluate()["fid"] == pytest.approx(from_array.evaluate()["fid"], rel=1e-6)
    with pytest.raises(ValueError, match="unknown metrics"):
        GenerativeMetrics(real, metrics="fid,lpips")
    with pytest.raises(ValueError, match="every"):
        GenerativeMetrics(real, every=0)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
