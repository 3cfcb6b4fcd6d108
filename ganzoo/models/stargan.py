"""StarGAN (Choi et al. 2018): one generator translating images between many domains."""

import copy

import keras
import tensorflow as tf

from ganzoo import losses, networks, penalties
from ganzoo import schedules  # noqa: F401  (registers the LR schedule optimizers may hold)
from ganzoo.models import base

DOMAIN_TYPES = ("single", "multi")

# Stateless noise streams: critic update i draws its targets from _CRITIC_TARGETS + i and α from _ALPHA + i.
_G_TARGETS, _EVAL_TARGETS, _CRITIC_TARGETS, _ALPHA = 1, 2, 100, 200


def _adam_1e4():
    return keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.999)


def l1_per_example(a, b):
    """mean |a - b| over each example's pixels and channels."""
    difference = tf.abs(tf.cast(a, tf.float32) - tf.cast(b, tf.float32))
    return tf.reduce_mean(tf.reshape(difference, [tf.shape(difference)[0], -1]), axis=1)


@keras.saving.register_keras_serializable(package="ganzoo")
class StarGAN(base.AdversarialModel):
    """Multi-domain image-to-image translation with one generator G(x, c) and a two-headed D.

    `train_step` is the paper's objective with its WGAN-GP adversarial loss, as the reference code runs
    it: `n_critic` critic updates, each on its own real batch (the element's `n_critic` strided parts,
    as `WGANGP`), then one generator update on the last of them.

    - D: L_D = −D_src(x) + D_src(G(x, c)) + λ_gp·(‖∇D_src(x̂)‖₂ − 1)² + λ_cls·L_cls(D_cls(x), c'),
      c' the true domains of the real x, x̂ = αx + (1 − α)G(x, c) (`ganzoo.penalties.gradient_penalty`).
    - G: L_G = −D_src(G(x, c)) + λ_cls·L_cls(D_cls(G(x, c)), c) + λ_rec·‖x − G(G(x, c), c')‖₁.

    D_src is a map of patch scores, averaged per image. L_cls is softmax cross-entropy for single-label
    domains (`domain_type="single"`: one domain per image) and sigmoid cross-entropy summed over the
    attributes for multi-label ones (`"multi"`, CelebA's attributes). ‖·‖₁ is the mean absolute
    difference per pixel, as the reference code's `torch.mean(torch.abs(·))`.

    Target domains: the reference code permutes the batch's labels. Here each example draws its own
    target from the model's seeded stateless noise (`replica_uniform`), so resume and N replicas are
    exact: single-label, a domain uniform over the n domains; multi-label, each attribute of the
    example's own labels flipped with probability 1/2, i.e. a vector uniform over the 2ⁿ combinations.
    For balanced domains this is the permutation's distribution; for unbalanced ones it visits rare
    domains more often than the permutation does.

    Data: `(images, domains)`, images in [-1, 1]; domains int class indices [batch] or one-hot
    [batch, n] (single), or {0, 1} attribute vectors [batch, n] (multi). Each element holds `n_critic`
    real batches (`batch_size × n_critic` examples); one `fit` step is one generator update.

    The generator and the discriminator are built from the arguments (`ganzoo.networks.stargan_*`);
    instance normalisation in G, none in D, so N replicas equal one device without synchronisation.

    Args:
        image_shape: (height, width, channels).
        n_domains: length of the domain vector.
        domain_type: "single" (softmax; domains one-hot) or "multi" (sigmoid; attribute vectors).
        g_base_filters, d_base_filters: widths of G and D (64 in the paper).
        residual_blocks: residual blocks of G (6 in the paper).
        downsamplings: stride-2 layers of G, down and up (2).
        d_layers: stride-2 layers of D (6 at 128 px in the paper).
        n_critic: critic updates per generator update (5).
        norm: the generator's normalisation: "instance" (the paper's), "batch" or "none".
        seed: the model's noise seed (targets, α).

    Example:

    ```python
    stargan = ganzoo.models.StarGAN((128, 128, 3), n_domains=5, domain_type="multi")
    stargan.compile()  # Adam(1e-4, 0.5, 0.999), λ_cls = 1, λ_rec = 10, λ_gp = 10
    stargan.fit(ganzoo.data.celeb_a_attributes(batch_size=16 * 5), epochs=20)
    blond = stargan.translate(images, domains)  # images in [-1, 1] both ways
    ```

    Reference: Choi, Choi, Kim, Ha, Kim & Choo, "StarGAN: Unified Generative Adversarial Networks for
    Multi-Domain Image-to-Image Translation", CVPR 2018.
    """

    serving_family = "multi_domain"

    def __init__(
        self,
        image_shape=(128, 128, 3),
        n_domains=5,
        domain_type="multi",
        g_base_filters=64,
        d_base_filters=64,
        residual_blocks=6,
        downsamplings=2,
        d_layers=6,
        n_critic=5,
        norm="instance",
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        if domain_type not in DOMAIN_TYPES:
            raise ValueError(f"domain_type must be one of {DOMAIN_TYPES}; received {domain_type!r}.")
        if int(n_critic) < 1:
            raise ValueError(f"n_critic must be a positive integer; received {n_critic}.")
        if domain_type == "single" and int(n_domains) < 2:
            raise ValueError(f"single-label domains need n_domains >= 2; received {n_domains}.")
        self.image_shape = tuple(int(size) for size in image_shape)
        self.n_domains = int(n_domains)
        self.domain_type = domain_type
        self.g_base_filters = int(g_base_filters)
        self.d_base_filters = int(d_base_filters)
        self.residual_blocks = int(residual_blocks)
        self.downsamplings = int(downsamplings)
        self.d_layers = int(d_layers)
        self.n_critic = int(n_critic)
        self.norm = norm
        self.generator = networks.stargan_generator(
            self.image_shape, self.n_domains, self.g_base_filters, self.downsamplings,
            self.residual_blocks, norm,
        )
        self.discriminator = networks.stargan_discriminator(
            self.image_shape, self.n_domains, self.d_base_filters, self.d_layers
        )
        self.trackers = self.make_trackers(
            "d_loss", "g_loss", "wasserstein_estimate", "gradient_penalty", "d_cls_loss",
            "g_cls_loss", "g_rec_loss",
        )
        self.built = True

    def compile(
        self,
        d_optimizer=None,
        g_optimizer=None,
        gp_weight=10.0,
        cls_weight=1.0,
        rec_weight=10.0,
        **kwargs,
    ):
        """Configures the objective.

        Args:
            d_optimizer, g_optimizer: Adam(1e-4, beta_1=0.5, beta_2=0.999) when None (the paper's; its
                linear decay in the second half is `ganzoo.schedules.ConstantThenLinearDecay`, which
                the recipes pass).
            gp_weight: λ_gp (10). cls_weight: λ_cls (1). rec_weight: λ_rec (10).
            **kwargs: passed to `keras.Model.compile`.
        """
        super().compile(optimizer=None, **kwargs)
        self.gp_weight = float(gp_weight)
        self.cls_weight = float(cls_weight)
        self.rec_weight = float(rec_weight)
        self.d_optimizer = self.build_optimizer(
            self.resolve_optimizer(d_optimizer, _adam_1e4), self.discriminator.trainable_variables
        )
        self.g_optimizer = self.build_optimizer(
            self.resolve_optimizer(g_optimizer, _adam_1e4), self.generator.trainable_variables
        )

    # -- domains ------------------------------------------------------------------------------------

    def domain_vectors(self, domains):
        """Class indices [batch] (single-label) or vectors [batch, n] -> float32 [batch, n]."""
        domains = tf.convert_to_tensor(domains)
        if domains.shape.rank == 1:
            if self.domain_type != "single":
                raise ValueError(
                    "Multi-label domains must be attribute vectors [batch, n_domains]; received "
                    f"shape {domains.shape}."
                )
            return tf.one_hot(tf.cast(domains, tf.int32), self.n_domains, dtype=tf.float32)
        return tf.cast(domains, tf.float32)

    def random_targets(self, stream, domains):
        """A target for each example from the seeded noise: uniform over the domains (single-label), or
        each attribute flipped with probability 1/2 (multi-label)."""
        batch = tf.shape(domains)[0]
        if self.domain_type == "single":
            u = self.replica_uniform(stream, batch, [1])[:, 0]
            index = tf.minimum(tf.cast(u * self.n_domains, tf.int32), self.n_domains - 1)
            return tf.one_hot(index, self.n_domains, dtype=tf.float32)
        flip = tf.cast(self.replica_uniform(stream, batch, [self.n_domains]) < 0.5, tf.float32)
        return tf.abs(domains - flip)

    def classification_loss(self, logits, domains):
        """L_cls per example: softmax cross-entropy (single-label) or summed sigmoid cross-entropy."""
        logits = tf.cast(logits, tf.float32)
        if self.domain_type == "single":
            return tf.nn.softmax_cross_entropy_with_logits(labels=domains, logits=logits)
        return tf.reduce_sum(
            tf.nn.sigmoid_cross_entropy_with_logits(labels=domains, logits=logits), axis=-1
        )

    # -- training -----------------------------------------------------------------------------------

    def train_step(self, data):
        images, domains = data
        domains = self.domain_vectors(domains)
        src = lambda x: self.discriminator(x, training=True)[0]  # noqa: E731  the critic D_src

        # 1. n_critic critic updates, each on its own real batch.
        parts = zip(self.strided_split(images, self.n_critic), self.strided_split(domains, self.n_critic))
        for index, (real, original) in enumerate(parts):
            target = self.random_targets(_CRITIC_TARGETS + index, original)
            fake = self.generator([real, target], training=True)
            alpha = self.replica_uniform(_ALPHA + index, tf.shape(real)[0], [1, 1, 1])
            with tf.GradientTape() as tape:
                real_src, real_cls = self.discriminator(real, training=True)
                fake_src, _ = self.discriminator(fake, training=True)
                penalty = penalties.gradient_penalty(src, real, fake, alpha)
                d_cls = self.classification_loss(real_cls, original)
                d_loss_per_example = (
                    losses.wasserstein_discriminator_loss(real_src, fake_src)
                    + self.gp_weight * penalty
                    + self.cls_weight * d_cls
                )
                d_scaled = self.d_optimizer.scale_loss(self.global_batch_mean(d_loss_per_example))
            self.apply_update(self.d_optimizer, tape, d_scaled, self.discriminator.trainable_variables)

        # 2. One generator update on the last real batch: fool D_src, be classified as the target,
        #    and translate back to the original.
        target = self.random_targets(_G_TARGETS, original)
        with tf.GradientTape() as tape:
            fake = self.generator([real, target], training=True)
            fake_src, fake_cls = self.discriminator(fake, training=True)
            reconstructed = self.generator([fake, original], training=True)
            g_adv = losses.wasserstein_generator_loss(fake_src)
            g_cls = self.classification_loss(fake_cls, target)
            g_rec = l1_per_example(real, reconstructed)
            g_loss_per_example = g_adv + self.cls_weight * g_cls + self.rec_weight * g_rec
            g_scaled = self.g_optimizer.scale_loss(self.global_batch_mean(g_loss_per_example))
        self.apply_update(self.g_optimizer, tape, g_scaled, self.generator.trainable_variables)

        self.advance_rng()
        return self._track(
            d_loss_per_example, g_loss_per_example,
            -losses.wasserstein_discriminator_loss(real_src, fake_src), penalty, d_cls, g_cls, g_rec,
        )

    def test_step(self, data):
        images, domains = data
        original = self.domain_vectors(domains)
        target = self.random_targets(_EVAL_TARGETS, original)
        fake = self.translate(images, target)
        real_src, real_cls = self.discriminator(images, training=False)
        fake_src, fake_cls = self.discriminator(fake, training=False)
        d_adv = losses.wasserstein_discriminator_loss(real_src, fake_src)
        d_cls = self.classification_loss(real_cls, original)
        g_cls = self.classification_loss(fake_cls, target)
        g_rec = l1_per_example(images, self.translate(fake, original))
        return self._track(
            d_adv + self.cls_weight * d_cls,
            losses.wasserstein_generator_loss(fake_src) + self.cls_weight * g_cls + self.rec_weight * g_rec,
            -d_adv, tf.zeros_like(d_adv), d_cls, g_cls, g_rec,
        )

    def _track(self, *per_example_values):
        for tracker, values in zip(self.trackers, per_example_values):
            tracker.update_state(values)
        return self.tracker_results()

    # -- inference ----------------------------------------------------------------------------------

    def translate(self, images, domains, training=False):
        """G(x, c): `images` [batch, H, W, C] in [-1, 1] to the target `domains` (class indices or
        vectors [batch, n_domains]); images in [-1, 1]."""
        images = tf.convert_to_tensor(images, tf.float32)
        return self.generator([images, self.domain_vectors(domains)], training=training)

    def classify(self, images):
        """D_cls(x): domain logits [batch, n_domains]."""
        return self.discriminator(images, training=False)[1]

    def call(self, inputs, training=False):
        """`translate` on `[images, domains]`, so `model.predict([images, domains])` translates."""
        images, domains = inputs
        return self.translate(images, domains, training=training)

    # -- serialisation ------------------------------------------------------------------------------

    def get_config(self):
        config = keras.Model.get_config(self)
        config.update(
            image_shape=self.image_shape,
            n_domains=self.n_domains,
            domain_type=self.domain_type,
            g_base_filters=self.g_base_filters,
            d_base_filters=self.d_base_filters,
            residual_blocks=self.residual_blocks,
            downsamplings=self.downsamplings,
            d_layers=self.d_layers,
            n_critic=self.n_critic,
            norm=self.norm,
            seed=self.seed,
        )
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**copy.deepcopy(config))

    def compile_options(self):
        return {
            "gp_weight": self.gp_weight,
            "cls_weight": self.cls_weight,
            "rec_weight": self.rec_weight,
        }
