"""Layers the networks need beyond Keras's own, each registered for `.keras` files (never a Lambda)."""

from ganzoo.layers.seeded_dropout import SeededDropout
