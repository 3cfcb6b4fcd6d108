"""Dropout whose noise is model state: checkpointed, and the same for any number of replicas."""

import random

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="ganzoo")
class SeededDropout(keras.layers.Layer):
    """Inverted dropout with masks drawn by a stateless op seeded by `(seed, draws)`.

    `keras.layers.Dropout` draws from a `SeedGenerator` whose state is not saved with the weights and
    which gives every replica of a `tf.distribute` strategy the same mask (measured). Here `draws` is a
    tracked, non-trainable variable that each training call advances, so a checkpoint or `.keras` file
    holds the noise position (resume replays nothing), and each call draws ONE mask for the global batch
    of which every replica takes its own slice: N replicas drop exactly what one device drops.

    Outside training (`training` false or None) the layer is the identity.

    Args:
        rate: fraction of the units dropped, in [0, 1).
        seed: integer seed of the masks; drawn from Python's `random` when None.
        **kwargs: passed to `keras.layers.Layer` (e.g. `name`).
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= float(rate) < 1.0:
            raise ValueError(f"SeededDropout rate must be in [0, 1); received {rate!r}.")
        self.rate = float(rate)
        self.seed = int(seed) if seed is not None else random.randrange(2**31 - 1)
        self.supports_masking = True

    def build(self, input_shape):
        # Only the first replica's increment counts: every replica makes the same call.
        self.draws = self.add_weight(
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
            name="draws",
        )

    def call(self, inputs, training=None):
        if not training or self.rate == 0.0:
            return inputs
        context = tf.distribute.get_replica_context()
        replica, replicas = (
            (0, 1)
            if context is None
            else (context.replica_id_in_sync_group, context.num_replicas_in_sync)
        )
        local_batch = tf.shape(inputs)[0]
        seed = tf.stack([tf.constant(self.seed, tf.int64), tf.convert_to_tensor(self.draws)])
        uniform = tf.random.stateless_uniform(
            tf.concat([[local_batch * replicas], tf.shape(inputs)[1:]], axis=0),
            seed=seed,
            alg="philox",  # as ganzoo.models.base: the same masks on every kind of device
        )
        keep = uniform[replica * local_batch : (replica + 1) * local_batch] >= self.rate
        self.draws.assign_add(1)
        return tf.where(keep, inputs / (1.0 - self.rate), tf.zeros_like(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, seed=self.seed)
        return config
