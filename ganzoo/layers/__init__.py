"""Layers the networks need beyond Keras's own, each registered for `.keras` files (never a Lambda)."""

from ganzoo.layers.image_pool import ImagePool
from ganzoo.layers.reflection_padding import ReflectionPadding2D
from ganzoo.layers.seeded_dropout import SeededDropout
from ganzoo.layers.spectral_normalization import SpectralNormalization
