"""Measures of what a generator has learned.

Formulas on features (numpy arrays or tensors in, Python floats out): `frechet_distance` (FID),
`kernel_inception_distance` (KID), `inception_score`, `precision_recall`. Features come from a pluggable
extractor (`extractors`: InceptionV3, a digits classifier, identity); the streaming Keras metrics
(`FrechetInceptionDistance`, ...) and `Evaluation` extract batch by batch; `GenerativeMetrics` scores a
model every k epochs; `python -m ganzoo.evaluate` scores a SavedModel. Importing builds no model.
"""

from ganzoo.metrics import extractors
from ganzoo.metrics.callback import GenerativeMetrics
from ganzoo.metrics.evaluation import METRICS, Evaluation, build_metrics, format_report
from ganzoo.metrics.extractors import (
    DigitsClassifier,
    IdentityExtractor,
    InceptionV3Extractor,
    WeightsNotFoundError,
)
from ganzoo.metrics.fid import FeatureStatistics, frechet_distance, frechet_distance_from_moments
from ganzoo.metrics.inception_score import inception_score
from ganzoo.metrics.keras_metrics import (
    FrechetInceptionDistance,
    GenerativeMetric,
    ImprovedPrecisionRecall,
    InceptionScore,
    KernelInceptionDistance,
)
from ganzoo.metrics.kid import kernel_inception_distance
from ganzoo.metrics.mode_coverage import ModeStatistics, mode_statistics
from ganzoo.metrics.precision_recall import PrecisionRecall, precision_recall
from ganzoo.metrics.stacked_digits import (
    STACKED_MODES,
    StackedModeStatistics,
    stacked_digits_dataset,
    stacked_digits_arrays,
    stacked_mode_statistics,
)
