"""Samples from an exported SavedModel, with nothing but the SavedModel.

    python -m ganzoo.sample saved_models/dcgan_digits/1 --n 64 --out grid.png
    python -m ganzoo.sample saved_models/cgan_digits/1 --labels 0,1,2,3 --out digits.png
    python -m ganzoo.sample saved_models/pix2pix_facades/1 --input label_map.png --out photo.png
    python -m ganzoo.sample saved_models/stargan_digits/1 --input digit.png --domains 0,1,0 --out x.png

The signature's inputs decide what is fed: noise `z` (drawn from N(0, 1) with `--seed`), class `labels`,
input `images` (`--input` files, which must already have the model's size: nothing is resized), and a
`domains` vector. The outputs (uint8 images) are tiled into one PNG grid.
"""

import numpy as np
from absl import app, flags

from ganzoo.callbacks import image_grid

FLAGS = flags.FLAGS
flags.DEFINE_integer("n", 64, "Samples to draw (unconditional and class-conditional models).")
flags.DEFINE_string("out", "samples.png", "Where to write the PNG grid.")
flags.DEFINE_integer("seed", 0, "Seed of the noise z.")
flags.DEFINE_list("labels", None, "Class labels, one per sample (cycled to --n); default 0, 1, 2, ...")
flags.DEFINE_integer("n_classes", 10, "Number of classes, for the default labels.")
flags.DEFINE_list("input", None, "Input image files (PNG/JPEG) for image-to-image models.")
flags.DEFINE_list("domains", None, "Target-domain vector for multi-domain models, e.g. 0,1,0.")
flags.DEFINE_string("signature", "serving_default", "Which signature to call.")


def build_inputs(specs, n, seed, labels, n_classes, input_files, domains):
    """The signature's inputs as tensors, from the command's options."""
    import tensorflow as tf

    feeds = {}
    batch = n
    if "images" in specs:
        if not input_files:
            raise ValueError("This model translates images: pass --input=image.png[,more.png].")
        channels = specs["images"].shape[-1]
        decoded = [tf.io.decode_image(tf.io.read_file(path), channels=channels, expand_animations=False)
                   for path in input_files]
        expected = tuple(specs["images"].shape[1:3])
        for path, image in zip(input_files, decoded):
            # One size for the whole batch, the signature's: the model does not resize.
            if tuple(image.shape[:2]) != expected and None not in expected:
                raise ValueError(
                    f"--input {path} is {image.shape[0]}x{image.shape[1]} (height x width); this model "
                    f"takes {expected[0]}x{expected[1]} images."
                )
        feeds["images"] = tf.stack(decoded)  # the signature itself rejects a wrong size, naming the input
        batch = len(input_files)
    if "z" in specs:
        rng = np.random.default_rng(seed)
        feeds["z"] = tf.constant(rng.standard_normal((batch, specs["z"].shape[-1])).astype(np.float32))
    if "labels" in specs:
        chosen = [int(label) for label in labels] if labels else list(range(n_classes))
        feeds["labels"] = tf.constant([chosen[i % len(chosen)] for i in range(batch)], tf.int32)
    if "domains" in specs:
        if not domains:
            raise ValueError(f"This model needs --domains (a vector of {specs['domains'].shape[-1]} values).")
        vector = np.asarray([float(value) for value in domains], np.float32)
        feeds["domains"] = tf.constant(np.tile(vector, (batch, 1)))
    unknown = set(specs) - set(feeds)
    if unknown:
        raise ValueError(f"ganzoo.sample does not know how to feed the inputs {sorted(unknown)}.")
    return feeds


def sample(saved_model_dir, out, n=64, seed=0, labels=None, n_classes=10, input_files=None,
           domains=None, signature="serving_default"):
    """Calls the SavedModel's signature and writes the outputs as one PNG grid; returns the images."""
    import tensorflow as tf

    loaded = tf.saved_model.load(saved_model_dir)
    if signature not in loaded.signatures:
        raise ValueError(f"{saved_model_dir} has no signature {signature!r}; it has {sorted(loaded.signatures)}.")
    function = loaded.signatures[signature]
    specs = function.structured_input_signature[1]
    outputs = function(**build_inputs(specs, n, seed, labels, n_classes, input_files, domains))
    if "images" not in outputs:
        raise ValueError(f"Signature {signature!r} returns {sorted(outputs)}, not uint8 `images`.")
    images = outputs["images"].numpy()
    tf.io.write_file(out, tf.io.encode_png(image_grid(images)))
    return images


def main(argv):
    if len(argv) != 2:
        raise app.UsageError("usage: python -m ganzoo.sample SAVED_MODEL_DIR [--n 64] [--out grid.png] ...")
    images = sample(argv[1], FLAGS.out, FLAGS.n, FLAGS.seed, FLAGS.labels, FLAGS.n_classes, FLAGS.input,
                    FLAGS.domains, FLAGS.signature)
    print(f"Wrote {len(images)} images to {FLAGS.out}")


if __name__ == "__main__":
    app.run(main)
