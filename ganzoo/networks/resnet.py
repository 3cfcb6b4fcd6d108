"""The ResNet generator of CycleGAN (Zhu et al. 2017, appendix 7.2), after Johnson et al. 2016.

c7s1-64, d128, d256, R256 × n, u128, u64, c7s1-3: a 7×7 convolution, two 3×3 stride-2 convolutions,
`residual_blocks` residual blocks (9 at 256 px and above, 6 below, as the paper), two 3×3 stride-½
(transposed) convolutions and a 7×7 convolution to the output channels with tanh. Reflection padding
before the 7×7 and the residual convolutions, instance normalisation
(`GroupNormalization(groups=-1)`) and ReLU after every convolution but the last. With `base_filters=f`
the widths are f, 2f, 4f, 4f, ..., 2f, f.
"""

import keras

from ganzoo.layers import ReflectionPadding2D
from ganzoo.networks import _normalization


def default_residual_blocks(side):
    """The paper's choice: 9 residual blocks for 256 px and larger images, 6 for 128 px and smaller."""
    return 9 if side >= 256 else 6


def _conv(x, filters, kernel, strides, name, reflect=0, transpose=False, normalize=True):
    if reflect:
        x = ReflectionPadding2D(reflect, name=f"{name}_reflect")(x)
    elif not transpose and strides > 1:
        x = keras.layers.ZeroPadding2D(1, name=f"{name}_pad")(x)  # the reference's padding=1
    layer = keras.layers.Conv2DTranspose if transpose else keras.layers.Conv2D
    x = layer(
        filters,
        kernel,
        strides=strides,
        padding="same" if transpose else "valid",
        use_bias=not normalize,  # GroupNormalization's beta does what the bias would
        kernel_initializer=_normalization.weights_init(),
        name=name,
    )(x)
    if normalize:
        x = _normalization.normalization("instance", f"{name}_norm")(x)
    return x


def resnet_generator(
    image_shape=(256, 256, 3),
    output_channels=None,
    base_filters=64,
    residual_blocks=None,
    name="resnet_generator",
):
    """Images [batch, H, W, C] in [-1, 1] -> images [batch, H, W, output_channels] in [-1, 1].

    Args:
        image_shape: (height, width, channels); height and width multiples of 4.
        output_channels: channels of the outputs; the inputs' when None.
        base_filters: width of the first layer (64 in the paper).
        residual_blocks: residual blocks at the bottleneck; `default_residual_blocks(height)` when None.
        name: the model's name.
    """
    image_shape = tuple(int(size) for size in image_shape)
    if len(image_shape) != 3:
        raise ValueError(f"image_shape must be (height, width, channels); received {image_shape}.")
    height, width, channels = image_shape
    if height % 4 or width % 4 or min(height, width) < 8:
        raise ValueError(
            "height and width must be multiples of 4 and at least 8 (two stride-2 downsamplings, and "
            f"reflection padding of 3 at the input); received image_shape={image_shape}."
        )
    if residual_blocks is None:
        residual_blocks = default_residual_blocks(height)
    if int(residual_blocks) < 0:
        raise ValueError(f"residual_blocks must be >= 0; received {residual_blocks!r}.")
    output_channels = int(output_channels or channels)

    images = keras.Input(image_shape, name="images")
    x = _conv(images, base_filters, 7, 1, "c7s1", reflect=3)
    x = keras.layers.ReLU(name="c7s1_relu")(x)
    for index, filters in enumerate((2 * base_filters, 4 * base_filters)):
        x = keras.layers.ReLU(name=f"down_{index}_relu")(_conv(x, filters, 3, 2, f"down_{index}"))
    for index in range(int(residual_blocks)):
        name_ = f"res_{index}"
        y = _conv(x, 4 * base_filters, 3, 1, f"{name_}_a", reflect=1)
        y = keras.layers.ReLU(name=f"{name_}_a_relu")(y)
        y = _conv(y, 4 * base_filters, 3, 1, f"{name_}_b", reflect=1)
        x = keras.layers.Add(name=f"{name_}_add")([x, y])
    for index, filters in enumerate((2 * base_filters, base_filters)):
        x = _conv(x, filters, 3, 2, f"up_{index}", transpose=True)
        x = keras.layers.ReLU(name=f"up_{index}_relu")(x)
    x = _conv(x, output_channels, 7, 1, "output", reflect=3, normalize=False)
    outputs = keras.layers.Activation("tanh", dtype="float32", name="tanh")(x)
    return keras.Model(images, outputs, name=name)
