"""Small instances of every model in the zoo, with data to train them on, for the shared contract tests.

A new model adds one `Case` here; the contract tests (harness.py), the replica-equivalence check and the
export checks then cover it with no other edit.
"""

import dataclasses
from typing import Callable

import numpy as np
import tensorflow as tf

from ganzoo import models, networks


@dataclasses.dataclass
class Case:
    make_model: Callable  # () -> uncompiled model, small enough to train in a second
    make_batches: Callable  # (n_examples, seed) -> the dataset's elements as arrays (x or (x, y))
    compile_kwargs: dict = dataclasses.field(default_factory=dict)
    # (model) -> a deterministic output to compare two models by (the generator's, in inference mode)
    sample: Callable = lambda model: model.generate(4, seed=11)

    def dataset(self, n_examples, batch_size, seed=0):
        return tf.data.Dataset.from_tensor_slices(self.make_batches(n_examples, seed)).batch(
            batch_size, drop_remainder=True
        )


def _points(n, seed):
    return np.random.default_rng(seed).normal(size=(n, 2)).astype(np.float32)


def _images(side, channels):
    def make(n, seed):
        return np.random.default_rng(seed).uniform(-1, 1, (n, side, side, channels)).astype(np.float32)

    return make


CASES = {
    "gan": Case(
        make_model=lambda: models.GAN(
            networks.mlp_generator(8, 2, (16, 16)), networks.mlp_discriminator(2, (16, 16)), seed=3
        ),
        make_batches=_points,
    ),
    "dcgan": Case(
        # Synchronised BatchNorm: N replicas then normalise over the global batch, as one device does.
        make_model=lambda: models.DCGAN(
            (16, 16, 1), latent_dim=8, base_filters=4, synchronized_bn=True, seed=3
        ),
        make_batches=_images(16, 1),
    ),
    "pix2pix": Case(
        # 32 px: a 5-block U-Net and the 70x70 PatchGAN's layers (2x2 logits); instance norm and seeded
        # dropout, so N replicas equal one device with no synchronisation.
        make_model=lambda: models.Pix2Pix((32, 32, 3), base_filters=4, seed=3),
        make_batches=lambda n, seed: (_images(32, 3)(n, seed), _images(32, 3)(n, seed + 1)),
        sample=lambda model: np.asarray(model.translate(_images(32, 3)(4, 11))),
    ),
    "advgan": Case(
        # A frozen 16 px classifier as the target; instance norm in both players, so N replicas equal one
        # device with no synchronisation. Data are (images, true labels).
        make_model=lambda: models.AdvGAN(
            networks.convnet_classifier((16, 16, 1), base_filters=4),
            c=1.0,
            base_filters=4,
            residual_blocks=1,
            seed=3,
        ),
        make_batches=lambda n, seed: (
            _images(16, 1)(n, seed),
            np.random.default_rng(seed).integers(0, 10, n).astype(np.int32),
        ),
        sample=lambda model: np.asarray(model.translate(_images(16, 1)(4, 11))),
    ),
}
