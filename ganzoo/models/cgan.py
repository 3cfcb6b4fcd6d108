"""The conditional GAN (Mirza & Osindero 2014): both players see the class label."""

import keras
import numpy as np
import tensorflow as tf

from ganzoo import penalties
from ganzoo.models.gan import GAN

_D_NOISE, _G_NOISE, _EVAL_NOISE = 0, 1, 2


def split_labelled(data, model_name):
    """(images, int32 labels) from a batch, refusing a batch without labels."""
    if not isinstance(data, (tuple, list)) or len(data) < 2:
        raise ValueError(
            f"{model_name} trains on (images, labels) batches, e.g. ganzoo.data.digits(labels=True); "
            f"received a batch of type {type(data).__name__} without labels."
        )
    return data[0], tf.cast(data[1], tf.int32)


def default_labels(n, n_classes):
    """0, 1, ..., n_classes - 1, 0, 1, ...: every class equally often."""
    return np.arange(int(n)) % n_classes


@keras.saving.register_keras_serializable(package="ganzoo")
class CGAN(GAN):
    """The GAN game conditioned on a class label: G(z, y) against D(x, y).

    `train_step` is `GAN`'s with the label added: the discriminator tells real (image, label) pairs from
    generated ones, the generator draws its samples for the real batch's own labels (so real and fake
    batches have the same class mix and the discriminator cannot tell them apart by class frequency),
    and both losses are the game's. The discriminator takes the label as extra input channels or through
    a projection (`ganzoo.networks.conditional_discriminator(conditioning=...)`).

    Options as `GAN`: `pack` (the discriminator judges m (image, label) pairs at once; build it with
    `pack=m`), `ema_decay`, `r1_weight` (on the real pairs), and the game in `compile(loss=...)`.

    Args:
        generator: a Keras model [z [batch, latent_dim], labels int32 [batch]] -> images.
        discriminator: a Keras model [images [batch, ..., pack·C], labels int32 [batch, pack]] ->
            logits.
        n_classes: number of classes; labels are in [0, n_classes).
        latent_dim: size of z; read from the generator's first input when None.
        pack, ema_decay, r1_weight, seed: see `GAN`.

    Example:

    ```python
    cgan = ganzoo.models.CGAN(
        ganzoo.networks.conditional_generator(100, (32, 32, 1), n_classes=10),
        ganzoo.networks.conditional_discriminator((32, 32, 1), n_classes=10),
        n_classes=10,
    )
    cgan.compile()
    cgan.fit(ganzoo.data.digits(image_size=32, batch_size=64, labels=True), epochs=30)
    sevens = cgan.generate(16, labels=[7] * 16)
    ```

    Reference: Mirza & Osindero, "Conditional Generative Adversarial Nets", arXiv:1411.1784, 2014;
    Miyato & Koyama, "cGANs with Projection Discriminator", ICLR 2018.
    """

    serving_family = "class_conditional"

    def __init__(
        self,
        generator,
        discriminator,
        n_classes,
        latent_dim=None,
        pack=1,
        ema_decay=None,
        r1_weight=0.0,
        seed=None,
        **kwargs,
    ):
        if int(n_classes) < 2:
            raise ValueError(f"n_classes must be at least 2; received {n_classes}.")
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
        self.n_classes = int(n_classes)

    def _discriminator_sample_shape(self):
        return self.discriminator.input_shape[0]  # [images, labels]

    def train_step(self, data):
        real, labels = split_labelled(data, type(self).__name__)
        batch = tf.shape(real)[0]
        packed_labels = self.pack_samples(labels[:, None])  # [batch / pack, pack]

        # 1. Discriminator: real (image, label) pairs against generated images for the same labels.
        z = self.replica_normal(_D_NOISE, batch, [self.latent_dim])
        real = self.pack_samples(real)
        fake = self.pack_samples(self.generator([z, labels], training=True))
        with tf.GradientTape() as tape:
            real_logits = self.discriminator([real, packed_labels], training=True)
            fake_logits = self.discriminator([fake, packed_labels], training=True)
            d_loss_per_example = self.game.discriminator_loss(real_logits, fake_logits)
            if self.r1_weight:
                critic = lambda x: self.discriminator([x, packed_labels], training=True)  # noqa: E731
                d_loss_per_example += 0.5 * self.r1_weight * penalties.r1(critic, real)
            d_scaled = self.d_optimizer.scale_loss(self.global_batch_mean(d_loss_per_example))
        self.apply_update(
            self.d_optimizer, tape, d_scaled, self.discriminator.trainable_variables
        )

        # 2. Generator: fresh noise, the same labels, judged by the updated discriminator.
        z = self.replica_normal(_G_NOISE, batch, [self.latent_dim])
        with tf.GradientTape() as tape:
            fake = self.pack_samples(self.generator([z, labels], training=True))
            g_logits = self.discriminator([fake, packed_labels], training=True)
            g_loss_per_example = self.game.generator_loss(g_logits)
            g_scaled = self.g_optimizer.scale_loss(self.global_batch_mean(g_loss_per_example))
        self.apply_update(self.g_optimizer, tape, g_scaled, self.generator.trainable_variables)
        self.update_generator_ema(self.g_optimizer.iterations)

        self.advance_rng()
        return self._track(d_loss_per_example, g_loss_per_example, real_logits, fake_logits)

    def test_step(self, data):
        real, labels = split_labelled(data, type(self).__name__)
        packed_labels = self.pack_samples(labels[:, None])
        z = self.replica_normal(_EVAL_NOISE, tf.shape(real)[0], [self.latent_dim])
        real_logits = self.discriminator([self.pack_samples(real), packed_labels], training=False)
        fake = self.pack_samples(self.generator([z, labels], training=False))
        fake_logits = self.discriminator([fake, packed_labels], training=False)
        return self._track(
            self.game.discriminator_loss(real_logits, fake_logits),
            self.game.generator_loss(fake_logits),
            real_logits,
            fake_logits,
        )

    def call(self, inputs, training=False):
        """Samples for `inputs` = (z, labels), so `model.predict([z, labels])` generates."""
        z, labels = inputs
        return self.serving_generator([z, tf.cast(labels, tf.int32)], training=training)

    def generate(self, n, seed=None, labels=None):
        """`n` samples as a NumPy array, for `labels` (default: every class in turn).

        From the EMA generator when the model keeps one (`serving_generator`).
        """
        labels = default_labels(n, self.n_classes) if labels is None else np.asarray(labels)
        if labels.shape != (int(n),):
            raise ValueError(
                f"labels must hold one class per sample, shape ({n},); received {labels.shape}."
            )
        if labels.min() < 0 or labels.max() >= self.n_classes:
            raise ValueError(
                f"labels must be in [0, {self.n_classes}); received {labels.min()}..{labels.max()}."
            )
        z = self.latent_noise(n, seed)
        images = self.serving_generator([z, tf.constant(labels, tf.int32)], training=False)
        return np.asarray(images)

    def get_config(self):
        config = super().get_config()
        config.update(n_classes=self.n_classes)
        return config
