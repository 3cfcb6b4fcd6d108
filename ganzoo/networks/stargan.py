"""StarGAN's networks (Choi et al. 2018, appendix 7.2): one generator for every domain, and a
discriminator with two heads.

Generator: the target-domain vector c [batch, n_domains] is tiled over the image and concatenated to
it on channels; then a 7×7 stride-1 convolution, `downsamplings` 4×4 stride-2 convolutions, residual
blocks (6 in the paper), `downsamplings` 4×4 stride-2 transposed convolutions and a 7×7 convolution to
the image's channels with tanh; instance normalisation and ReLU after every convolution but the last.

Discriminator: a PatchGAN-style trunk of `n_layers` 4×4 stride-2 convolutions with LeakyReLU(0.01) and
no normalisation (the penalty is per sample), then two heads on its [H/2ⁿ, W/2ⁿ] features:
D_src, a 3×3 convolution to one real/fake score per patch, and D_cls, a convolution as large as the
feature map to the domain logits [batch, n_domains].

The tiling is `Reshape` to [1, 1, n] then nearest `UpSampling2D` to [H, W, n]: plain Keras layers, so
the networks load with `safe_mode` (no Lambda).
"""

import keras

from ganzoo.networks import _normalization


def _check(image_shape, n_domains, factor, what):
    if len(image_shape) != 3:
        raise ValueError(f"image_shape must be (height, width, channels); received {tuple(image_shape)}.")
    if int(n_domains) < 1:
        raise ValueError(f"n_domains must be a positive integer; received {n_domains!r}.")
    height, width, _ = image_shape
    if height % factor or width % factor:
        raise ValueError(
            f"height and width must be multiples of {factor} ({what}); received image_shape="
            f"{tuple(image_shape)}."
        )


def tile_domains(domains, height, width, name="tiled_domains"):
    """[batch, n] -> [batch, height, width, n], the vector repeated at every pixel."""
    n = domains.shape[-1]
    x = keras.layers.Reshape((1, 1, n), name=f"{name}_reshape")(domains)
    return keras.layers.UpSampling2D((height, width), interpolation="nearest", name=name)(x)


def stargan_generator(
    image_shape=(128, 128, 3),
    n_domains=5,
    base_filters=64,
    downsamplings=2,
    residual_blocks=6,
    norm="instance",
    name="stargan_generator",
):
    """[images [batch, H, W, C] in [-1, 1], domains [batch, n_domains]] -> images in [-1, 1].

    Args:
        image_shape: (height, width, channels); height and width multiples of 2**downsamplings.
        n_domains: length of the target-domain vector (attributes, or a one-hot domain).
        base_filters: filters of the first layer (64 in the paper), doubled at each down-sampling.
        downsamplings: stride-2 layers down, and transposed ones up (2 in the paper).
        residual_blocks: residual blocks at the lowest resolution (6 in the paper).
        norm: "instance" (the paper's), "batch" or "none".
        name: the model's name.
    """
    image_shape = tuple(int(size) for size in image_shape)
    _normalization.check_norm(norm)
    _check(image_shape, n_domains, 2**downsamplings, f"{downsamplings} stride-2 layers")
    height, width, channels = image_shape
    images = keras.Input(image_shape, name="images")
    domains = keras.Input((int(n_domains),), name="domains")
    x = keras.layers.Concatenate(name="image_and_domains")(
        [images, tile_domains(domains, height, width)]
    )
    x = _normalization.conv_norm_relu(x, base_filters, 7, 1, norm, "in")
    filters = base_filters
    for index in range(downsamplings):
        filters *= 2
        x = _normalization.conv_norm_relu(x, filters, 4, 2, norm, f"down_{index}")
    for index in range(residual_blocks):
        x = _normalization.residual_block(x, filters, norm, f"residual_{index}")
    for index in range(downsamplings):
        filters //= 2
        x = _normalization.conv_norm_relu(x, filters, 4, 2, norm, f"up_{index}", transpose=True)
    outputs = keras.layers.Conv2D(
        channels,
        7,
        padding="same",
        activation="tanh",
        kernel_initializer=_normalization.weights_init(),
        dtype="float32",  # images stay float32 under mixed precision
        name="out",
    )(x)
    return keras.Model([images, domains], outputs, name=name)


def stargan_discriminator(
    image_shape=(128, 128, 3),
    n_domains=5,
    base_filters=64,
    n_layers=6,
    name="stargan_discriminator",
):
    """images [batch, H, W, C] -> [D_src [batch, H/2ⁿ, W/2ⁿ, 1], D_cls [batch, n_domains]].

    Args:
        image_shape: (height, width, channels); height and width multiples of 2**n_layers.
        n_domains: number of domain logits of D_cls.
        base_filters: filters of the first layer (64 in the paper), doubled per layer up to 32×.
        n_layers: stride-2 layers of the trunk (6 in the paper at 128 px: a 2×2 map of patch scores).
        name: the model's name.
    """
    image_shape = tuple(int(size) for size in image_shape)
    _check(image_shape, n_domains, 2**n_layers, f"{n_layers} stride-2 layers")
    height, width, _ = image_shape
    images = keras.Input(image_shape, name="images")
    x = images
    for index in range(n_layers):
        x = keras.layers.Conv2D(
            base_filters * min(2**index, 32),
            4,
            strides=2,
            padding="same",
            name=f"conv_{index}",
        )(x)
        x = keras.layers.LeakyReLU(0.01, name=f"conv_{index}_lrelu")(x)
    src = keras.layers.Conv2D(1, 3, padding="same", use_bias=False, dtype="float32", name="d_src")(x)
    cls = keras.layers.Conv2D(
        int(n_domains),
        (height // 2**n_layers, width // 2**n_layers),
        use_bias=False,
        dtype="float32",
        name="d_cls_conv",
    )(x)
    cls = keras.layers.Reshape((int(n_domains),), name="d_cls", dtype="float32")(cls)
    return keras.Model(images, [src, cls], name=name)
