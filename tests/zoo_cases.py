"""Small instances of every model in the zoo, with data to train them on, for the shared contract tests.

A new model adds one `Case` here; the contract tests (harness.py), the replica-equivalence check and the
export checks then cover it with no other edit.
"""

import dataclasses
import types
from typing import Callable

import keras
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
    # (model) -> (discriminator, generator): objects with `name` and `trainable_variables`, for a model
    # whose players are not `model.discriminator` and `model.generator`; None: those two.
    players: Callable = None

    def dataset(self, n_examples, batch_size, seed=0):
        return tf.data.Dataset.from_tensor_slices(self.make_batches(n_examples, seed)).batch(
            batch_size, drop_remainder=True
        )


def _player(name, nets):
    return types.SimpleNamespace(
        name=name, trainable_variables=[v for net in nets for v in net.trainable_variables]
    )


def _points(n, seed):
    return np.random.default_rng(seed).normal(size=(n, 2)).astype(np.float32)


def _images(side, channels):
    def make(n, seed):
        return np.random.default_rng(seed).uniform(-1, 1, (n, side, side, channels)).astype(np.float32)

    return make


def _labelled_images(side, channels, n_classes=3):
    def make(n, seed):
        labels = np.random.default_rng(seed + 100).integers(0, n_classes, n).astype(np.int32)
        return _images(side, channels)(n, seed), labels

    return make


def _critic(input_dim):
    """A Wasserstein critic: no bias on the score, which cancels in D(G(z)) − D(x) and never learns."""
    return keras.Sequential(
        [
            keras.Input((input_dim,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1, use_bias=False),
        ],
        name="critic",
    )


def _conditional_generator():
    return networks.conditional_generator(
        8, (16, 16, 1), n_classes=3, embedding_dim=4, base_filters=4, synchronized_bn=True
    )


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
    # The options every game accepts, together: packing 2, R1, an EMA generator, spectral norm.
    "gan_options": Case(
        make_model=lambda: models.GAN(
            networks.mlp_generator(8, 2, (16, 16)),
            networks.mlp_discriminator(2, (16, 16), spectral_norm=True, pack=2),
            pack=2,
            ema_decay=0.9,
            r1_weight=1.0,
            seed=3,
        ),
        make_batches=_points,
        compile_kwargs={"loss": "least_squares"},
    ),
    "cgan": Case(
        make_model=lambda: models.CGAN(
            _conditional_generator(),
            networks.conditional_discriminator(
                (16, 16, 1), 3, "channel", base_filters=4, synchronized_bn=True
            ),
            n_classes=3,
            seed=3,
        ),
        make_batches=_labelled_images(16, 1),
    ),
    "cgan_projection_options": Case(
        make_model=lambda: models.CGAN(
            _conditional_generator(),
            networks.conditional_discriminator(
                (16, 16, 1), 3, "projection", base_filters=4, normalization=None,
                spectral_norm=True, pack=2,
            ),
            n_classes=3,
            pack=2,
            ema_decay=0.9,
            r1_weight=1.0,
            seed=3,
        ),
        make_batches=_labelled_images(16, 1),
        compile_kwargs={"loss": "least_squares"},
    ),
    "acgan": Case(
        make_model=lambda: models.ACGAN(
            _conditional_generator(),
            networks.acgan_discriminator((16, 16, 1), 3, base_filters=4, synchronized_bn=True),
            n_classes=3,
            seed=3,
        ),
        make_batches=_labelled_images(16, 1),
    ),
    # n_critic 2: each batch of 8 is two critic batches of 4. c = 1 bounds the initial weights already
    # (the clipping itself is tested in tests/models/test_wgan.py), so a learning rate of 0 moves nothing.
    "wgan": Case(
        make_model=lambda: models.WGAN(
            networks.mlp_generator(8, 2, (16, 16)),
            _critic(2),
            n_critic=2,
            clip_value=1.0,
            seed=3,
        ),
        make_batches=_points,
    ),
    "wgan_gp_options": Case(
        make_model=lambda: models.WGANGP(
            networks.mlp_generator(8, 2, (16, 16)),
            _critic(2 * 2),
            n_critic=2,
            pack=2,
            ema_decay=0.9,
            seed=3,
        ),
        make_batches=_points,
    ),
    "wgan_gp_images": Case(
        make_model=lambda: models.WGANGP(
            networks.dcgan_generator(8, (16, 16, 1), base_filters=4, synchronized_bn=True),
            networks.dcgan_critic((16, 16, 1), base_filters=4, normalization="layer"),
            n_critic=2,
            seed=3,
        ),
        make_batches=_images(16, 1),
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
    # 3 single-label domains on 16 px RGB images; n_critic 2: each batch of 8 is two critic batches of
    # 4. Instance norm in G and none in D, so N replicas equal one device with no synchronisation; the
    # targets are per-example draws from the seeded noise, the same for any replica count. norm="none":
    # with instance norm right after G's first convolution, the centre tap of each tiled-domain channel
    # has an analytically zero gradient (the norm removes a constant shift), and Adam turns its float
    # round-off into steps of random sign: 1 and 2 replicas then differ there by ~2e-5 (measured) while
    # every other weight agrees to 1e-8. The instance-norm model is trained in tests/models/test_stargan.py.
    "stargan": Case(
        make_model=lambda: models.StarGAN(
            (16, 16, 3),
            n_domains=3,
            domain_type="single",
            g_base_filters=4,
            d_base_filters=4,
            residual_blocks=1,
            d_layers=2,
            n_critic=2,
            norm="none",
            seed=3,
        ),
        make_batches=_labelled_images(16, 3),
        sample=lambda model: np.asarray(
            model.translate(_images(16, 3)(4, 11), np.array([0, 1, 2, 1], np.int32))
        ),
    ),
    # 16 px RGB unpaired (a, b) batches; both generators are one player, both discriminators the other.
    # Pool of 4 < batch 8: the first step fills it and then swaps, so resume and 2 replicas cover both.
    # Instance norm everywhere and an all-gathered pool, so N replicas equal one device.
    "cyclegan": Case(
        make_model=lambda: models.CycleGAN(
            (16, 16, 3), base_filters=4, residual_blocks=1, d_layers=2, pool_size=4, seed=3
        ),
        make_batches=lambda n, seed: (_images(16, 3)(n, seed), _images(16, 3)(n, seed + 1)),
        sample=lambda model: np.concatenate(
            [np.asarray(model.translate(_images(16, 3)(4, 11), direction))
             for direction in ("a_to_b", "b_to_a")]
        ),
        players=lambda model: (
            _player("discriminators", model.discriminators), _player("generators", model.generators)
        ),
    ),
}
