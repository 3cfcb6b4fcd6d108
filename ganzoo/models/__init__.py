"""The zoo: one file per paper, each a `keras.Model` with its own `train_step`."""

from ganzoo.models.acgan import ACGAN
from ganzoo.models.advgan import AdvGAN
from ganzoo.models.base import AdversarialModel
from ganzoo.models.cgan import CGAN
from ganzoo.models.cyclegan import CycleGAN
from ganzoo.models.dcgan import DCGAN
from ganzoo.models.gan import GAN
from ganzoo.models.pix2pix import Pix2Pix
from ganzoo.models.stargan import StarGAN
from ganzoo.models.wgan import WGAN
from ganzoo.models.wgan_gp import WGANGP

# Name -> class, for recipes and tools that pick a model by name. A new variant adds one line here.
REGISTRY = {
    "gan": GAN,
    "dcgan": DCGAN,
    "pix2pix": Pix2Pix,
    "advgan": AdvGAN,
    "cgan": CGAN,
    "acgan": ACGAN,
    "wgan": WGAN,
    "wgan_gp": WGANGP,
    "stargan": StarGAN,
    "cyclegan": CycleGAN,
}


def get(name):
    """The model class registered as `name`."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"Unknown model {name!r}. Expected one of {sorted(REGISTRY)}.") from None
