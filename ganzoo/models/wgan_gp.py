"""WGAN-GP (Gulrajani et al. 2017): the Wasserstein critic kept 1-Lipschitz by a gradient penalty."""

import keras
import tensorflow as tf

from ganzoo import losses, penalties
from ganzoo.models.gan import GAN

# Stateless noise streams: critic update i draws z from _CRITIC_NOISE + i and α from _ALPHA + i.
_G_NOISE, _EVAL_NOISE, _CRITIC_NOISE, _ALPHA = 1, 2, 100, 200


def _adam_1e4():
    return keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9)


@keras.saving.register_keras_serializable(package="ganzoo")
class WGANGP(GAN):
    """The Wasserstein GAN with gradient penalty, Algorithm 1 of the paper.

    Each step makes `n_critic` critic updates, each on its own real batch and fresh noise, with the loss
    D(G(z)) − D(x) + λ·(‖∇D(x̂)‖₂ − 1)² at x̂ = αx + (1 − α)G(z), one α ~ U[0, 1] per sample
    (`ganzoo.penalties.gradient_penalty`); then one generator update with the loss −D(G(z)). The
    optimizers default to the paper's Adam(1e-4, β₁ = 0, β₂ = 0.9).

    The critic must not use batch statistics (the penalty is per sample): no BatchNorm; the paper
    suggests layer normalisation (`ganzoo.networks.dcgan_critic(normalization="layer")`).

    Data: as `WGAN`, each dataset element holds `n_critic` real batches (`batch_size × n_critic`
    examples), split by `strided_split`; one `fit` step is one generator update.

    The options of `GAN` (`pack`, `ema_decay`, `r1_weight`, and `compile(loss=...)`) work here too; with
    packing the penalty is taken on the packed samples, one α per packed group.

    Args:
        generator: a Keras model mapping z [batch, latent_dim] to samples.
        discriminator: the critic, samples -> one unbounded score per sample.
        latent_dim: size of z; read from the generator's input when None.
        n_critic: critic updates per generator update (5 in the paper).
        gp_weight: λ (10 in the paper).
        pack, ema_decay, r1_weight, seed: see `GAN`.

    Example:

    ```python
    wgan = ganzoo.models.WGANGP(
        ganzoo.networks.mlp_generator(2, 2, (256, 256, 256)),
        ganzoo.networks.mlp_discriminator(2, (256, 256, 256)),
    )
    wgan.compile()  # Adam(1e-4, beta_1=0, beta_2=0.9) for both players
    wgan.fit(ganzoo.data.mixture_2d("grid", batch_size=256 * 5), steps_per_epoch=1000, epochs=8)
    ```

    Reference: Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville, "Improved Training of Wasserstein
    GANs", NeurIPS 2017.
    """

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim=None,
        n_critic=5,
        gp_weight=10.0,
        pack=1,
        ema_decay=None,
        r1_weight=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(
            generator,
            discriminator,
            latent_dim=latent_dim,
            pack=pack,
            ema_decay=ema_decay,
            r1_weight=r1_weight,
            seed=seed,
            **kwargs,
        )
        if int(n_critic) < 1:
            raise ValueError(f"n_critic must be a positive integer; received {n_critic}.")
        self.n_critic = int(n_critic)
        self.gp_weight = float(gp_weight)
        self.trackers = self.make_trackers(
            "d_loss", "g_loss", "wasserstein_estimate", "gradient_penalty"
        )

    def compile(self, d_optimizer=None, g_optimizer=None, loss="wasserstein", **kwargs):
        """As `GAN.compile`, with the paper's defaults: Adam(1e-4, 0, 0.9) and the Wasserstein loss."""
        super().compile(
            d_optimizer=self.resolve_optimizer(d_optimizer, _adam_1e4),
            g_optimizer=self.resolve_optimizer(g_optimizer, _adam_1e4),
            loss=loss,
            **kwargs,
        )

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        critic = lambda x: self.discriminator(x, training=True)  # noqa: E731

        # 1. n_critic critic updates, each on its own real batch, with the gradient penalty.
        for index, real_batch in enumerate(self.strided_split(real, self.n_critic)):
            batch = tf.shape(real_batch)[0]
            z = self.replica_normal(_CRITIC_NOISE + index, batch, [self.latent_dim])
            real_batch = self.pack_samples(real_batch)
            fake = self.pack_samples(self.generator(z, training=True))
            # One α per (packed) sample, uniform on [0, 1].
            alpha_shape = [1] * (len(real_batch.shape) - 1)
            alpha = self.replica_uniform(_ALPHA + index, tf.shape(real_batch)[0], alpha_shape)
            with tf.GradientTape() as tape:
                real_scores = critic(real_batch)
                fake_scores = critic(fake)
                penalty = penalties.gradient_penalty(critic, real_batch, fake, alpha)
                d_loss_per_example = (
                    self.game.discriminator_loss(real_scores, fake_scores) + self.gp_weight * penalty
                )
                if self.r1_weight:
                    d_loss_per_example += 0.5 * self.r1_weight * penalties.r1(critic, real_batch)
                d_scaled = self.d_optimizer.scale_loss(self.global_batch_mean(d_loss_per_example))
            self.apply_update(
                self.d_optimizer, tape, d_scaled, self.discriminator.trainable_variables
            )

        # 2. One generator update: raise the critic's score of fresh samples.
        z = self.replica_normal(_G_NOISE, batch, [self.latent_dim])
        with tf.GradientTape() as tape:
            fake = self.pack_samples(self.generator(z, training=True))
            g_loss_per_example = self.game.generator_loss(critic(fake))
            g_scaled = self.g_optimizer.scale_loss(self.global_batch_mean(g_loss_per_example))
        self.apply_update(self.g_optimizer, tape, g_scaled, self.generator.trainable_variables)
        self.update_generator_ema(self.g_optimizer.iterations)

        self.advance_rng()
        return self._track(d_loss_per_example, g_loss_per_example, real_scores, fake_scores, penalty)

    def test_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        z = self.replica_normal(_EVAL_NOISE, tf.shape(real)[0], [self.latent_dim])
        real_scores = self.discriminator(self.pack_samples(real), training=False)
        fake = self.pack_samples(self.generator(z, training=False))
        fake_scores = self.discriminator(fake, training=False)
        no_penalty = tf.zeros_like(losses.wasserstein_generator_loss(fake_scores))
        return self._track(
            self.game.discriminator_loss(real_scores, fake_scores),
            self.game.generator_loss(fake_scores),
            real_scores,
            fake_scores,
            no_penalty,
        )

    def _track(self, d_loss_per_example, g_loss_per_example, real_scores, fake_scores, penalty):
        d_loss, g_loss, wasserstein, gradient_penalty = self.trackers
        d_loss.update_state(d_loss_per_example)
        g_loss.update_state(g_loss_per_example)
        # The critic's estimate of W(P_r, P_g): E D(x) − E D(G(z)).
        wasserstein.update_state(-losses.wasserstein_discriminator_loss(real_scores, fake_scores))
        gradient_penalty.update_state(penalty)
        return self.tracker_results()

    def get_config(self):
        config = super().get_config()
        config.update(n_critic=self.n_critic, gp_weight=self.gp_weight)
        return config
