"""Plumbing every ganzoo model shares: seeded noise, loss reduction, optimizers, trackers.

Only helpers live here. Each model writes its own `train_step` top to bottom, as its paper's algorithm box
reads; nothing here decides the order of updates or which losses are computed.
"""

import random

import keras
import tensorflow as tf


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
        return tf.random.experimental.stateless_fold_in(base, stream)

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
            tf.concat([[local_batch * replicas], shape], axis=0), seed=self.step_seed(stream)
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
        """Creates `optimizer`'s slots for `variables` inside the model's strategy scope.

        An optimizer first built inside a distributed `fit()` fails with a placeholder error
        (keras-team/keras#19246); building here, in `compile`, avoids it.
        """
        with self.distribute_strategy.scope():
            optimizer.build(variables)
        return optimizer

    @staticmethod
    def resolve_optimizer(optimizer, default):
        """`optimizer` as a Keras optimizer: an instance, an identifier, or `default()` when None."""
        if optimizer is None:
            return default()
        return keras.optimizers.get(optimizer)

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

    # -- serving ------------------------------------------------------------------------------------

    #: which serving signatures `ganzoo.export` writes for this model; see ganzoo/export.py.
    serving_family = None
