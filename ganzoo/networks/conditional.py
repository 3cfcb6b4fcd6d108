"""Class-conditional generators and discriminators for images (cGAN, projection discriminator, ACGAN).

Architecture only. The generator joins a label embedding to z (Mirza & Osindero 2014) in front of the
DCGAN generator. The discriminator takes the label either as extra input channels (the label's embedding
broadcast to an image-sized map, concatenated to the image) or through a projection (Miyato & Koyama
2018: logit = ψ(φ(x)) + ⟨embed(y), φ(x)⟩). ACGAN's discriminator sees no label and has a second head
that classifies the image (Odena et al. 2017).

With packing (PacGAN), a discriminator judges `pack` images at once: images [batch, H, W, pack·C] and,
for the conditional one, labels [batch, pack].
"""

import keras

from ganzoo.networks import critic, dcgan

CONDITIONINGS = ("channel", "projection")


def _image_input(image_shape, pack):
    downsamplings = dcgan._check_image_shape(tuple(image_shape))
    height, width, channels = image_shape
    return keras.Input((height, width, pack * channels), name="images"), downsamplings


def conditional_generator(
    latent_dim,
    image_shape,
    n_classes,
    embedding_dim=50,
    base_filters=64,
    synchronized_bn=False,
    name="conditional_generator",
):
    """[z [batch, latent_dim], labels int32 [batch]] -> images [batch, H, W, C] in [-1, 1].

    Args:
        latent_dim: size of z.
        image_shape: (side, side, channels), side 16, 32, 64 or 128, channels 1 or 3.
        n_classes: number of classes; labels are in [0, n_classes).
        embedding_dim: size of the label embedding joined to z.
        base_filters, synchronized_bn: see `ganzoo.networks.dcgan_generator`.
    """
    z = keras.Input((latent_dim,), name="z")
    labels = keras.Input((), dtype="int32", name="labels")
    embedded = keras.layers.Embedding(n_classes, embedding_dim, name="label_embedding")(labels)
    joined = keras.layers.Concatenate(name="z_and_label")([z, embedded])
    trunk = dcgan.dcgan_generator(
        latent_dim + embedding_dim, tuple(image_shape), base_filters, synchronized_bn, name=f"{name}_dcgan"
    )
    return keras.Model([z, labels], trunk(joined), name=name)


def conditional_discriminator(
    image_shape,
    n_classes,
    conditioning="channel",
    base_filters=64,
    normalization="batch",
    spectral_norm=False,
    pack=1,
    synchronized_bn=False,
    name="conditional_discriminator",
):
    """[images [batch, H, W, pack·C], labels int32 [batch, pack]] -> one logit per (packed) judgement.

    Args:
        image_shape: (side, side, channels) of ONE image.
        n_classes: number of classes.
        conditioning: "channel" (the label's embedding as one extra image-sized channel per image) or
            "projection" (the projection discriminator).
        base_filters: filters of the first convolution; each later one doubles them.
        normalization: None, "batch" (DCGAN) or "layer"; see `ganzoo.networks.dcgan_critic`.
        spectral_norm: wrap the convolutions and dense layers in `SpectralNormalization`.
        pack: images per judgement (PacGAN), each with its own label.
        synchronized_bn: BatchNorm over the global batch under `tf.distribute`.
    """
    if conditioning not in CONDITIONINGS:
        raise ValueError(f"conditioning must be one of {CONDITIONINGS}; received {conditioning!r}.")
    images, downsamplings = _image_input(image_shape, pack)
    height, width, _ = image_shape
    labels = keras.Input((pack,), dtype="int32", name="labels")
    logit_layer = keras.layers.Dense(1, kernel_initializer=critic._init(), name="logits")
    trunk_args = (downsamplings, base_filters, normalization, spectral_norm, synchronized_bn)

    if conditioning == "channel":
        maps = keras.layers.Embedding(n_classes, height * width, name="label_maps")(labels)
        maps = keras.layers.Reshape((pack, height, width))(maps)
        maps = keras.layers.Permute((2, 3, 1))(maps)  # [batch, H, W, pack]: one map per image
        joined = keras.layers.Concatenate(name="images_and_labels")([images, maps])
        features = critic.conv_features(joined, *trunk_args)
        logits = critic.maybe_spectral(logit_layer, spectral_norm)(features)
    else:
        features = critic.conv_features(images, *trunk_args)
        unconditional = critic.maybe_spectral(logit_layer, spectral_norm)(features)
        width_features = features.shape[-1]
        embedded = keras.layers.Embedding(n_classes, width_features, name="label_projection")(labels)
        embedded = keras.layers.Flatten()(embedded)  # [batch, pack·F]
        if pack > 1:  # one slice of φ(x) per packed image's label
            slot = keras.layers.Dense(pack * width_features, use_bias=False, name="pack_slots")
            features = critic.maybe_spectral(slot, spectral_norm)(features)
        projection = keras.layers.Dot(axes=1, name="projection")([embedded, features])
        logits = keras.layers.Add(name="logits_sum")([unconditional, projection])
    logits = keras.layers.Activation("linear", dtype="float32", name="logits_float32")(logits)
    return keras.Model([images, labels], logits, name=name)


def acgan_discriminator(
    image_shape,
    n_classes,
    base_filters=64,
    normalization="batch",
    spectral_norm=False,
    pack=1,
    synchronized_bn=False,
    name="acgan_discriminator",
):
    """images [batch, H, W, pack·C] -> [logits [batch, 1], class logits [batch, pack·n_classes]].

    The auxiliary classifier sees no label: it predicts one, for each packed image.

    Args: as `conditional_discriminator`, without `conditioning`.
    """
    images, downsamplings = _image_input(image_shape, pack)
    features = critic.conv_features(
        images, downsamplings, base_filters, normalization, spectral_norm, synchronized_bn
    )
    logits = critic.maybe_spectral(
        keras.layers.Dense(1, kernel_initializer=critic._init(), dtype="float32", name="logits"),
        spectral_norm,
    )(features)
    class_logits = critic.maybe_spectral(
        keras.layers.Dense(
            pack * n_classes, kernel_initializer=critic._init(), dtype="float32", name="class_logits"
        ),
        spectral_norm,
    )(features)
    return keras.Model(images, [logits, class_logits], name=name)
