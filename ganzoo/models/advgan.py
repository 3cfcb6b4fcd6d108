"""AdvGAN (Xiao et al. 2018): a generator that learns small perturbations which fool a frozen classifier."""

import copy

import keras
import tensorflow as tf

from ganzoo import losses, networks
from ganzoo.models import base


def _adam_1e3():
    return keras.optimizers.Adam(1e-3, beta_1=0.5)


def margin_loss(logits, labels, targeted=False, confidence=0.0):
    """Carlini & Wagner's f₆, the paper's L_adv, one value per example, ≥ 0.

    Untargeted: max(0, Z_y − max_{i≠y} Z_i + κ), zero once another class leads the true class y by κ.
    Targeted: max(0, max_{i≠t} Z_i − Z_t + κ), zero once the target t leads every other class by κ.
    (The paper writes max(·, −κ); adding κ only shifts it to start at 0.)
    """
    logits = tf.cast(logits, tf.float32)
    labels = tf.cast(tf.reshape(labels, [-1]), tf.int32)
    chosen = tf.gather(logits, labels, axis=-1, batch_dims=1)
    others = tf.reduce_max(
        logits - 1e9 * tf.one_hot(labels, tf.shape(logits)[-1], dtype=tf.float32), axis=-1
    )
    margin = others - chosen if targeted else chosen - others
    return tf.nn.relu(margin + confidence)


def l2_norms(perturbations):
    """‖δ‖₂ of each example, shape [batch]."""
    flat = tf.reshape(tf.cast(perturbations, tf.float32), [tf.shape(perturbations)[0], -1])
    return tf.sqrt(tf.reduce_sum(tf.square(flat), axis=1) + 1e-12)


