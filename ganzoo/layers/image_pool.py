"""The image history pool of CycleGAN (Zhu et al. 2017, section 4), after Shrivastava et al. 2017.

The discriminators are updated with a mix of the newest generated images and older ones kept in a
buffer, which damps the oscillation of the game.
"""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="ganzoo")
class ImagePool(keras.layers.Layer):
    """A buffer of up to `pool_size` generated images; `pool(images, seed)` returns a mixed batch.

    The reference code's `ImagePool.query`, image by image in batch order:
    - while the pool holds fewer than `pool_size` images, the new image is stored and returned;
    - once full, with probability `swap_probability` (½ in the paper) the new image replaces a stored
      one chosen uniformly at random, and the stored one is returned; otherwise the new image is
      returned and the pool is unchanged.

    So the returned batch has the shape of the input, each row either the new image of that row or
    one generated at an earlier step (or earlier in the same batch).

    State: the buffer and the fill count are non-trainable variables, saved in `.keras` files and
    checkpoints (a resumed run continues with the same pool). The coin flips and the slots are stateless
    draws from the `seed` the caller passes (a model's `step_seed(stream)`), so resume replays nothing.

    Under `tf.distribute` every replica gathers the GLOBAL batch (`all_gather`), runs the same seeded
    decisions on it (so every replica computes the same new pool, and the `only_first_replica`
    assignment keeps the mirrored copies identical) and returns its own slice of the result: N replicas
    give exactly what one device gives on the same global batch.

    Args:
        pool_size: images kept (50 in the paper); 0 turns the pool off (the input is returned).
        image_shape: (height, width, channels) of the images.
        swap_probability: probability that a full pool returns a stored image instead of the new one.
        **kwargs: passed to `keras.layers.Layer` (e.g. `name`).
    """

    def __init__(self, pool_size, image_shape, swap_probability=0.5, **kwargs):
        kwargs.setdefault("dtype", "float32")  # the pool stores float32 images under mixed precision too
        super().__init__(**kwargs)
        self.pool_size = int(pool_size)
        self.image_shape = tuple(int(size) for size in image_shape)
        self.swap_probability = float(swap_probability)
        if self.pool_size < 0:
            raise ValueError(f"pool_size must be >= 0; received {pool_size!r}.")
        if not 0.0 <= self.swap_probability <= 1.0:
            raise ValueError(f"swap_probability must be in [0, 1]; received {swap_probability!r}.")
        if len(self.image_shape) != 3:
            raise ValueError(f"image_shape must be (height, width, channels); received {image_shape!r}.")
        self.buffer = self.add_weight(
            shape=(max(self.pool_size, 1), *self.image_shape),
            dtype="float32",
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
            name="buffer",
        )
        self.count = self.add_weight(
            shape=(),
            dtype="int32",
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
            name="count",
        )
        self.built = True

    def call(self, images, seed):
        """`images` [batch, H, W, C] -> a batch of the same shape; updates the pool.

        Args:
            images: the newest generated images (no gradient flows through the pool).
            seed: a stateless seed, int64 [2]; a new one at every step.
        """
        images = tf.stop_gradient(tf.cast(images, tf.float32))
        if self.pool_size == 0:
            return images
        context = tf.distribute.get_replica_context()
        replicas = 1 if context is None else context.num_replicas_in_sync
        if replicas > 1:
            replica = context.replica_id_in_sync_group
            local_batch = tf.shape(images)[0]
            gathered = context.all_gather(images, axis=0)
        else:
            gathered = images
        returned, buffer, count = self.query(gathered, seed)
        self.buffer.assign(buffer)
        self.count.assign(count)
        if replicas > 1:
            returned = returned[replica * local_batch : (replica + 1) * local_batch]
        return tf.ensure_shape(returned, images.shape)

    def query(self, images, seed):
        """The pure part: (returned images, new buffer, new count) for `images` and the current state."""
        batch = tf.shape(images)[0]
        coins = tf.random.stateless_uniform([batch], seed=seed, alg="philox")
        slots = tf.random.stateless_uniform(
            [batch],
            seed=tf.random.experimental.stateless_fold_in(seed, 1, alg="philox"),
            maxval=self.pool_size,
            dtype=tf.int32,
            alg="philox",
        )

        def step(index, buffer, count, returned):
            image = images[index]

            def store():  # the pool is not full: keep the image and return it
                return tf.tensor_scatter_nd_update(buffer, [[count]], image[None]), count + 1, image

            def swap():  # return a stored image, keep the new one in its place
                slot = slots[index]
                return tf.tensor_scatter_nd_update(buffer, [[slot]], image[None]), count, buffer[slot]

            def keep():
                return buffer, count, image

            buffer, count, out = tf.cond(
                count < self.pool_size,
                store,
                lambda: tf.cond(coins[index] < self.swap_probability, swap, keep),
            )
            return index + 1, buffer, count, returned.write(index, out)

        _, buffer, count, returned = tf.while_loop(
            lambda index, *_: index < batch,
            step,
            (
                tf.constant(0),
                tf.convert_to_tensor(self.buffer),
                tf.convert_to_tensor(self.count),
                tf.TensorArray(tf.float32, size=batch, element_shape=self.image_shape),
            ),
        )
        return returned.stack(), buffer, count

    def compute_output_shape(self, input_shape, seed_shape=None):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "image_shape": self.image_shape,
            "swap_probability": self.swap_probability,
        }
