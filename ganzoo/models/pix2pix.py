"""pix2pix (Isola et al. 2017): a conditional GAN with an L1 term, a U-Net generator and a PatchGAN."""

import copy

import keras
import tensorflow as tf

from ganzoo import losses, networks
from ganzoo.models import base


def _adam_2e4():
    return keras.optimizers.Adam(2e-4, beta_1=0.5)


def l1_per_example(outputs, targets):
    """mean |outputs - targets| over each example's pixels and channels: one value per example."""
    difference = tf.abs(tf.cast(outputs, tf.float32) - tf.cast(targets, tf.float32))
    return tf.reduce_mean(tf.reshape(difference, [tf.shape(difference)[0], -1]), axis=1)


@keras.saving.register_keras_serializable(package="ganzoo")
class Pix2Pix(base.AdversarialModel):
    """Image-to-image translation from paired examples: G(x) should look real next to x, and be near y.

    `train_step` is the paper's objective, G* = arg min_G max_D L_cGAN(G, D) + λ L_L1(G), one update of
    each player per step as the reference code does it: G translates the batch once; D learns to tell
    (x, y) from (x, G(x)), its loss halved "to slow down the rate at which D learns relative to G";
    then G minimises the non-saturating adversarial loss against the updated D plus λ·|G(x) - y|₁.

    The data are `(inputs, targets)` pairs of images in [-1, 1] (`ganzoo.data.paired_images`).

    Normalisation: instance normalisation by default, in both networks. The paper trains with batch size
    1 and normalises with the test batch's statistics at test time, i.e. instance normalisation; using
    it explicitly keeps training and serving identical for any batch size (`norm="batch"` is available:
    Keras then serves with moving averages, which the README's measurement shows to be much worse after
    a short training).

    Args:
        image_shape: (side, side, channels) of the inputs; side a power of two, at least 32 with the
            default PatchGAN (the U-Net's depth is log2(side): see `ganzoo.networks.unet_generator`).
        output_channels: channels of the outputs; the inputs' when None.
        base_filters: width of both networks (64 in the paper).
        norm: "instance" (default), "batch" or "none", for both networks.
        dropout: dropout rate of the U-Net's first three up blocks (0.5 in the paper: its noise).
        d_layers: stride-2 layers of the PatchGAN; 3 gives the paper's 70×70 patches.
        seed: seed of the dropout noise (see `AdversarialModel`).

    Example:

    ```python
    pix2pix = ganzoo.models.Pix2Pix(image_shape=(256, 256, 3))
    pix2pix.compile()  # Adam(2e-4, beta_1=0.5) for both players, λ = 100
    pix2pix.fit(ganzoo.data.paired_images("facades", "train", image_size=256), epochs=200)
    photos = pix2pix.translate(label_maps)  # images in [-1, 1] both ways
    ```

    Reference: Isola, Zhu, Zhou & Efros, "Image-to-Image Translation with Conditional Adversarial
    Networks", CVPR 2017.
    """

    serving_family = "image_to_image"

    def __init__(
        self,
        image_shape=(256, 256, 3),
        output_channels=None,
        base_filters=64,
        norm="instance",
        dropout=0.5,
        d_layers=3,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        self.image_shape = tuple(int(size) for size in image_shape)
        self.output_channels = int(output_channels or self.image_shape[-1])
        self.base_filters = int(base_filters)
        self.norm = norm
        self.dropout = float(dropout)
        self.d_layers = int(d_layers)
        self.generator = networks.unet_generator(
            self.image_shape,
            self.output_channels,
            self.base_filters,
            norm,
            self.dropout,
            seed=self.seed,
        )
        self.discriminator = networks.patchgan_discriminator(
            (*self.image_shape[:2], self.output_channels),
            condition_channels=self.image_shape[-1],
            base_filters=self.base_filters,
            n_layers=self.d_layers,
            norm=norm,
            conditional=True,
        )
        self.trackers = self.make_trackers("d_loss", "g_gan_loss", "g_l1_loss")
        self.built = True

    def compile(
        self, d_optimizer=None, g_optimizer=None, loss="non_saturating", l1_weight=100.0, **kwargs
    ):
        """Configures the objective.

        Args:
            d_optimizer: the discriminator's optimizer; Adam(2e-4, beta_1=0.5) when None.
            g_optimizer: the generator's optimizer; Adam(2e-4, beta_1=0.5) when None.
            loss: the adversarial game, a name from `ganzoo.losses.names()` (the paper's is
                non-saturating; "least_squares" gives an LSGAN-style pix2pix).
            l1_weight: λ, the weight of the L1 term (100 in the paper).
            **kwargs: passed to `keras.Model.compile` (e.g. `jit_compile`).
        """
        super().compile(optimizer=None, **kwargs)
        self.game = losses.get(loss)
        self.l1_weight = float(l1_weight)
        self.d_optimizer = self.build_optimizer(
            self.resolve_optimizer(d_optimizer, _adam_2e4), self.discriminator.trainable_variables
        )
        self.g_optimizer = self.build_optimizer(
            self.resolve_optimizer(g_optimizer, _adam_2e4), self.generator.trainable_variables
        )

    def train_step(self, data):
        inputs, targets = data

        # 1. Translate the batch once; the generator's tape is resumed in step 3.
        with tf.GradientTape() as g_tape:
            outputs = self.generator(inputs, training=True)

        # 2. Discriminator: real pairs (x, y) against generated pairs (x, G(x)); loss halved.
        with tf.GradientTape() as d_tape:
            real_logits = self.discriminator([inputs, targets], training=True)
            fake_logits = self.discriminator([inputs, tf.stop_gradient(outputs)], training=True)
            d_loss_per_example = 0.5 * self.game.discriminator_loss(real_logits, fake_logits)
            d_scaled = self.d_optimizer.scale_loss(self.global_batch_mean(d_loss_per_example))
        self.apply_update(
            self.d_optimizer, d_tape, d_scaled, self.discriminator.trainable_variables
        )

        # 3. Generator: fool the updated discriminator and stay near the target, L_cGAN + λ·L1.
        with g_tape:
            g_logits = self.discriminator([inputs, outputs], training=True)
            gan_per_example = self.game.generator_loss(g_logits)
            l1 = l1_per_example(outputs, targets)
            g_loss = self.global_batch_mean(gan_per_example + self.l1_weight * l1)
            g_scaled = self.g_optimizer.scale_loss(g_loss)
        self.apply_update(self.g_optimizer, g_tape, g_scaled, self.generator.trainable_variables)

        return self._track(d_loss_per_example, gan_per_example, l1)

    def test_step(self, data):
        inputs, targets = data
        outputs = self.translate(inputs)
        real_logits = self.discriminator([inputs, targets], training=False)
        fake_logits = self.discriminator([inputs, outputs], training=False)
        return self._track(
            0.5 * self.game.discriminator_loss(real_logits, fake_logits),
            self.game.generator_loss(fake_logits),
            l1_per_example(outputs, targets),
        )

    def _track(self, *per_example_losses):  # d_loss, g_gan_loss, g_l1_loss
        for tracker, values in zip(self.trackers, per_example_losses):
            tracker.update_state(values)
        return self.tracker_results()

    def translate(self, images, training=False):
        """Translates `images` [batch, side, side, C] in [-1, 1] to images in [-1, 1].

        Inference normalises as training did: with instance normalisation (the default) each image is
        normalised by its own statistics in both. `training=True` runs the generator as a train step
        does: the paper's dropout noise on (advancing its seeded masks) and, with `norm="batch"`, batch
        statistics (updating the moving averages).
        """
        return self.generator(images, training=training)

    def call(self, images, training=False):
        """`translate`, so `model.predict(images)` translates."""
        return self.translate(images, training=training)

    def get_config(self):
        config = keras.Model.get_config(self)
        config.update(
            image_shape=self.image_shape,
            output_channels=self.output_channels,
            base_filters=self.base_filters,
            norm=self.norm,
            dropout=self.dropout,
            d_layers=self.d_layers,
            seed=self.seed,
        )
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**copy.deepcopy(config))

    def compile_options(self):
        return {"loss": self.game.name, "l1_weight": self.l1_weight}
