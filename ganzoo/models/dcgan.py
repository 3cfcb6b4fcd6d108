"""DCGAN (Radford et al. 2016): the GAN game with the paper's convolutional networks."""

import keras

from ganzoo import networks
from ganzoo.models.gan import GAN


@keras.saving.register_keras_serializable(package="ganzoo")
class DCGAN(GAN):
    """The GAN game played by the DCGAN generator and discriminator.

    The algorithm is `GAN.train_step` unchanged: DCGAN's contribution is the architecture
    (`ganzoo.networks.dcgan_generator` / `dcgan_discriminator`) and its training settings, Adam(2e-4,
    beta_1=0.5) for both players and the non-saturating loss, which are the defaults of `compile()`.

    Args:
        image_shape: (side, side, channels), side 16, 32, 64 or 128, channels 1 or 3.
        latent_dim: size of z (the paper uses 100).
        base_filters: width of the networks (64 in the paper).
        synchronized_bn: BatchNorm over the global batch under `tf.distribute`.
        spectral_norm: a spectrally normalised discriminator without BatchNorm
            (`ganzoo.networks.dcgan_discriminator`).
        seed: seed of the model's noise.
        **kwargs: `GAN`'s options (`pack`, `ema_decay`, `r1_weight`) and `keras.Model`'s.

    Example:

    ```python
    gan = ganzoo.models.DCGAN(image_shape=(32, 32, 1), latent_dim=100)
    gan.compile()
    gan.fit(ganzoo.data.digits(image_size=32, batch_size=64), epochs=20)
    ```

    Reference: Radford, Metz & Chintala, "Unsupervised Representation Learning with Deep Convolutional
    Generative Adversarial Networks", ICLR 2016.
    """

    def __init__(
        self,
        image_shape,
        latent_dim=100,
        base_filters=64,
        synchronized_bn=False,
        spectral_norm=False,
        seed=None,
        **kwargs,
    ):
        image_shape = tuple(int(size) for size in image_shape)
        super().__init__(
            generator=networks.dcgan_generator(
                latent_dim, image_shape, base_filters, synchronized_bn
            ),
            discriminator=networks.dcgan_discriminator(
                image_shape,
                base_filters,
                synchronized_bn,
                pack=kwargs.get("pack", 1),
                spectral_norm=spectral_norm,
            ),
            latent_dim=latent_dim,
            seed=seed,
            **kwargs,
        )
        self.image_shape = image_shape
        self.base_filters = int(base_filters)
        self.synchronized_bn = bool(synchronized_bn)
        self.spectral_norm = bool(spectral_norm)

    def get_config(self):
        config = keras.Model.get_config(self)
        config.update(
            image_shape=self.image_shape,
            latent_dim=self.latent_dim,
            base_filters=self.base_filters,
            synchronized_bn=self.synchronized_bn,
            spectral_norm=self.spectral_norm,
            seed=self.seed,
            **self.option_config(),
        )
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)
