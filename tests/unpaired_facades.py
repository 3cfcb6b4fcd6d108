"""An unpaired two-domain set built from the real facades (`../shared/data/facades`), for CycleGAN tests.

Domain A is label maps, domain B photos (`ganzoo.data.unpaired_from_pairs`): trainA holds the label maps
of the first half of the train files and trainB the photos of the second half, so no true pair is ever
seen in training; testA/testB are the val split's label maps and photos, true pairs file by file.
"""

import os

import numpy as np
from PIL import Image

import shared_data
from ganzoo import data


def build(target_dir, side=64):
    """Writes trainA/ trainB/ testA/ testB/ PNGs of `side` px under `target_dir`; returns it."""
    facades = shared_data.shared_data_path("facades")
    return data.unpaired_from_pairs(facades, target_dir, a_half="right", image_size=side)


def val_pairs(data_dir):
    """(label maps, photos) of the test split as float32 arrays in [-1, 1], true pairs row by row."""
    names = sorted(os.listdir(os.path.join(data_dir, "testA")))

    def load(folder):
        return np.stack([
            np.asarray(Image.open(os.path.join(data_dir, folder, name)), np.float32) / 127.5 - 1
            for name in names
        ])

    return load("testA"), load("testB")
