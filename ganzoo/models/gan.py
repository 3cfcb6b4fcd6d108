"""The original GAN game (Goodfellow et al. 2014) over any generator and discriminator."""

import copy

import keras
import numpy as np
import tensorflow as tf

from ganzoo import losses
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

    Args:
        generator: a Keras model mapping z [batch, latent_dim] to samples.
        discriminator: a Keras model mapping samples to logits (one per sample, or a map of them).
        latent_dim: size of z; read from the generator's input when None.
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

    def __init__(self, generator, discriminator, latent_dim=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        inferred = generator.input_shape[-1]
        if latent_dim is None:
            latent_dim = inferred
        if inferred is not None and int(latent_dim) != inferred:
            raise ValueError(
                f"latent_dim={latent_dim} does not match the generator's input size {inferred}."
            )
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.trackers = self.make_trackers("d_loss", "g_loss", "d_real_accuracy", "d_fake_accuracy")
        # Both players are functional models built at construction; marking the container built is
        # what lets save_weights, BackupAndRestore, export and strategies work after fit().
        self.built = True

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

        # 1. Discriminator: tell real samples from the generator's.
        z = self.replica_normal(_D_NOISE, batch, [self.latent_dim])
        fake = self.generator(z, training=True)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            d_loss_per_example = self.game.discriminator_loss(real_logits, fake_logits)
            d_loss = self.global_batch_mean(d_loss_per_example)
            d_scaled = self.d_optimizer.scale_loss(d_loss)
        self.apply_update(
            self.d_optimizer, tape, d_scaled, self.discriminator.trainable_variables
        )

        # 2. Generator: fool the updated discriminator with fresh noise.
        z = self.replica_normal(_G_NOISE, batch, [self.latent_dim])
        with tf.GradientTape() as tape:
            g_logits = self.discriminator(self.generator(z, training=True), training=True)
            g_loss_per_example = self.game.generator_loss(g_logits)
            g_scaled = self.g_optimizer.scale_loss(self.global_batch_mean(g_loss_per_example))
        self.apply_update(self.g_optimizer, tape, g_scaled, self.generator.trainable_variables)

        self.advance_rng()
        return self._track(d_loss_per_example, g_loss_per_example, real_logits, fake_logits)

    def test_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        z = self.replica_normal(_EVAL_NOISE, tf.shape(real)[0], [self.latent_dim])
        real_logits = self.discriminator(real, training=False)
        fake_logits = self.discriminator(self.generator(z, training=False), training=False)
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
        """Samples for the noise `z`, so `model.predict(z)` generates."""
        return self.generator(z, training=training)

    def latent_noise(self, n, seed=None):
        """z for `n` samples: seeded by `seed` (repeatable), or by Python's `random` when None."""
        seed = base._new_seed() if seed is None else int(seed)
        return tf.random.stateless_normal([int(n), self.latent_dim], seed=[seed, 0])

    def generate(self, n, seed=None):
        """`n` samples as a NumPy array, in the generator's output range ([-1, 1] for images)."""
        return np.asarray(self.generator(self.latent_noise(n, seed), training=False))

    def get_config(self):
        config = super().get_config()
        config.update(
            generator=keras.saving.serialize_keras_object(self.generator),
            discriminator=keras.saving.serialize_keras_object(self.discriminator),
            latent_dim=self.latent_dim,
            seed=self.seed,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = copy.deepcopy(config)  # deserialization consumes the nested dicts it is given
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)

    def get_compile_config(self):
        # Without this, a reloaded `.keras` file keeps the weights but drops both optimizers' state.
        return {
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "loss": self.game.name,
        }

    def compile_from_config(self, config):
        self.compile(
            d_optimizer=keras.saving.deserialize_keras_object(config["d_optimizer"]),
            g_optimizer=keras.saving.deserialize_keras_object(config["g_optimizer"]),
            loss=config["loss"],
        )
