"""Plumbing every ganzoo model shares: seeded noise, loss reduction, optimizers, trackers.

Only helpers live here. Each model writes its own `train_step` top to bottom, as its paper's algorithm box
reads; nothing here decides the order of updates or which losses are computed.
"""

import random

import keras
import tensorflow as tf


# One algorithm everywhere: with "auto_select" each device derives its own key and counter from the seed,
# so the same seed would draw different noise on a GPU and on a CPU. XLA's Philox kernel still draws other
# numbers than TensorFlow's (measured), so an exact resume keeps the run's jit_compile setting.
RNG_ALGORITHM = "philox"


def _new_seed():
    # Python's `random` is what `keras.utils.set_random_seed` seeds, so an unseeded model is still
    # reproducible in a run that seeds globally.
    return random.randrange(2**31 - 1)


class AdversarialModel(keras.Model):
    """Base class of the zoo's models.

    Randomness is model state. Noise is drawn with stateless ops seeded by `(seed, rng_step)`, where
    `rng_step` is a tracked variable that each train step advances: the draw is checkpointed with the
    weights (resume replays nothing), each replica takes its own slice of one global draw (replicas see
    different noise, and the global batch's noise is the same for any replica count), and two runs with
    the same seed repeat.

    Args:
        seed: integer seed of the model's noise; drawn from Python's `random` when None.
        **kwargs: passed to `keras.Model` (e.g. `name`).
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = int(seed) if seed is not None else _new_seed()
        # Only the first replica's increment counts: every replica runs the same step.
        self.rng_step = self.add_weight(
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            name="rng_step",
            aggregation="only_first_replica",
        )

    # -- randomness ---------------------------------------------------------------------------------

    def step_seed(self, stream):
        """A stateless seed for this step's draw number `stream` (one stream per use in a step)."""
        base = tf.stack([tf.constant(self.seed, tf.int64), tf.convert_to_tensor(self.rng_step)])
        return tf.random.experimental.stateless_fold_in(base, stream, alg=RNG_ALGORITHM)

    def advance_rng(self):
        """Moves the noise to the next step; call once at the end of `train_step`."""
        self.rng_step.assign_add(1)

    @staticmethod
    def _replica_position():
        context = tf.distribute.get_replica_context()
        if context is None:  # cross-replica context, e.g. `generate()` under a strategy scope
            return 0, 1
        return context.replica_id_in_sync_group, context.num_replicas_in_sync

    def replica_normal(self, stream, local_batch, shape):
        """This replica's slice of a standard normal draw over the global batch."""
        replica, replicas = self._replica_position()
        draw = tf.random.stateless_normal(
            tf.concat([[local_batch * replicas], shape], axis=0),
            seed=self.step_seed(stream),
            alg=RNG_ALGORITHM,
        )
        return draw[replica * local_batch : (replica + 1) * local_batch]

    def replica_uniform(self, stream, local_batch, shape, minval=0.0, maxval=1.0):
        """This replica's slice of a uniform draw over the global batch."""
        replica, replicas = self._replica_position()
        draw = tf.random.stateless_uniform(
            tf.concat([[local_batch * replicas], shape], axis=0),
            seed=self.step_seed(stream),
            minval=minval,
            maxval=maxval,
            alg=RNG_ALGORITHM,
        )
        return draw[replica * local_batch : (replica + 1) * local_batch]

    # -- losses -------------------------------------------------------------------------------------

    @staticmethod
    def global_batch_mean(per_example_loss):
        """Sum over this replica's examples divided by the GLOBAL batch size.

        Keras sums the replicas' gradients in a custom `train_step`, so this is what makes N replicas
        take the same update as one device; `tf.reduce_mean` would train N times too fast.
        """
        return tf.nn.compute_average_loss(tf.cast(per_example_loss, tf.float32))

    # -- optimizers ---------------------------------------------------------------------------------

    def build_optimizer(self, optimizer, variables):
        """One player's optimizer, built for `variables`: store what this returns (`self.d_optimizer`).

        Under float16 (`uses_loss_scaling()`) the optimizer comes back wrapped in a
        `keras.optimizers.LossScaleOptimizer`, unless it is one already: Keras wraps only
        `self.optimizer`, which a GAN leaves unset. Each player then has its own dynamic loss scale,
        so a step whose gradients overflow is skipped, and its scale halved, for that player alone.
        The wrapper is what `get_compile_config` serialises, so a reloaded model keeps the loss scale
        and the inner optimizer's slots.

        The slots are created inside the model's strategy scope: an optimizer first built inside a
        distributed `fit()` fails with a placeholder error (keras-team/keras#19246).
        """
        if self.uses_loss_scaling() and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
        with self.distribute_strategy.scope():
            optimizer.build(variables)
        return optimizer

    def uses_loss_scaling(self):
        """Whether the players compute in float16 and so need loss scaling.

        True when the global dtype policy is mixed_float16 (the recipes set it before building the
        model) or the model itself was built, or reloaded, under it (Keras' own rule for
        `self.optimizer`). bfloat16 has float32's exponent range and needs no scaling.
        """
        mixed = "mixed_float16"
        return keras.mixed_precision.dtype_policy().name == mixed or self.dtype_policy.name == mixed

    @staticmethod
    def resolve_optimizer(optimizer, default):
        """`optimizer` as a Keras optimizer: an instance, an identifier, or `default()` when None."""
        if optimizer is None:
            return default()
        return keras.optimizers.get(optimizer)

    def compile_options(self):
        """The objective's settings `compile()` took besides the two optimizers, e.g. {"loss": ...}:
        what `get_compile_config` saves and `compile_from_config` passes back."""
        return {}

    def get_compile_config(self):
        # Without this, a reloaded `.keras` file keeps the weights but drops both optimizers' state.
        return {
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            **self.compile_options(),
        }

    def compile_from_config(self, config):
        config = dict(config)
        for player in ("d_optimizer", "g_optimizer"):
            config[player] = keras.saving.deserialize_keras_object(config[player])
        self.compile(**config)

    @staticmethod
    def apply_update(optimizer, tape, scaled_loss, variables):
        """One player's update: gradients of its loss applied to its own variables only.

        `scaled_loss` is `optimizer.scale_loss(loss)`, taken inside the tape: a no-op for a plain
        optimizer, the loss scale of a `keras.optimizers.LossScaleOptimizer` under mixed precision
        (which unscales in `apply_gradients` and skips a step whose gradients overflowed).
        """
        gradients = tape.gradient(scaled_loss, variables)
        optimizer.apply_gradients(zip(gradients, variables))

    # -- metrics ------------------------------------------------------------------------------------

    @staticmethod
    def make_trackers(*names):
        """One `keras.metrics.Mean` per logged quantity, in logging order."""
        return [keras.metrics.Mean(name=name) for name in names]

    @property
    def metrics(self):
        # Listed explicitly so that Keras resets them at each epoch and logs them in this order.
        return list(getattr(self, "trackers", []))

    def tracker_results(self):
        """The logs a `train_step` returns.

        Under MultiWorkerMirroredStrategy Keras reduces each log with `strategy.reduce(MEAN, axis=0)`,
        which fails on scalars (keras-team/keras#20585); a [1]-shaped value reduces to the same scalar.
        """
        results = {tracker.name: tracker.result() for tracker in self.metrics}
        if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
            results = {name: tf.reshape(value, [1]) for name, value in results.items()}
        return results

    # -- packing (PacGAN) ---------------------------------------------------------------------------

    @staticmethod
    def check_pack_width(pack, sample_shape, discriminator_input_shape):
        """Refuses a discriminator whose input is not `pack` samples concatenated on the last axis."""
        sample_shape = tuple(sample_shape[1:])
        expected = sample_shape[:-1] + (None if sample_shape[-1] is None else pack * sample_shape[-1],)
        received = tuple(discriminator_input_shape[1:])
        if received != expected:
            raise ValueError(
                f"With pack={pack} the discriminator must take {pack} samples of shape {sample_shape} "
                f"concatenated on the last axis, i.e. inputs of shape (batch, *{expected}); its input "
                f"shape is {tuple(discriminator_input_shape)}."
            )

    def pack_samples(self, samples):
        """PacGAN packing: [B, ..., C] -> [B/m, ..., m·C], m = `self.pack` consecutive samples side by side.

        Under `tf.distribute` each replica packs its own slice, so the global batch must be divisible by
        m × replicas: then every packed group is the same on N replicas as on one device.
        """
        pack = self.pack
        if pack == 1:
            return samples
        samples = tf.convert_to_tensor(samples)
        local_batch = samples.shape[0]
        _, replicas = self._replica_position()
        if local_batch is not None and local_batch % pack:
            raise ValueError(
                f"pack={pack} needs a global batch divisible by pack × replicas = {pack * replicas}; "
                f"received a global batch of {local_batch * replicas} over {replicas} replica(s)."
            )
        batch = tf.shape(samples)[0]
        tf.debugging.assert_equal(
            batch % pack, 0, message=f"pack={pack} needs a per-replica batch divisible by {pack}"
        )
        rank = samples.shape.rank
        shape = tf.shape(samples)
        grouped = tf.reshape(samples, tf.concat([[batch // pack, pack], shape[1:]], axis=0))
        # [B/m, m, ..., C] -> [B/m, ..., m, C] -> [B/m, ..., m·C]
        grouped = tf.transpose(grouped, [0, *range(2, rank), 1, rank])
        packed = tf.reshape(grouped, tf.concat([[batch // pack], shape[1:-1], [-1]], axis=0))
        static = samples.shape
        return tf.ensure_shape(
            packed,
            [None if static[0] is None else static[0] // pack, *static[1:-1],
             None if static[-1] is None else static[-1] * pack],
        )

    @staticmethod
    def strided_split(samples, parts):
        """[parts·b, ...] -> `parts` batches of b, the i-th holding rows i, i + parts, i + 2·parts, ...

        Strided rather than contiguous because under `tf.distribute` each replica holds a contiguous
        slice of the global batch: the i-th strided part of every replica's slice together are exactly
        the i-th strided part of the global batch, so N replicas split it as one device does.
        """
        local_batch = samples.shape[0]
        _, replicas = AdversarialModel._replica_position()
        if local_batch is not None and local_batch % parts:
            raise ValueError(
                f"This model splits each batch into {parts} parts (one per critic update), so the "
                f"global batch must be divisible by {parts} × replicas = {parts * replicas}; received a "
                f"global batch of {local_batch * replicas} over {replicas} replica(s)."
            )
        tf.debugging.assert_equal(
            tf.shape(samples)[0] % parts, 0, message=f"the per-replica batch must divide into {parts} parts"
        )
        return [samples[index::parts] for index in range(parts)]

    # -- exponential moving average of the generator -------------------------------------------------

    def init_generator_ema(self, generator, ema_decay):
        """Sets `self.ema_generator`: a frozen copy of `generator` whose weights track an EMA of its own.

        The copy is a tracked attribute, so its weights are saved in `.keras` files and checkpoints and
        restored with the rest; `generate()`, `call()` and the export use it (`serving_generator`).
        """
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.ema_generator = None
        if self.ema_decay is None:
            return
        if not 0.0 < self.ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in (0, 1) or None; received {ema_decay}.")
        ema = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(generator))
        ema.set_weights(generator.get_weights())
        ema.trainable = False
        self.ema_generator = ema

    def update_generator_ema(self, generator_updates):
        """w_ema <- d·w_ema + (1 - d)·w over all the generator's weights (BatchNorm statistics too).

        d = min(ema_decay, (1 + t) / (10 + t)) after t generator updates, as TensorFlow's
        `ExponentialMovingAverage(num_updates=t)`: early on the average follows the generator closely
        instead of dragging its random initialisation along. Call after each generator update; a no-op
        without EMA.
        """
        if self.ema_generator is None:
            return
        steps = tf.cast(generator_updates, tf.float32)
        decay = tf.minimum(self.ema_decay, (1.0 + steps) / (10.0 + steps))
        for average, weight in zip(self.ema_generator.weights, self.generator.weights):
            value = tf.cast(weight, tf.float32)
            current = tf.cast(average, tf.float32)
            average.assign(tf.cast(decay * current + (1.0 - decay) * value, average.dtype))

    @property
    def serving_generator(self):
        """The generator to sample and export with: the EMA copy when there is one."""
        ema = getattr(self, "ema_generator", None)
        return ema if ema is not None else self.generator

    # -- serving ------------------------------------------------------------------------------------

    #: which serving signatures `ganzoo.export` writes for this model; see ganzoo/export.py.
    serving_family = None
