"""Scores of an image-to-image translation against paired targets: mean L1, PSNR and SSIM."""

import numpy as np
import tensorflow as tf


def translation_scores(translate, dataset):
    """Mean L1, PSNR and SSIM of `translate(inputs)` against `targets` over a dataset of pairs.

    Args:
        translate: images [batch, H, W, C] in [-1, 1] -> images in [-1, 1] (e.g. `Pix2Pix.translate`).
        dataset: `(inputs, targets)` batches in [-1, 1], e.g. `ganzoo.data.paired_images(..., "val")`.

    Returns:
        {"l1": mean |output - target| in [-1, 1] units (as the training loss), "psnr": dB, "ssim",
        "pairs": how many}. PSNR and SSIM (`tf.image.psnr`, `tf.image.ssim`, 11×11 Gaussian window)
        are computed per image on [0, 1] pixels and averaged over images.
    """
    l1, psnr, ssim = [], [], []
    for inputs, targets in dataset:
        outputs = tf.clip_by_value(tf.cast(translate(inputs), tf.float32), -1.0, 1.0)
        targets = tf.cast(targets, tf.float32)
        l1.append(tf.reduce_mean(tf.abs(outputs - targets), axis=[1, 2, 3]).numpy())
        unit_outputs, unit_targets = (outputs + 1.0) / 2.0, (targets + 1.0) / 2.0
        psnr.append(tf.image.psnr(unit_outputs, unit_targets, max_val=1.0).numpy())
        ssim.append(tf.image.ssim(unit_outputs, unit_targets, max_val=1.0).numpy())
    if not l1:
        raise ValueError("translation_scores: the dataset yielded no pairs.")
    l1, psnr, ssim = (np.concatenate(values) for values in (l1, psnr, ssim))
    return {
        "l1": float(l1.mean()),
        "psnr": float(psnr.mean()),
        "ssim": float(ssim.mean()),
        "pairs": int(l1.size),
    }
