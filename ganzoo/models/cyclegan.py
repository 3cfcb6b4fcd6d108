"""CycleGAN (Zhu et al. 2017): unpaired translation with two generators, two discriminators and cycle
consistency."""

import copy

import keras
import tensorflow as tf

from ganzoo import losses, networks
from ganzoo import schedules  # noqa: F401  (registers the LR schedule optimizers may hold)
from ganzoo.layers import ImagePool
from ganzoo.models import base

DIRECTIONS = ("a_to_b", "b_to_a")


def _adam_2e4():
    return keras.optimizers.Adam(2e-4, beta_1=0.5)


def l1_per_example(outputs, targets):
    """mean |outputs - targets| over each example's pixels and channels: one value per example."""
    difference = tf.abs(tf.cast(outputs, tf.float32) - tf.cast(targets, tf.float32))
    return tf.reduce_mean(tf.reshape(difference, [tf.shape(difference)[0], -1]), axis=1)


@keras.saving.register_keras_serializable(package="ganzoo")
class CycleGAN(base.AdversarialModel):
    """Unpaired image-to-image translation: G: A→B and F: B→A, each judged by a PatchGAN, tied by cycles.

    `train_step` follows the reference code's `optimize_parameters`, one update of each player per step:
    1. Generators (one optimizer over G and F, the discriminators fixed): least-squares adversarial
       losses against D_B(G(a)) and D_A(F(b)), plus the cycle losses
       λ·|F(G(a)) − a|₁ + λ·|G(F(b)) − b|₁, plus, when `identity_weight` > 0, the identity losses
       identity_weight·λ·(|G(b) − b|₁ + |F(a) − a|₁).
    2. Discriminators (one optimizer over D_A and D_B): least-squares loss of D_A on real a against a
       mix of the new and older F(b) from an image pool, of D_B on real b against pooled G(a); each
       halved ("to slow down the rate at which D learns relative to G").

    The data are `(a, b)` batches of unpaired images in [-1, 1] (`ganzoo.data.unpaired_folders`,
    `ganzoo.data.unpaired_tfds`).

    Players and optimizers: the generators form one player and the discriminators another, each with
    one Adam, as the reference code does (`optimizer_G` over both generators, `optimizer_D` over both
    discriminators). The generators' objective couples G and F through the cycle terms, so one step on
    their joint loss is the paper's algorithm; the two discriminators' losses are independent, so one
    Adam over both is the same update as two. The handles `generators` and `discriminators` list each
    player's networks.

    The paper's schedule (constant rate for the first half of the epochs, linear decay to 0 over the
    second) is `ganzoo.schedules.ConstantThenLinearDecay`, passed as the optimizers' learning rate.

    Args:
        image_shape: (height, width, channels) of both domains' images; sides multiples of 4 (at least
            `3·2^d_layers` for the PatchGAN).
        base_filters: width of the generators (64 in the paper).
        d_base_filters: width of the discriminators; `base_filters` when None.
        residual_blocks: residual blocks of each generator; 9 at 256 px and above, 6 below when None.
        d_layers: stride-2 layers of the PatchGANs; 3 gives the paper's 70×70 patches.
        pool_size: generated images kept per discriminator (50 in the paper; 0: no pool).
        seed: seed of the pool's decisions (see `AdversarialModel`).

    Example:

    ```python
    cyclegan = ganzoo.models.CycleGAN(image_shape=(256, 256, 3))
    cyclegan.compile()  # Adam(2e-4, beta_1=0.5) per player, λ = 10, identity 0.5·λ
    cyclegan.fit(ganzoo.data.unpaired_tfds("horse2zebra", image_size=256), epochs=200)
    zebras = cyclegan.translate(horses)  # images in [-1, 1] both ways
    horses_again = cyclegan.translate(zebras, "b_to_a")
    ```

    Reference: Zhu, Park, Isola & Efros, "Unpaired Image-to-Image Translation using Cycle-Consistent
    Adversarial Networks", ICCV 2017.
    """

    serving_family = "two_directions"

    def __init__(
        self,
        image_shape=(256, 256, 3),
        base_filters=64,
        d_base_filters=None,
        residual_blocks=None,
        d_layers=3,
        pool_size=50,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        self.image_shape = tuple(int(size) for size in image_shape)
        self.base_filters = int(base_filters)
        self.d_base_filters = int(d_base_filters or base_filters)
        self.residual_blocks = (
            networks.default_residual_blocks(self.image_shape[0])
            if residual_blocks is None
            else int(residual_blocks)
        )
        self.d_layers = int(d_layers)
        self.pool_size = int(pool_size)

        def generator(name):
            return networks.resnet_generator(
                self.image_shape, base_filters=self.base_filters,
                residual_blocks=self.residual_blocks, name=name,
            )

        def discriminator(name):
            return networks.patchgan_discriminator(
                self.image_shape, base_filters=self.d_base_filters, n_layers=self.d_layers,
                norm="instance", conditional=False, name=name,
            )

        self.generator_ab = generator("generator_ab")  # G: A -> B
        self.generator_ba = generator("generator_ba")  # F: B -> A
        self.discriminator_a = discriminator("discriminator_a")  # real a vs F(b)
        self.discriminator_b = discriminator("discriminator_b")  # real b vs G(a)
        self.pool_a = ImagePool(self.pool_size, self.image_shape, name="pool_a")  # of F(b)
        self.pool_b = ImagePool(self.pool_size, self.image_shape, name="pool_b")  # of G(a)
        self.trackers = self.make_trackers(
            "d_a_loss", "d_b_loss", "g_ab_gan_loss", "g_ba_gan_loss",
            "cycle_a_loss", "cycle_b_loss", "identity_a_loss", "identity_b_loss",
        )
        self.built = True

    @property
    def generators(self):
        return [self.generator_ab, self.generator_ba]

    @property
    def discriminators(self):
        return [self.discriminator_a, self.discriminator_b]

    @staticmethod
    def _variables(nets):
        return [variable for net in nets for variable in net.trainable_variables]

    def compile(
        self, d_optimizer=None, g_optimizer=None, loss="least_squares", cycle_weight=10.0,
        identity_weight=0.5, **kwargs,
    ):
        """Configures the objective.

        Args:
            d_optimizer: the discriminators' optimizer (D_A and D_B); Adam(2e-4, beta_1=0.5) when None.
            g_optimizer: the generators' optimizer (G and F); Adam(2e-4, beta_1=0.5) when None.
            loss: the adversarial game, a name from `ganzoo.losses.names()` (the paper's is
                least_squares).
            cycle_weight: λ, the weight of each direction's cycle loss (10 in the paper).
            identity_weight: weight of the identity losses as a fraction of λ (the reference code's
                `lambda_identity`, 0.5; 0 turns them off and skips their computation). The paper uses
                them for paintings -> photos; on label maps -> photos they pull G towards keeping the
                input's grey levels, and 0 serves better (tests/models/test_cyclegan.py).
            **kwargs: passed to `keras.Model.compile` (e.g. `jit_compile`).
        """
        super().compile(optimizer=None, **kwargs)
        self.game = losses.get(loss)
        self.cycle_weight = float(cycle_weight)
        self.identity_weight = float(identity_weight)
        if self.cycle_weight < 0 or self.identity_weight < 0:
            raise ValueError(
                f"cycle_weight and identity_weight must be >= 0; received {cycle_weight!r}, "
                f"{identity_weight!r}."
            )
        self.d_optimizer = self.build_optimizer(
            self.resolve_optimizer(d_optimizer, _adam_2e4), self._variables(self.discriminators)
        )
        self.g_optimizer = self.build_optimizer(
            self.resolve_optimizer(g_optimizer, _adam_2e4), self._variables(self.generators)
        )

    def train_step(self, data):
        real_a, real_b = data
        zeros = tf.zeros([tf.shape(real_a)[0]], tf.float32)

        # 1. Generators: fool the discriminators, close both cycles, (optionally) keep identities.
        with tf.GradientTape() as g_tape:
            fake_b = self.generator_ab(real_a, training=True)
            fake_a = self.generator_ba(real_b, training=True)
            cycle_a = l1_per_example(self.generator_ba(fake_b, training=True), real_a)
            cycle_b = l1_per_example(self.generator_ab(fake_a, training=True), real_b)
            gan_ab = self.game.generator_loss(self.discriminator_b(fake_b, training=True))
            gan_ba = self.game.generator_loss(self.discriminator_a(fake_a, training=True))
            if self.identity_weight > 0:
                identity_b = l1_per_example(self.generator_ab(real_b, training=True), real_b)
                identity_a = l1_per_example(self.generator_ba(real_a, training=True), real_a)
            else:
                identity_a = identity_b = zeros
            g_loss = self.global_batch_mean(
                gan_ab + gan_ba
                + self.cycle_weight * (cycle_a + cycle_b)
                + self.identity_weight * self.cycle_weight * (identity_a + identity_b)
            )
            g_scaled = self.g_optimizer.scale_loss(g_loss)
        self.apply_update(self.g_optimizer, g_tape, g_scaled, self._variables(self.generators))

        # 2. Discriminators: real images against a mix of new and older fakes from the pools; halved.
        pooled_a = self.pool_a(fake_a, self.step_seed(0))
        pooled_b = self.pool_b(fake_b, self.step_seed(1))
        with tf.GradientTape() as d_tape:
            d_a = 0.5 * self.game.discriminator_loss(
                self.discriminator_a(real_a, training=True),
                self.discriminator_a(pooled_a, training=True),
            )
            d_b = 0.5 * self.game.discriminator_loss(
                self.discriminator_b(real_b, training=True),
                self.discriminator_b(pooled_b, training=True),
            )
            d_scaled = self.d_optimizer.scale_loss(self.global_batch_mean(d_a + d_b))
        self.apply_update(self.d_optimizer, d_tape, d_scaled, self._variables(self.discriminators))

        self.advance_rng()
        return self._track(d_a, d_b, gan_ab, gan_ba, cycle_a, cycle_b, identity_a, identity_b)

    def test_step(self, data):
        real_a, real_b = data
        fake_b, fake_a = self.translate(real_a, "a_to_b"), self.translate(real_b, "b_to_a")
        logits_a, logits_b = self.discriminator_a(fake_a), self.discriminator_b(fake_b)
        return self._track(
            0.5 * self.game.discriminator_loss(self.discriminator_a(real_a), logits_a),
            0.5 * self.game.discriminator_loss(self.discriminator_b(real_b), logits_b),
            self.game.generator_loss(logits_b),
            self.game.generator_loss(logits_a),
            l1_per_example(self.translate(fake_b, "b_to_a"), real_a),
            l1_per_example(self.translate(fake_a, "a_to_b"), real_b),
            l1_per_example(self.translate(real_a, "b_to_a"), real_a),
            l1_per_example(self.translate(real_b, "a_to_b"), real_b),
        )

    def _track(self, *per_example_losses):  # in the order of self.trackers
        for tracker, values in zip(self.trackers, per_example_losses):
            tracker.update_state(values)
        return self.tracker_results()

    def translate(self, images, direction="a_to_b", training=False):
        """Translates `images` [batch, H, W, C] in [-1, 1] with G ("a_to_b") or F ("b_to_a")."""
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}; received {direction!r}.")
        generator = self.generator_ab if direction == "a_to_b" else self.generator_ba
        return generator(images, training=training)

    def call(self, images, training=False):
        """G(images), A -> B, so `model.predict(images)` translates."""
        return self.translate(images, "a_to_b", training=training)

    def get_config(self):
        config = keras.Model.get_config(self)
        config.update(
            image_shape=self.image_shape,
            base_filters=self.base_filters,
            d_base_filters=self.d_base_filters,
            residual_blocks=self.residual_blocks,
            d_layers=self.d_layers,
            pool_size=self.pool_size,
            seed=self.seed,
        )
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**copy.deepcopy(config))

    def compile_options(self):
        return {
            "loss": self.game.name,
            "cycle_weight": self.cycle_weight,
            "identity_weight": self.identity_weight,
        }
