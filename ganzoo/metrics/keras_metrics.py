"""FID, KID, Inception Score and precision/recall as streaming `keras.metrics.Metric`s.

Each metric takes an extractor (`ganzoo.metrics.extractors`) and accumulates batch by batch:

    fid = ganzoo.metrics.FrechetInceptionDistance(extractor)
    for real, generated in zip(real_batches, generated_batches):
        fid.update_state(real, generated)          # images in [-1, 1]; either may be None
    fid.result()                                   # {"fid": 12.3}

Images are reduced to features as they arrive, so samples never sit in memory together. FID keeps only
float64 running statistics; KID and precision/recall keep the features (float32 [n, d]: 50,000
InceptionV3 features are 400 MB, the images would be 13 GB); the Inception Score keeps probabilities.
`update_features` feeds features computed once for several metrics (as `Evaluation` does).

The metrics run eagerly (numpy and scipy under the hood), not inside a compiled `train_step`: use them
in callbacks (`ganzoo.metrics.GenerativeMetrics`), evaluation loops and `python -m ganzoo.evaluate`.
"""

import keras
import numpy as np

# Names, not modules: `ganzoo.metrics.inception_score` and `.precision_recall` are also the functions.
from ganzoo.metrics.fid import FeatureStatistics, frechet_distance
from ganzoo.metrics.inception_score import inception_score
from ganzoo.metrics.kid import kernel_inception_distance
from ganzoo.metrics.precision_recall import precision_recall


class _FeatureBank:
    """Feature batches kept as float32, concatenated on demand."""

    def __init__(self):
        self.parts = []
        self.count = 0

    def add(self, values):
        values = np.asarray(values, np.float32)
        if values.ndim != 2:
            raise ValueError(f"expected [n, d] features; received shape {values.shape}.")
        self.parts.append(values)
        self.count += len(values)

    def array(self):
        if not self.parts:
            raise ValueError("no features have been added.")
        if len(self.parts) > 1:
            self.parts = [np.concatenate(self.parts)]
        return self.parts[0]


class GenerativeMetric(keras.metrics.Metric):
    """Base of the streaming metrics: real and generated features in, figures and a protocol out.

    Args:
        extractor: the feature extractor images go through in `update_state` (None when only
            `update_features` is used).
        name: the metric's key in logs and reports.
    """

    key = None
    uses_real = True
    uses_probabilities = False

    def __init__(self, extractor=None, name=None, **kwargs):
        super().__init__(name=name or self.key, **kwargs)
        self.extractor = extractor
        self._reset()

    def update_state(self, real_images=None, generated_images=None, sample_weight=None):
        """Adds a batch of real and/or generated images (float NHWC in [-1, 1])."""
        if sample_weight is not None:
            raise ValueError(f"{type(self).__name__} does not support sample_weight.")
        if self.extractor is None:
            raise ValueError(
                f"{type(self).__name__} was built without an extractor: pass one, or use update_features."
            )
        real = generated = probabilities = None
        if real_images is not None and self.uses_real:
            real = self.extractor.features(real_images)
        if generated_images is not None:
            if self.uses_probabilities:
                probabilities = self.extractor.probabilities(generated_images)
            else:
                generated = self.extractor.features(generated_images)
        self.update_features(real, generated, probabilities)

    def update_features(self, real=None, generated=None, generated_probabilities=None):
        """Adds precomputed features (and class probabilities of generated samples, for the IS)."""
        raise NotImplementedError

    def reset_state(self):
        self._reset()

    def _reset(self):
        raise NotImplementedError

    def reset_generated(self):
        """Forgets the generated samples and keeps the real ones (repeated evaluations of one model)."""
        raise NotImplementedError

    def summary(self):
        """The figures for a report: {"value": ..., and "std" or the like}."""
        raise NotImplementedError

    def counts(self):
        raise NotImplementedError

    def method(self):
        raise NotImplementedError

    def protocol(self):
        """How the figure was computed: the metric's method, the extractor's, the sample counts."""
        real_count, generated_count = self.counts()
        protocol = {"method": self.method()}
        if self.extractor is not None and hasattr(self.extractor, "protocol"):
            protocol.update(self.extractor.protocol())
        if self.uses_real:
            protocol["real_samples"] = real_count
        protocol["generated_samples"] = generated_count
        return protocol

    def get_config(self):
        config = super().get_config()
        config["extractor"] = getattr(self.extractor, "name", None)
        return config


class FrechetInceptionDistance(GenerativeMetric):
    """FID between the real and generated images seen so far (`ganzoo.metrics.frechet_distance`).

    Only float64 running means and covariances are kept. `set_reference(stats)` installs precomputed
    real statistics (a `FeatureStatistics`, e.g. `FeatureStatistics.load(path)`), kept across
    `reset_state()` so a callback computes them once.
    """

    key = "fid"

    def _reset(self):
        self._real = getattr(self, "_reference", None) or FeatureStatistics()
        self._generated = FeatureStatistics()

    def reset_generated(self):
        self._generated = FeatureStatistics()

    def set_reference(self, statistics):
        self._reference = FeatureStatistics().merge(statistics)
        self._real = self._reference

    def update_features(self, real=None, generated=None, generated_probabilities=None):
        if real is not None:
            if getattr(self, "_reference", None) is not None:
                raise ValueError("real statistics were set with set_reference; add generated features only.")
            self._real.update(real)
        if generated is not None:
            self._generated.update(generated)

    def result(self):
        return {self.name: frechet_distance(self._real, self._generated)}

    def summary(self):
        return {"value": self.result()[self.name]}

    def counts(self):
        return self._real.count, self._generated.count

    def method(self):
        return (
            "Frechet distance between Gaussians fitted to the features (float64 means, unbiased "
            "covariances; tr sqrt(S1 S2) by symmetric eigendecomposition)"
        )


