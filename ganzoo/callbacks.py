"""Callbacks a GAN run needs beyond Keras' own: sample grids and a guard for every reported loss."""

import math
import os

import keras
import numpy as np
import tensorflow as tf


def image_grid(images, columns=None, padding=2):
    """[n, H, W, C] images (uint8, or floats in [-1, 1]) -> one uint8 grid, cells `padding` pixels apart.

    The padding keeps neighbours apart: digits that touch their cell's edges would otherwise run into
    each other and read as one stroke.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"image_grid expects [n, H, W, C] images; received shape {images.shape}.")
    count, height, width, channels = images.shape
    columns = columns or int(math.ceil(math.sqrt(count)))
    rows = int(math.ceil(count / columns))
    if images.dtype == np.uint8:
        pixels = images
    else:
        pixels = np.clip(np.round((images.astype(np.float32) + 1.0) * 127.5), 0, 255).astype(np.uint8)
    step_y, step_x = height + padding, width + padding
    grid = np.zeros((rows * step_y + padding, columns * step_x + padding, channels), np.uint8)
    for index, image in enumerate(pixels):
        row, column = divmod(index, columns)
        top, left = padding + row * step_y, padding + column * step_x
        grid[top : top + height, left : left + width] = image
    return grid


class SampleGrid(keras.callbacks.Callback):
    """Writes a PNG grid of samples from fixed noise after every `every` epochs, and logs it to TensorBoard.

    The noise is the same at every epoch (`seed`), so the grids show one set of samples evolving.

    Args:
        directory: where `epoch_0001.png`, ... are written.
        n: number of samples in the grid.
        seed: seed of the fixed noise.
        every: epochs between grids.
        log_dir: a TensorBoard log directory for the same grid as an image summary; None for none.
        sample_fn: `sample_fn(model, n, seed) -> [n, H, W, C]` in [-1, 1]; `model.generate(n, seed=seed)`
            by default (image-to-image models pass their own).
    """

    def __init__(self, directory, n=64, seed=0, every=1, log_dir=None, sample_fn=None):
        super().__init__()
        self.directory = directory
        self.n = n
        self.seed = seed
        self.every = every
        self.log_dir = log_dir
        self.sample_fn = sample_fn or (lambda model, n, seed: model.generate(n, seed=seed))
        self._writer = None

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        grid = image_grid(self.sample_fn(self.model, self.n, self.seed))
        os.makedirs(self.directory, exist_ok=True)
        path = os.path.join(self.directory, f"epoch_{epoch + 1:04d}.png")
        keras.utils.save_img(path, grid, scale=False)
        if self.log_dir:
            if self._writer is None:
                self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "samples"))
            with self._writer.as_default():
                tf.summary.image("samples", grid[np.newaxis], step=epoch + 1)
            self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class NaNGuard(keras.callbacks.Callback):
    """Stops training at the first non-finite value among ALL the losses a model reports.

    `keras.callbacks.TerminateOnNaN` reads only `logs["loss"]`, which a GAN does not report. The guard
    records what went wrong in `self.failure` (the loss and the global step) so the caller can refuse to
    save or export the non-finite weights; `ganzoo.training` raises it as an error and its checkpoint
    callback never saves after it.

    Args:
        keys: the log entries to watch; every numeric entry when None.
        initial_step: the global step training starts from (when resuming).
    """

    def __init__(self, keys=None, initial_step=0):
        super().__init__()
        self.keys = keys
        self.failure = None
        self.step = initial_step

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        for key, value in (logs or {}).items():
            if self.keys is not None and key not in self.keys:
                continue
            try:
                finite = np.all(np.isfinite(np.asarray(value, dtype=np.float64)))
            except (TypeError, ValueError):
                continue
            if not finite:
                self.failure = f"{key} became {value} at step {self.step}"
                self.model.stop_training = True
                return
