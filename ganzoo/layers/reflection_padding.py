"""Reflection padding, as the CycleGAN and pix2pix ResNet generators pad (`nn.ReflectionPad2d`)."""

import keras


@keras.saving.register_keras_serializable(package="ganzoo")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads height and width by mirroring the image about its border pixels (the border not repeated).

    Zero padding darkens the border of a generated image, reflection padding does not: the CycleGAN
    paper pads every convolution of its ResNet generator this way.

    Args:
        padding: an int (the same on all four sides) or ((top, bottom), (left, right)); each smaller
            than the side it pads.
        **kwargs: passed to `keras.layers.Layer` (e.g. `name`).
    """

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, int):
            padding = ((padding, padding), (padding, padding))
        self.padding = tuple(tuple(int(p) for p in pair) for pair in padding)
        if len(self.padding) != 2 or any(len(pair) != 2 or min(pair) < 0 for pair in self.padding):
            raise ValueError(
                "padding must be an int or ((top, bottom), (left, right)) of non-negative ints; "
                f"received {padding!r}."
            )

    def call(self, inputs):
        return keras.ops.pad(inputs, ((0, 0), *self.padding, (0, 0)), mode="reflect")

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        (top, bottom), (left, right) = self.padding
        return (
            batch,
            None if height is None else height + top + bottom,
            None if width is None else width + left + right,
            channels,
        )

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}
