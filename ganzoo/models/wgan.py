"""WGAN (Arjovsky, Chintala & Bottou 2017): a critic with no sigmoid, weights clipped to [-c, c]."""

import keras
import tensorflow as tf

from ganzoo import losses, penalties
from ganzoo.models.gan import GAN

# Stateless noise streams: critic update i draws from _CRITIC_NOISE + i.
_G_NOISE, _EVAL_NOISE, _CRITIC_NOISE = 1, 2, 100


def _rmsprop_5e5():
    # The paper's RMSProp(α = 5e-5); rho and epsilon as in its reference code (PyTorch's defaults).
    return keras.optimizers.RMSprop(5e-5, rho=0.99, epsilon=1e-8)


@keras.saving.register_keras_serializable(package="ganzoo")
class WGAN(GAN):
    """The Wasserstein GAN with weight clipping, Algorithm 1 of the paper.

    Each step makes `n_critic` critic updates, each on its own real batch and fresh noise, with the loss
    D(G(z)) − D(x) (no sigmoid, no log), every trainable critic weight clipped to [-c, c] after each of
    them; then one generator update with the loss −D(G(z)). The optimizers default to the paper's
    RMSProp(5e-5).

    Data: the paper draws a fresh real batch for every critic update. With `fit()` a step sees one
    dataset element, so each element holds `n_critic` batches (`batch_size × n_critic` examples) and the
    step splits it (`strided_split`, which keeps N replicas equal to one device). The generator's
    batch is one of those batches; one `fit` step is one generator update, consuming data at the
    paper's rate.

    The options of `GAN` (`pack`, `ema_decay`, `r1_weight`, and `compile(loss=...)` for another game)
    work here too.

    Args:
        generator: a Keras model mapping z [batch, latent_dim] to samples.
        discriminator: the critic, samples -> one unbounded score per sample (no sigmoid).
        latent_dim: size of z; read from the generator's input when None.
        n_critic: critic updates per generator update (5 in the paper).
        clip_value: c; every trainable critic weight is clipped to [-c, c] (0.01 in the paper).
        pack, ema_decay, r1_weight, seed: see `GAN`.

    Example:

    ```python
    wgan = ganzoo.models.WGAN(
        ganzoo.networks.dcgan_generator(100, (32, 32, 1)),
        ganzoo.networks.dcgan_critic((32, 32, 1), normalization="batch"),
    )
    wgan.compile()  # RMSProp(5e-5) for both players
    wgan.fit(ganzoo.data.digits(32, batch_size=64 * wgan.n_critic, repeat=True), steps_per_epoch=100)
    ```

    Reference: Arjovsky, Chintala & Bottou, "Wasserstein Generative Adversarial Networks", ICML 2017.
    """

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim=None,
        n_critic=5,
        clip_value=0.01,
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
        if float(clip_value) <= 0:
            raise ValueError(f"clip_value must be positive; received {clip_value}.")
        self.n_critic = int(n_critic)
        self.clip_value = float(clip_value)
        self.trackers = self.make_trackers("d_loss", "g_loss", "wasserstein_estimate")

    def compile(self, d_optimizer=None, g_optimizer=None, loss="wasserstein", **kwargs):
        """As `GAN.compile`, with the paper's defaults: RMSProp(5e-5) and the Wasserstein loss."""
        super().compile(
            d_optimizer=self.resolve_optimizer(d_optimizer, _rmsprop_5e5),
            g_optimizer=self.resolve_optimizer(g_optimizer, _rmsprop_5e5),
            loss=loss,
            **kwargs,
        )

    def clip_critic(self):
        """w <- clip(w, -c, c) for every trainable critic weight."""
        for weight in self.discriminator.trainable_variables:
            weight.assign(tf.clip_by_value(weight, -self.clip_value, self.clip_value))

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data

        # 1. n_critic critic updates, each on its own real batch, each followed by the clipping.
        for index, real_batch in enumerate(self.strided_split(real, self.n_critic)):
            batch = tf.shape(real_batch)[0]
            z = self.replica_normal(_CRITIC_NOISE + index, batch, [self.latent_dim])
            real_batch = self.pack_samples(real_batch)
            fake = self.pack_samples(self.generator(z, training=True))
            with tf.GradientTape() as tape:
                real_scores = self.discriminator(real_batch, training=True)
                fake_scores = self.discriminator(fake, training=True)
                d_loss_per_example = self.game.discriminator_loss(real_scores, fake_scores)
                if self.r1_weight:
                    critic = lambda x: self.discriminator(x, training=True)  # noqa: E731
                    d_loss_per_example += 0.5 * self.r1_weight * penalties.r1(critic, real_batch)
                d_scaled = self.d_optimizer.scale_loss(self.global_batch_mean(d_loss_per_example))
            self.apply_update(
                self.d_optimizer, tape, d_scaled, self.discriminator.trainable_variables
            )
            self.clip_critic()

        # 2. One generator update: raise the critic's score of fresh samples.
        z = self.replica_normal(_G_NOISE, batch, [self.latent_dim])
        with tf.GradientTape() as tape:
            fake = self.pack_samples(self.generator(z, training=True))
            g_loss_per_example = self.game.generator_loss(
                self.discriminator(fake, training=True)
            )
            g_scaled = self.g_optimizer.scale_loss(self.global_batch_mean(g_loss_per_example))
        self.apply_update(self.g_optimizer, tape, g_scaled, self.generator.trainable_variables)
        self.update_generator_ema(self.g_optimizer.iterations)

        self.advance_rng()
        return self._track(d_loss_per_example, g_loss_per_example, real_scores, fake_scores)

    def test_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        z = self.replica_normal(_EVAL_NOISE, tf.shape(real)[0], [self.latent_dim])
        real_scores = self.discriminator(self.pack_samples(real), training=False)
        fake = self.pack_samples(self.generator(z, training=False))
        fake_scores = self.discriminator(fake, training=False)
        return self._track(
            self.game.discriminator_loss(real_scores, fake_scores),
            self.game.generator_loss(fake_scores),
            real_scores,
            fake_scores,
        )

    def _track(self, d_loss_per_example, g_loss_per_example, real_scores, fake_scores):
        d_loss, g_loss, wasserstein = self.trackers
        d_loss.update_state(d_loss_per_example)
        g_loss.update_state(g_loss_per_example)
        # The critic's estimate of W(P_r, P_g) up to its Lipschitz constant: E D(x) − E D(G(z)).
        wasserstein.update_state(-losses.wasserstein_discriminator_loss(real_scores, fake_scores))
        return self.tracker_results()

    def get_config(self):
        config = super().get_config()
        config.update(n_critic=self.n_critic, clip_value=self.clip_value)
        return config
