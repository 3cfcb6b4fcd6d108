"""Functional builders of generators and discriminators: architecture only, no loss, no training."""

from ganzoo.networks.dcgan import dcgan_discriminator, dcgan_generator
from ganzoo.networks.mlp import mlp_discriminator, mlp_generator
