"""The original GAN game (Goodfellow et al. 2014) over any generator and discriminator."""

import copy

import keras
import numpy as np
import tensorflow as tf

from ganzoo import losses, penalties
from ganzoo.models import base

# One stateless stream per random draw in a step, so no two draws share a seed.
_D_NOISE, _G_NOISE, _EVAL_NOISE = 0, 1, 2


def _adam_2e4():
    return keras.optimizers.Adam(2e-4, beta_1=0.5)


@keras.saving.register_keras_serializable(package="ganzoo")
class GAN(base.AdversarialModel):
    """A generator and a discriminator playing the GAN game, one update each per step.

    `train_step` follows Algorithm 1 of the paper with k = 1: one discriminator update on a real batch
    and a batch of samples, then one generator update on fresh noise. The discriminator returns logits;
    the game (`compile(loss=...)`) is any of `ganzoo.losses.names()`, non-saturating by default as the
    paper recommends in practice.

    Three options change the game without changing the algorithm box (spectral normalisation is the
    fourth, in the discriminator's builder: `spectral_norm=True`):

    - `pack=m` (PacGAN, Lin et al. 2018): the discriminator judges m samples at once, all real or all
      fake, concatenated on the last axis; build it for m times the sample width
      (`mlp_discriminator(m * 2)`). The global batch must be divisible by m × replicas.
    - `r1_weight=γ` (Mescheder et al. 2018): the discriminator's loss gains (γ/2)·‖∇D(x)‖² on real data.
    - `ema_decay=d`: `ema_generator`, an exponential moving average of the generator's weights updated
      after each generator step, is what `generate()`, `call()` and the export use.

    Args:
        generator: a Keras model mapping z [batch, latent_dim] to samples.
        discriminator: a Keras model mapping samples (packed, with `pack` > 1) to logits (one per
            sample, or a map of them).
        latent_dim: size of z; read from the generator's input when None.
        pack: samples per discriminator judgement (1: the plain game).
        ema_decay: decay of the generator's weight average, e.g. 0.999; None for no average.
        r1_weight: γ of the R1 penalty; 0 for none.
        seed: seed of the model's noise (see `AdversarialModel`).

    Example:

    ```python
    gan = ganzoo.models.GAN(
        ganzoo.networks.mlp_generator(64, 2), ganzoo.networks.mlp_discriminator(2), latent_dim=64
    )
    gan.compile(loss="non_saturating")
    gan.fit(ganzoo.data.mixture_2d("grid"), steps_per_epoch=1000, epochs=10)
    samples = gan.generate(1000, seed=0)
    ```

    Reference: Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
    """

    serving_family = "unconditional"

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim=None,
        pack=1,
        ema_decay=None,
        r1_weight=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        inferred = self._latent_shape(generator)[-1]
        if latent_dim is None:
            latent_dim = inferred
        if inferred is not None and int(latent_dim) != inferred:
            raise ValueError(
                f"latent_dim={latent_dim} does not match the generator's input size {inferred}."
            )
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.pack = int(pack)
        if self.pack < 1:
            raise ValueError(f"pack must be a positive integer; received {pack}.")
        self.check_pack_width(self.pack, generator.output_shape, self._discriminator_sample_shape())
        self.r1_weight = float(r1_weight)
        self.init_generator_ema(generator, ema_decay)
        self.trackers = self.make_trackers("d_loss", "g_loss", "d_real_accuracy", "d_fake_accuracy")
        # Both players are functional models built at construction; marking the container built is
        # what lets save_weights, BackupAndRestore, export and strategies work after fit().
        self.built = True

    @staticmethod
    def _latent_shape(generator):
        """The shape of z: the generator's input, or its first input (a conditional one: z, labels)."""
        shape = generator.input_shape
        return shape[0] if isinstance(shape, list) else shape

    def _discriminator_sample_shape(self):
        """The shape of the (packed) samples the discriminator takes."""
        return self.discriminator.input_shape

    def compile(self, d_optimizer=None, g_optimizer=None, loss="non_saturating", **kwargs):
        """Configures the game.

        Args:
            d_optimizer: the discriminator's optimizer; Adam(2e-4, beta_1=0.5) when None.
            g_optimizer: the generator's optimizer; Adam(2e-4, beta_1=0.5) when None.
            loss: a game name from `ganzoo.losses.names()`.
            **kwargs: passed to `keras.Model.compile` (e.g. `jit_compile`, `steps_per_execution`).
        """
        super().compile(optimizer=None, **kwargs)
        self.game = losses.get(loss)
        self.d_optimizer = self.build_optimizer(
            self.resolve_optimizer(d_optimizer, _adam_2e4), self.discriminator.trainable_variables
        )
        self.g_optimizer = self.build_optimizer(
            self.resolve_optimizer(g_optimizer, _adam_2e4), self.generator.trainable_variables
        )

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data  # labels, if any, are unused
        batch = tf.shape(real)[0]

        # 1. Discriminator: tell real samples from the generator's (m at a time with packing).
        z = self.replica_normal(_D_NOISE, batch, [self.latent_dim])
        real = self.pack_samples(real)
        fake = self.pack_samples(self.generator(z, training=True))
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            d_loss_per_example = self.game.discriminator_loss(real_logits, fake_logits)
            if self.r1_weight:
                critic = lambda x: self.discriminator(x, training=True)  # noqa: E731
                d_loss_per_example += 0.5 * self.r1_weight * penalties.r1(critic, real)
            d_loss = self.global_batch_mean(d_loss_per_example)
            d_scaled = self.d_optimizer.scale_loss(d_loss)
        self.apply_update(
            self.d_optimizer, tape, d_scaled, self.discriminator.trainable_variables
        )

        # 2. Generator: fool the updated discriminator with fresh noise.
        z = self.replica_normal(_G_NOISE, batch, [self.latent_dim])
        with tf.GradientTape() as tape:
            fake = self.pack_samples(self.generator(z, training=True))
            g_logits = self.discriminator(fake, training=True)
            g_loss_per_example = self.game.generator_loss(g_logits)
            g_scaled = self.g_optimizer.scale_loss(self.global_batch_mean(g_loss_per_example))
        self.apply_update(self.g_optimizer, tape, g_scaled, self.generator.trainable_variables)
        self.update_generator_ema(self.g_optimizer.iterations)

        self.advance_rng()
        return self._track(d_loss_per_example, g_loss_per_example, real_logits, fake_logits)

    def test_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        z = self.replica_normal(_EVAL_NOISE, tf.shape(real)[0], [self.latent_dim])
        real_logits = self.discriminator(self.pack_samples(real), training=False)
        fake = self.pack_samples(self.generator(z, training=False))
        fake_logits = self.discriminator(fake, training=False)
        return self._track(
            self.game.discriminator_loss(real_logits, fake_logits),
            self.game.generator_loss(fake_logits),
            real_logits,
            fake_logits,
        )

    def _track(self, d_loss_per_example, g_loss_per_example, real_logits, fake_logits):
        d_loss, g_loss, real_accuracy, fake_accuracy = self.trackers
        d_loss.update_state(d_loss_per_example)
        g_loss.update_state(g_loss_per_example)
        # A logit above 0 is a "real" verdict under every game in ganzoo.losses.
        real_accuracy.update_state(tf.cast(real_logits > 0, tf.float32))
        fake_accuracy.update_state(tf.cast(fake_logits <= 0, tf.float32))
        return self.tracker_results()

    def call(self, z, training=False):
        """Samples for the noise `z` (from the EMA generator if any), so `model.predict(z)` generates."""
        return self.serving_generator(z, training=training)

    def latent_noise(self, n, seed=None):
        """z for `n` samples: seeded by `seed` (repeatable), or by Python's `random` when None."""
        seed = base._new_seed() if seed is None else int(seed)
        return tf.random.stateless_normal(
            [int(n), self.latent_dim], seed=[seed, 0], alg=base.RNG_ALGORITHM
        )

    def generate(self, n, seed=None):
        """`n` samples as a NumPy array, in the generator's output range ([-1, 1] for images).

        From the EMA generator when the model keeps one (`serving_generator`).
        """
        return np.asarray(self.serving_generator(self.latent_noise(n, seed), training=False))

    def get_config(self):
        config = super().get_config()
        config.update(
            generator=keras.saving.serialize_keras_object(self.generator),
            discriminator=keras.saving.serialize_keras_object(self.discriminator),
            latent_dim=self.latent_dim,
            seed=self.seed,
            **self.option_config(),
        )
        return config

    def option_config(self):
        """The options' part of `get_config`, for subclasses that write their own."""
        return dict(pack=self.pack, ema_decay=self.ema_decay, r1_weight=self.r1_weight)

    @classmethod
    def from_config(cls, config):
        config = copy.deepcopy(config)  # deserialization consumes the nested dicts it is given
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)

    def compile_options(self):
        return {"loss": self.game.name}