@keras.saving.register_keras_serializable(package="ganzoo")
class AdvGAN(base.AdversarialModel):
    """A perturbation generator G trained against a frozen target classifier f, with a discriminator D.

    `train_step` is the paper's objective, L = L_adv + α·L_GAN + β·L_hinge, one update of each player per
    step: G perturbs the batch once, δ = G(x), and x' = clip(x + δ) is the adversarial image; D learns to
    tell x from x'; then G minimises
      - L_adv = the C&W margin of f on x' (`margin_loss`): away from the true class, or towards
        `target_class`;
      - L_GAN = the generator's side of the game against the updated D, so x' looks like data;
      - L_hinge = max(0, ‖δ‖₂ − c), which keeps the perturbation's L2 norm near or below c.

    The target classifier is frozen: `classifier.trainable = False` at construction (the object passed
    in is changed), it is in neither player's variables, and it is always called with `training=False`.
    Gradients flow through it to G; its weights never change. It is part of the model (saved in `.keras`
    files and checkpoints with the players) so a reloaded AdvGAN attacks the same classifier.

    The data are `(images, labels)` in [clip_min, clip_max] (ganzoo's [-1, 1] by default), `labels` the
    true classes; with images alone, the classifier's own answers on the clean images stand in for them.
    After training, `translate(x)` is the adversarial image: one forward pass, no gradient, no
    iteration; the image-to-image export serves it (uint8 images in, adversarial uint8 images out).

    Args:
        classifier: the target, a Keras model mapping images to class logits.
        image_shape: (height, width, channels); the classifier's input shape when None.
        c: the bound of the hinge on ‖δ‖₂, in the images' units.
        target_class: None for an untargeted attack; a class index for a targeted one.
        max_perturbation: bound of each pixel's perturbation (G ends in max_perturbation·tanh); 0.6 in
            [-1, 1] units is the paper's 0.3 on MNIST's [0, 1].
        confidence: κ of the margin loss (0: stop pushing once the classifier is fooled).
        base_filters: width of G (doubled per down-sampling) and of D.
        residual_blocks: residual blocks in G.
        norm: "instance" (the paper's), "batch" or "none", for both players.
        clip_min, clip_max: the valid range of the images.
        seed: the model's seed (AdvGAN draws no noise; kept for the zoo's common interface).

    Example:

    ```python
    advgan = ganzoo.models.AdvGAN(classifier, image_shape=(16, 16, 1), c=1.5)
    advgan.compile()
    advgan.fit(ganzoo.data.digits(image_size=16, labels=True, split="train"), epochs=30)
    adversarial = advgan.translate(images)  # images in [-1, 1] both ways
    ```

    Reference: Xiao, Li, Zhu, He, Liu & Song, "Generating Adversarial Examples with Adversarial
    Networks", IJCAI 2018.
    """

    serving_family = "image_to_image"

    def __init__(
        self,
        classifier,
        image_shape=None,
        c=1.5,
        target_class=None,
        max_perturbation=0.6,
        confidence=0.0,
        base_filters=16,
        residual_blocks=2,
        norm="instance",
        clip_min=-1.0,
        clip_max=1.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        inferred = tuple(classifier.input_shape[1:])
        self.image_shape = tuple(int(size) for size in (image_shape or inferred))
        if tuple(inferred) != self.image_shape:
            raise ValueError(
                f"image_shape={self.image_shape} does not match the classifier's input shape {inferred}."
            )
        self.classes = int(classifier.output_shape[-1])
        if target_class is not None and not 0 <= int(target_class) < self.classes:
            raise ValueError(
                f"target_class must be None or in [0, {self.classes}); received {target_class}."
            )
        if not float(c) >= 0.0:
            raise ValueError(f"c must be a non-negative number; received {c}.")
        if not float(clip_min) < float(clip_max):
            raise ValueError(f"clip_min must be below clip_max; received [{clip_min}, {clip_max}].")
        self.c = float(c)
        self.target_class = None if target_class is None else int(target_class)
        self.max_perturbation = float(max_perturbation)
        self.confidence = float(confidence)
        self.base_filters = int(base_filters)
        self.residual_blocks = int(residual_blocks)
        self.norm = norm
        self.clip_min = float(clip_min)
        self.clip_max = float(clip_max)

        classifier.trainable = False
        self.classifier = classifier
        self.generator = networks.advgan_generator(
            self.image_shape,
            base_filters=self.base_filters,
            residual_blocks=self.residual_blocks,
            max_perturbation=self.max_perturbation,
            norm=norm,
        )
        self.discriminator = networks.advgan_discriminator(
            self.image_shape, base_filters=self.base_filters, norm=norm
        )
        self.trackers = self.make_trackers(
            "d_loss", "g_gan_loss", "g_adv_loss", "g_hinge_loss", "l2_norm", "success_rate"
        )
        self.built = True

    @property
    def targeted(self):
        return self.target_class is not None

    def compile(
        self,
        d_optimizer=None,
        g_optimizer=None,
        loss="least_squares",
        gan_weight=1.0,
        hinge_weight=10.0,
        **kwargs,
    ):
        """Configures the objective L = L_adv + α·L_GAN + β·L_hinge.

        Args:
            d_optimizer: the discriminator's optimizer; Adam(1e-3, beta_1=0.5) when None.
            g_optimizer: the generator's optimizer; Adam(1e-3, beta_1=0.5) when None.
            loss: the game of L_GAN, a name from `ganzoo.losses.names()` (least squares, as the paper's
                code).
            gan_weight: α.
            hinge_weight: β.
            **kwargs: passed to `keras.Model.compile` (e.g. `jit_compile`).
        """
        super().compile(optimizer=None, **kwargs)
        self.game = losses.get(loss)
        self.gan_weight = float(gan_weight)
        self.hinge_weight = float(hinge_weight)
        self.d_optimizer = self.build_optimizer(
            self.resolve_optimizer(d_optimizer, _adam_1e3), self.discriminator.trainable_variables
        )
        self.g_optimizer = self.build_optimizer(
            self.resolve_optimizer(g_optimizer, _adam_1e3), self.generator.trainable_variables
        )

    def attack_labels(self, images, labels=None):
        """The classes L_adv pushes from (the true ones) or to (`target_class`), one per image."""
        batch = tf.shape(images)[0]
        if self.targeted:
            return tf.fill([batch], self.target_class)
        if labels is None:
            clean_logits = self.classifier(images, training=False)
            return tf.argmax(clean_logits, axis=-1, output_type=tf.int32)
        return tf.cast(tf.reshape(labels, [-1]), tf.int32)

    def train_step(self, data):
        images, labels = data if isinstance(data, (tuple, list)) else (data, None)
        attack_labels = self.attack_labels(images, labels)

        # 1. Perturb the batch once; the generator's tape is resumed in step 3.
        with tf.GradientTape() as g_tape:
            perturbations = self.generator(images, training=True)
            adversarial = self.clip(images + perturbations)

        # 2. Discriminator: clean images x against adversarial images x + δ.
        with tf.GradientTape() as d_tape:
            real_logits = self.discriminator(images, training=True)
            fake_logits = self.discriminator(tf.stop_gradient(adversarial), training=True)
            d_loss_per_example = self.game.discriminator_loss(real_logits, fake_logits)
            d_scaled = self.d_optimizer.scale_loss(self.global_batch_mean(d_loss_per_example))
        self.apply_update(
            self.d_optimizer, d_tape, d_scaled, self.discriminator.trainable_variables
        )

        # 3. Generator: fool the frozen classifier, look real to the updated D, keep ‖δ‖₂ below c.
        with g_tape:
            gan_per_example = self.game.generator_loss(self.discriminator(adversarial, training=True))
            class_logits = self.classifier(adversarial, training=False)
            adv_per_example = margin_loss(
                class_logits, attack_labels, self.targeted, self.confidence
            )
            norms = l2_norms(perturbations)
            hinge_per_example = tf.nn.relu(norms - self.c)
            g_loss = self.global_batch_mean(
                adv_per_example
                + self.gan_weight * gan_per_example
                + self.hinge_weight * hinge_per_example
            )
            g_scaled = self.g_optimizer.scale_loss(g_loss)
        self.apply_update(self.g_optimizer, g_tape, g_scaled, self.generator.trainable_variables)

        return self._track(
            d_loss_per_example, gan_per_example, adv_per_example, hinge_per_example,
            l2_norms(adversarial - images), self._successes(class_logits, attack_labels),
        )

    def test_step(self, data):
        images, labels = data if isinstance(data, (tuple, list)) else (data, None)
        attack_labels = self.attack_labels(images, labels)
        perturbations = self.generator(images, training=False)
        adversarial = self.clip(images + perturbations)
        real_logits = self.discriminator(images, training=False)
        fake_logits = self.discriminator(adversarial, training=False)
        class_logits = self.classifier(adversarial, training=False)
        return self._track(
            self.game.discriminator_loss(real_logits, fake_logits),
            self.game.generator_loss(fake_logits),
            margin_loss(class_logits, attack_labels, self.targeted, self.confidence),
            tf.nn.relu(l2_norms(perturbations) - self.c),
            l2_norms(adversarial - images),
            self._successes(class_logits, attack_labels),
        )

    def _successes(self, class_logits, attack_labels):
        predictions = tf.argmax(class_logits, axis=-1, output_type=tf.int32)
        hit = tf.equal if self.targeted else tf.not_equal
        return tf.cast(hit(predictions, attack_labels), tf.float32)

    def _track(self, *per_example_values):
        for tracker, values in zip(self.trackers, per_example_values):
            tracker.update_state(values)
        return self.tracker_results()

    def clip(self, images):
        """`images` clipped to the valid range [clip_min, clip_max]."""
        return tf.clip_by_value(images, self.clip_min, self.clip_max)

    def translate(self, images, training=False):
        """The adversarial images clip(x + G(x)) of `images` [batch, H, W, C] in [clip_min, clip_max]."""
        images = tf.cast(images, tf.float32)
        return self.clip(images + self.generator(images, training=training))

    def perturb(self, images):
        """The perturbations as applied, translate(x) − x (G(x) after the range clip)."""
        images = tf.cast(images, tf.float32)
        return self.translate(images) - images

    def call(self, images, training=False):
        """`translate`, so `model.predict(images)` gives the adversarial images."""
        return self.translate(images, training=training)

    def get_config(self):
        config = keras.Model.get_config(self)
        config.update(
            classifier=keras.saving.serialize_keras_object(self.classifier),
            image_shape=self.image_shape,
            c=self.c,
            target_class=self.target_class,
            max_perturbation=self.max_perturbation,
            confidence=self.confidence,
            base_filters=self.base_filters,
            residual_blocks=self.residual_blocks,
            norm=self.norm,
            clip_min=self.clip_min,
            clip_max=self.clip_max,
            seed=self.seed,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = copy.deepcopy(config)  # deserialization consumes the nested dicts it is given
        config["classifier"] = keras.saving.deserialize_keras_object(config["classifier"])
        return cls(**config)

    def compile_options(self):
        return {"loss": self.game.name, "gan_weight": self.gan_weight, "hinge_weight": self.hinge_weight}