class _RealAndGeneratedFeatures(GenerativeMetric):
    """A metric that keeps every real and generated feature vector (KID, precision/recall need the
    samples themselves, not running moments)."""

    def _reset(self):
        self._real, self._generated = _FeatureBank(), _FeatureBank()

    def reset_generated(self):
        self._generated = _FeatureBank()

    def update_features(self, real=None, generated=None, generated_probabilities=None):
        if real is not None:
            self._real.add(real)
        if generated is not None:
            self._generated.add(generated)

    def counts(self):
        return self._real.count, self._generated.count


class KernelInceptionDistance(_RealAndGeneratedFeatures):
    """KID (`ganzoo.metrics.kernel_inception_distance`): unbiased MMD², mean and std over subsets.

    Args:
        subsets, subset_size, seed: as in `kernel_inception_distance`.
    """

    key = "kid"

    def __init__(self, extractor=None, subsets=100, subset_size=1000, seed=0, name=None, **kwargs):
        self.subsets, self.subset_size, self.seed = int(subsets), int(subset_size), seed
        super().__init__(extractor, name=name, **kwargs)

    def _score(self):
        return kernel_inception_distance(
            self._real.array(),
            self._generated.array(),
            subsets=self.subsets,
            subset_size=self.subset_size,
            seed=self.seed,
        )

    def result(self):
        score = self._score()
        return {self.name: score.mean, f"{self.name}_std": score.std}

    def summary(self):
        score = self._score()
        return {"value": score.mean, "std": score.std}

    def method(self):
        size = min(self.subset_size, self._real.count, self._generated.count)
        return (
            f"unbiased MMD^2 with the kernel (x.y/d + 1)^3, mean and std over {self.subsets} random "
            f"subsets of {size} real and {size} generated features (seed {self.seed})"
        )

    def get_config(self):
        return {**super().get_config(), "subsets": self.subsets, "subset_size": self.subset_size,
                "seed": self.seed}


class InceptionScore(GenerativeMetric):
    """The Inception Score of the generated images (`ganzoo.metrics.inception_score`).

    The extractor must provide `probabilities` (a classifier). Real images are ignored.
    """

    key = "is"
    uses_real = False
    uses_probabilities = True

    def __init__(self, extractor=None, splits=10, name=None, **kwargs):
        self.splits = int(splits)
        super().__init__(extractor, name=name, **kwargs)

    def _reset(self):
        self._probabilities = _FeatureBank()

    def reset_generated(self):
        self._reset()

    def update_features(self, real=None, generated=None, generated_probabilities=None):
        if generated_probabilities is not None:
            self._probabilities.add(generated_probabilities)

    def _score(self):
        probabilities = self._probabilities.array()
        return inception_score(probabilities, splits=min(self.splits, len(probabilities)))

    def result(self):
        score = self._score()
        return {self.name: score.mean, f"{self.name}_std": score.std}

    def summary(self):
        score = self._score()
        return {"value": score.mean, "std": score.std}

    def counts(self):
        return 0, self._probabilities.count

    def method(self):
        classes = self._probabilities.parts[0].shape[1] if self._probabilities.parts else "?"
        return (
            f"exp(E KL(p(y|x) || p(y))) over {classes} classes, mean and std over {self.splits} "
            "consecutive splits"
        )

    def get_config(self):
        return {**super().get_config(), "splits": self.splits}


class ImprovedPrecisionRecall(_RealAndGeneratedFeatures):
    """Improved precision and recall (`ganzoo.metrics.precision_recall`), k-NN manifolds.

    Args:
        k: neighbourhood size (3 in the paper).
    """

    key = "pr"

    def __init__(self, extractor=None, k=3, name=None, **kwargs):
        self.k = int(k)
        super().__init__(extractor, name=name, **kwargs)

    def _score(self):
        return precision_recall(self._real.array(), self._generated.array(), k=self.k)

    def result(self):
        score = self._score()
        return {"precision": score.precision, "recall": score.recall}

    def summary(self):
        score = self._score()
        return {"precision": score.precision, "recall": score.recall}

    def method(self):
        return (
            f"improved precision/recall (Kynkaanniemi et al. 2019): k-NN balls with k={self.k}, "
            "Euclidean distances between features"
        )

    def get_config(self):
        return {**super().get_config(), "k": self.k}


METRIC_CLASSES = {
    "fid": FrechetInceptionDistance,
    "kid": KernelInceptionDistance,
    "is": InceptionScore,
    "pr": ImprovedPrecisionRecall,
}
