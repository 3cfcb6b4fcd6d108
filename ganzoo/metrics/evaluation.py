"""Several metrics fed from one extractor pass, and reports that carry their protocol.

    evaluation = Evaluation(["fid", "kid", "is", "pr"], DigitsClassifier.pretrained())
    for batch in real_batches:
        evaluation.add_real(batch)
    for batch in generated_batches:
        evaluation.add_generated(batch)
    report = evaluation.report({"reference": "digits train split"})
    print(format_report(report))

Each image batch goes through the extractor once, whatever the number of metrics.
"""

import numpy as np

from ganzoo.metrics import keras_metrics

METRICS = tuple(keras_metrics.METRIC_CLASSES)


def parse_metric_names(names):
    """"fid,kid" or ["fid", "kid"] -> a tuple of known metric names, in the order given."""
    if isinstance(names, str):
        names = [name.strip() for name in names.split(",") if name.strip()]
    names = tuple(names)
    unknown = [name for name in names if name not in keras_metrics.METRIC_CLASSES]
    if unknown or not names:
        raise ValueError(f"unknown metrics {unknown or names!r}; choose from {', '.join(METRICS)}.")
    return names


def build_metrics(names, extractor, kid_subsets=100, kid_subset_size=1000, is_splits=10, pr_k=3, seed=0):
    """The streaming metrics named in `names` ("fid", "kid", "is", "pr"), sharing `extractor`."""
    options = {
        "kid": dict(subsets=kid_subsets, subset_size=kid_subset_size, seed=seed),
        "is": dict(splits=is_splits),
        "pr": dict(k=pr_k),
    }
    return [
        keras_metrics.METRIC_CLASSES[name](extractor, **options.get(name, {}))
        for name in parse_metric_names(names)
    ]


class Evaluation:
    """Chosen metrics over one extractor: each batch is extracted once and fed to every metric.

    Args:
        metrics: names ("fid", "kid", "is", "pr") or `GenerativeMetric` instances.
        extractor: a feature extractor (`ganzoo.metrics.extractors`).
        **options: `build_metrics` options (kid_subsets, kid_subset_size, is_splits, pr_k, seed).
    """

    def __init__(self, metrics, extractor, **options):
        if isinstance(metrics, str) or all(isinstance(m, str) for m in metrics):
            metrics = build_metrics(metrics, extractor, **options)
        self.metrics = list(metrics)
        self.extractor = extractor
        self.needs_real = any(metric.uses_real for metric in self.metrics)
        self.needs_probabilities = any(metric.uses_probabilities for metric in self.metrics)
        self.needs_features = any(not metric.uses_probabilities for metric in self.metrics)
        self.real_count = 0
        self.generated_count = 0

    def _extract(self, images, probabilities):
        if probabilities and self.needs_features:
            return self.extractor.features_and_probabilities(images)
        if probabilities:
            return None, self.extractor.probabilities(images)
        return self.extractor.features(images), None

    def add_real(self, images):
        """Adds a batch of real images (skipped when no chosen metric uses real data)."""
        if self.needs_real:
            self.add_real_features(self._extract(images, probabilities=False)[0])

    def add_real_features(self, features):
        features = np.asarray(features)
        for metric in self.metrics:
            if metric.uses_real:
                metric.update_features(real=features)
        self.real_count += len(features)

    def add_generated(self, images):
        """Adds a batch of generated images."""
        features, probabilities = self._extract(images, self.needs_probabilities)
        for metric in self.metrics:
            metric.update_features(generated=features, generated_probabilities=probabilities)
        self.generated_count += len(images)

    def reset_generated(self):
        """Forgets the generated samples, keeping the real ones (for repeated evaluations)."""
        for metric in self.metrics:
            metric.reset_generated()
        self.generated_count = 0

    def logs(self):
        """Flat figures for Keras logs: fid, kid, kid_std, is, is_std, precision, recall."""
        logs = {}
        for metric in self.metrics:
            logs.update({key: float(value) for key, value in metric.result().items()})
        return logs

    def report(self, protocol=None):
        """{metric: {figures..., "protocol": {...}}}; `protocol` adds what the caller knows (data, seeds);
        its "reference" entry is left out of metrics that use no real data (the Inception Score)."""
        report = {}
        for metric in self.metrics:
            entry = {key: float(value) for key, value in metric.summary().items()}
            extra = {
                key: value
                for key, value in (protocol or {}).items()
                if metric.uses_real or key != "reference"
            }
            entry["protocol"] = {**metric.protocol(), **extra}
            report[metric.name] = entry
        return report


_TITLES = {
    "fid": "FID",
    "kid": "KID",
    "is": "Inception Score",
    "pr": "precision / recall",
}


def format_report(report):
    """A report as text: each figure on one line, its protocol indented under it."""
    lines = []
    for name, entry in report.items():
        if "precision" in entry:
            figure = f"precision {entry['precision']:.4f}, recall {entry['recall']:.4f}"
        elif "std" in entry:
            figure = f"{entry['value']:.6g} ± {entry['std']:.2g}"
        else:
            figure = f"{entry['value']:.6g}"
        lines.append(f"{_TITLES.get(name, name)}: {figure}")
        for key, value in entry.get("protocol", {}).items():
            lines.append(f"    {key}: {value}")
    return "\n".join(lines)
