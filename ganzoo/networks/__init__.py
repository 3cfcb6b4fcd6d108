"""Functional builders of generators and discriminators: architecture only, no loss, no training."""

from ganzoo.networks.advgan import advgan_discriminator, advgan_generator, convnet_classifier
from ganzoo.networks.conditional import (
    acgan_discriminator,
    conditional_discriminator,
    conditional_generator,
)
from ganzoo.networks.critic import dcgan_critic
from ganzoo.networks.dcgan import dcgan_discriminator, dcgan_generator
from ganzoo.networks.mlp import mlp_discriminator, mlp_generator
from ganzoo.networks.patchgan import patchgan_discriminator, patchgan_receptive_field
from ganzoo.networks.resnet import default_residual_blocks, resnet_generator
from ganzoo.networks.unet import unet_generator
from ganzoo.networks.stargan import stargan_discriminator, stargan_generator
