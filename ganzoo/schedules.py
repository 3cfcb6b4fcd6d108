"""Learning-rate schedules of the papers, registered so that optimizers holding them reload from `.keras`
files and checkpoints."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="ganzoo")
class ConstantThenLinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """`initial_learning_rate` for `decay_start` steps, then linearly down to 0 at `total_steps`.

    StarGAN: 200k iterations, decay over the last 100k (`decay_start = total_steps // 2`); CycleGAN:
    100 epochs constant, 100 decaying. Steps are the optimizer's own updates (`optimizer.iterations`):
    a critic updated n_critic times per generator update counts n_critic times as many.

    Args:
        initial_learning_rate: the rate before the decay.
        total_steps: the step at which the rate reaches 0 (and stays).
        decay_start: the first step of the decay; `total_steps // 2` when None.
    """

    def __init__(self, initial_learning_rate, total_steps, decay_start=None):
        self.initial_learning_rate = float(initial_learning_rate)
        self.total_steps = int(total_steps)
        self.decay_start = self.total_steps // 2 if decay_start is None else int(decay_start)
        if self.total_steps < 1 or not 0 <= self.decay_start <= self.total_steps:
            raise ValueError(
                "ConstantThenLinearDecay needs total_steps >= 1 and 0 <= decay_start <= total_steps; "
                f"received total_steps={total_steps}, decay_start={decay_start}."
            )

    def __call__(self, step):
        step = tf.cast(step, tf.float32)
        span = float(max(self.total_steps - self.decay_start, 1))
        fraction = tf.clip_by_value((step - self.decay_start) / span, 0.0, 1.0)
        return self.initial_learning_rate * (1.0 - fraction)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "total_steps": self.total_steps,
            "decay_start": self.decay_start,
        }
