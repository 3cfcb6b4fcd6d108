"""ACGAN (Odena, Olah & Shlens 2017): the discriminator also classifies, and both players use it."""

import keras
import tensorflow as tf

from ganzoo import penalties
from ganzoo.models.cgan import CGAN, split_labelled

_D_NOISE, _G_NOISE, _EVAL_NOISE = 0, 1, 2


def class_loss(class_logits, labels, n_classes):
    """Cross-entropy of the true class, one value per image: class logits [batch / m, m·n] are m
    images' logits side by side (packing), in the order `pack_samples` grouped them."""
    class_logits = tf.reshape(tf.cast(class_logits, tf.float32), [-1, n_classes])
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=class_logits)


@keras.saving.register_keras_serializable(package="ganzoo")
class ACGAN(CGAN):
    """The auxiliary-classifier GAN: D(x) -> (real or fake, which class); G(z, c) draws class c.

    The discriminator sees only the image. Its loss is the game's on the first head plus the
    classification loss (cross-entropy of the true class) on real images AND on generated ones; the
    generator's is the game's plus the classification loss on its samples: it must be recognised as
    the class it was asked for (L_S and L_C of the paper, eq. 2-3, with the game in place of L_S's
    log-likelihood; `classification_weight` scales L_C). Samples are drawn for the real batch's labels.

    Options as `GAN`: `pack` (the classifier head then names a class for each of the m images), EMA,
    R1 and the game.

    Args:
        generator: a Keras model [z [batch, latent_dim], labels int32 [batch]] -> images.
        discriminator: a Keras model images [batch, ..., pack·C] -> [logits, class logits
            [batch, pack·n_classes]] (`ganzoo.networks.acgan_discriminator`).
        n_classes: number of classes.
        classification_weight: weight of the classification loss in both players' losses (1 in the
            paper).
        latent_dim, pack, ema_decay, r1_weight, seed: see `GAN`.

    Example:

    ```python
    acgan = ganzoo.models.ACGAN(
        ganzoo.networks.conditional_generator(100, (32, 32, 1), n_classes=10),
        ganzoo.networks.acgan_discriminator((32, 32, 1), n_classes=10),
        n_classes=10,
    )
    acgan.compile()
    acgan.fit(ganzoo.data.digits(image_size=32, batch_size=64, labels=True), epochs=30)
    ```

    Reference: Odena, Olah & Shlens, "Conditional Image Synthesis with Auxiliary Classifier GANs",
    ICML 2017.
    """

    def __init__(
        self,
        generator,
        discriminator,
        n_classes,
        classification_weight=1.0,
        latent_dim=None,
        pack=1,
        ema_decay=None,
        r1_weight=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(
            generator,
            discriminator,
            n_classes,
            latent_dim=latent_dim,
            pack=pack,
            ema_decay=ema_decay,
            r1_weight=r1_weight,
            seed=seed,
            **kwargs,
        )
        class_width = discriminator.output_shape[1][-1]
        if class_width != self.pack * self.n_classes:
            raise ValueError(
                f"The discriminator's class head must give pack × n_classes = {self.pack * self.n_classes} "
                f"logits; it gives {class_width}."
            )
        self.classification_weight = float(classification_weight)
        self.trackers = self.make_trackers(
            "d_loss", "g_loss", "class_loss", "d_real_accuracy", "d_fake_accuracy", "class_accuracy"
        )

    def _discriminator_sample_shape(self):
        return self.discriminator.input_shape  # the image alone

    def train_step(self, data):
        real, labels = split_labelled(data, type(self).__name__)
        batch = tf.shape(real)[0]

        # 1. Discriminator: real or fake (the game), and which class (real AND generated images).
        z = self.replica_normal(_D_NOISE, batch, [self.latent_dim])
        real = self.pack_samples(real)
        fake = self.pack_samples(self.generator([z, labels], training=True))
        with tf.GradientTape() as tape:
            real_logits, real_classes = self.discriminator(real, training=True)
            fake_logits, fake_classes = self.discriminator(fake, training=True)
            d_loss_per_example = self.game.discriminator_loss(real_logits, fake_logits)
            if self.r1_weight:
                critic = lambda x: self.discriminator(x, training=True)[0]  # noqa: E731
                d_loss_per_example += 0.5 * self.r1_weight * penalties.r1(critic, real)
            class_loss_per_image = class_loss(real_classes, labels, self.n_classes) + class_loss(
                fake_classes, labels, self.n_classes
            )
            d_loss = self.global_batch_mean(d_loss_per_example) + (
                self.classification_weight * self.global_batch_mean(class_loss_per_image)
            )
            d_scaled = self.d_optimizer.scale_loss(d_loss)
        self.apply_update(
            self.d_optimizer, tape, d_scaled, self.discriminator.trainable_variables
        )

        # 2. Generator: fool the first head and be recognised as the requested class by the second.
        z = self.replica_normal(_G_NOISE, batch, [self.latent_dim])
        with tf.GradientTape() as tape:
            fake = self.pack_samples(self.generator([z, labels], training=True))
            g_logits, g_classes = self.discriminator(fake, training=True)
            g_loss_per_example = self.game.generator_loss(g_logits)
            g_loss = self.global_batch_mean(g_loss_per_example) + (
                self.classification_weight
                * self.global_batch_mean(class_loss(g_classes, labels, self.n_classes))
            )
            g_scaled = self.g_optimizer.scale_loss(g_loss)
        self.apply_update(self.g_optimizer, tape, g_scaled, self.generator.trainable_variables)
        self.update_generator_ema(self.g_optimizer.iterations)

        self.advance_rng()
        return self._track(
            d_loss_per_example, g_loss_per_example, class_loss_per_image, real_logits, fake_logits,
            real_classes, labels,
        )

    def test_step(self, data):
        real, labels = split_labelled(data, type(self).__name__)
        z = self.replica_normal(_EVAL_NOISE, tf.shape(real)[0], [self.latent_dim])
        real_logits, real_classes = self.discriminator(self.pack_samples(real), training=False)
        fake = self.pack_samples(self.generator([z, labels], training=False))
        fake_logits, fake_classes = self.discriminator(fake, training=False)
        return self._track(
            self.game.discriminator_loss(real_logits, fake_logits),
            self.game.generator_loss(fake_logits),
            class_loss(real_classes, labels, self.n_classes)
            + class_loss(fake_classes, labels, self.n_classes),
            real_logits,
            fake_logits,
            real_classes,
            labels,
        )

    def _track(
        self, d_loss_per_example, g_loss_per_example, class_loss_per_image, real_logits, fake_logits,
        real_classes, labels,
    ):
        d_loss, g_loss, class_loss_tracker, real_accuracy, fake_accuracy, class_accuracy = self.trackers
        d_loss.update_state(d_loss_per_example)
        g_loss.update_state(g_loss_per_example)
        class_loss_tracker.update_state(class_loss_per_image)
        real_accuracy.update_state(tf.cast(real_logits > 0, tf.float32))
        fake_accuracy.update_state(tf.cast(fake_logits <= 0, tf.float32))
        predicted = tf.argmax(tf.reshape(real_classes, [-1, self.n_classes]), axis=-1, output_type=tf.int32)
        class_accuracy.update_state(tf.cast(tf.equal(predicted, labels), tf.float32))
        return self.tracker_results()

    def get_config(self):
        config = super().get_config()
        config.update(classification_weight=self.classification_weight)
        return config
