"""A Keras callback that scores the generator every k epochs: FID, KID, IS, precision/recall."""

import os

import keras
import numpy as np
import tensorflow as tf

from ganzoo.metrics import evaluation as evaluation_lib


def _real_batches(real_images, batch_size):
    """Batches of real images from an array, a tensor or a tf.data.Dataset (labels dropped)."""
    if isinstance(real_images, tf.data.Dataset):
        for element in real_images:
            yield element[0] if isinstance(element, (tuple, list)) else element
        return
    real_images = np.asarray(real_images)
    for start in range(0, len(real_images), batch_size):
        yield real_images[start : start + batch_size]


class GenerativeMetrics(keras.callbacks.Callback):
    """Every `every` epochs: draws `n` samples, scores them, and adds the figures to the epoch's logs.

    The figures land in `History` (`history.history["fid"]` has one entry per evaluated epoch; the
    epochs are in `callback.evaluated_epochs`), in any callback after this one (a Keras `TensorBoard`
    placed after it, `CSVLogger`, `EarlyStopping(monitor="fid")`), and, with `log_dir`, as TensorBoard
    scalars in `<log_dir>/metrics`. The real images go through the extractor once, at the first
    evaluation; samples come from fixed noise (`seed`), so successive figures compare the same z.

    Args:
        real_images: the reference: [n, H, W, C] array in [-1, 1], or a tf.data.Dataset of such batches
            (or of `(images, labels)`).
        metrics: names among "fid", "kid", "is", "pr" (list or "fid,kid").
        extractor: a feature extractor; the digits classifier (`DigitsClassifier.pretrained()`) when
            None, built at the first evaluation.
        n: samples generated per evaluation.
        every: epochs between evaluations (the k of "every k epochs").
        seed: seed of the samples' noise.
        batch_size: samples generated (and real images extracted) per batch.
        log_dir: TensorBoard log directory; None writes no summaries.
        sample_fn: `sample_fn(model, count, seed) -> images in [-1, 1]`; `model.generate` by default.
        prefix: prepended to each log key (e.g. "val_").
        **metric_options: `kid_subsets`, `kid_subset_size`, `is_splits`, `pr_k` (see `build_metrics`).

    Example:

    ```python
    real, _ = ganzoo.data.digits_arrays(image_size=32, split="test")
    scores = ganzoo.metrics.GenerativeMetrics(real, metrics=["fid", "kid"], n=500, every=5)
    history = gan.fit(dataset, epochs=20, callbacks=[scores])
    history.history["fid"]        # 4 figures: after epochs 5, 10, 15, 20
    ```
    """

    def __init__(
        self,
        real_images,
        metrics=("fid",),
        extractor=None,
        n=1000,
        every=1,
        seed=0,
        batch_size=250,
        log_dir=None,
        sample_fn=None,
        prefix="",
        **metric_options,
    ):
        super().__init__()
        self.metric_names = evaluation_lib.parse_metric_names(metrics)
        if int(every) < 1 or int(n) < 2:
            raise ValueError(f"every must be ≥ 1 and n ≥ 2; received every={every}, n={n}.")
        self.real_images = real_images
        self.extractor = extractor
        self.n = int(n)
        self.every = int(every)
        self.seed = int(seed)
        self.batch_size = int(batch_size)
        self.log_dir = log_dir
        self.sample_fn = sample_fn or (lambda model, count, seed: model.generate(count, seed=seed))
        self.prefix = prefix
        self.metric_options = metric_options
        self.evaluated_epochs = []
        self._evaluation = None
        self._writer = None

    def _prepared_evaluation(self):
        if self._evaluation is None:
            if self.extractor is None:
                from ganzoo.metrics.extractors import DigitsClassifier

                self.extractor = DigitsClassifier.pretrained()
            evaluation = evaluation_lib.Evaluation(
                self.metric_names, self.extractor, seed=self.seed, **self.metric_options
            )
            if evaluation.needs_real:
                for batch in _real_batches(self.real_images, self.batch_size):
                    evaluation.add_real(batch)
            self._evaluation = evaluation
        self._evaluation.reset_generated()
        return self._evaluation

    def evaluate(self):
        """Scores the model now; returns the figures as flat log entries (without the prefix)."""
        evaluation = self._prepared_evaluation()
        for index, start in enumerate(range(0, self.n, self.batch_size)):
            count = min(self.batch_size, self.n - start)
            # One seed per batch: batch i's noise is the same at every evaluation.
            samples = self.sample_fn(self.model, count, self.seed * 1_000_003 + index)
            evaluation.add_generated(samples)
        return evaluation.logs()

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        figures = {self.prefix + key: value for key, value in self.evaluate().items()}
        self.evaluated_epochs.append(epoch + 1)
        if logs is not None:
            logs.update(figures)
        if self.log_dir:
            if self._writer is None:
                self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "metrics"))
            with self._writer.as_default():
                for key, value in figures.items():
                    tf.summary.scalar(f"epoch_{key}", value, step=epoch + 1)
            self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
