"""ganzoo: classic generative adversarial networks for Keras 3 on TensorFlow.

Every model is a `keras.Model` that trains with `fit()`, scales with `tf.distribute` and exports to TF
Serving. Importing ganzoo has no side effects: no downloads, no prints, no global seeds.
"""

from ganzoo import (
    attacks,
    callbacks,
    checkpointing,
    manifest,
    data,
    distribute,
    export,
    losses,
    metrics,
    models,
    networks,
    training,
)

__version__ = "0.1.0"
