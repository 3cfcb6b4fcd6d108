"""Feature extractors for the metrics: InceptionV3 pool features, and a classifier of real digits.

An extractor turns images into the vectors a metric compares. Every extractor here takes images as
float NHWC in [-1, 1] (the generators' range; uint8 is accepted and scaled), of any size and 1 or 3
channels, resizes them to its own input with the resize it documents, and offers

    extractor.features(images)       -> float32 [n, d]         (FID, KID, precision/recall)
    extractor.probabilities(images)  -> float32 [n, classes]   (Inception Score)
    extractor.protocol()             -> a dict that says what was computed, printed next to each number

Any object with these methods plugs into `ganzoo.metrics` (e.g. `IdentityExtractor` for 2-D samples).

Building an extractor is explicit; importing this module builds nothing and downloads nothing.
"""

import functools
import os

import keras
import numpy as np
import tensorflow as tf

RESIZE_DESCRIPTION = "bilinear, antialiased (tf.image.resize(antialias=True)), clipped to [-1, 1]"


class WeightsNotFoundError(FileNotFoundError):
    """Pretrained weights are neither in Keras' cache nor at the path given."""


def _as_images(images, channels=None):
    """Images -> float32 NHWC tensor in [-1, 1] with `channels` (grey tiled to RGB, RGB averaged to
    grey); uint8 is scaled from [0, 255]. Done eagerly, before the traced forward pass, so that one
    trace serves every input channel count."""
    if isinstance(images, np.ndarray) and images.dtype == np.uint8 or (
        tf.is_tensor(images) and images.dtype == tf.uint8
    ):
        images = tf.cast(images, tf.float32) / 127.5 - 1.0
    images = tf.convert_to_tensor(images, tf.float32)
    if images.shape.rank != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(
            f"images must be [n, height, width, 1 or 3] in [-1, 1]; received shape {images.shape}."
        )
    if channels == 3 and images.shape[-1] == 1:
        images = tf.image.grayscale_to_rgb(images)
    elif channels == 1 and images.shape[-1] == 3:
        images = tf.reduce_mean(images, axis=-1, keepdims=True)
    return images


def resize_images(images, size_hw):
    """The documented resize every extractor uses: bilinear with antialiasing, clipped to [-1, 1].

    Antialiasing matters when shrinking (a 64 px sample to a 16 px classifier): without it bilinear
    resampling aliases, and the features then measure the resize as much as the images (Parmar et al.,
    "On Aliased Resizing and Surprising Subtleties in GAN Evaluation", CVPR 2022).
    """
    if tuple(images.shape[1:3]) == tuple(size_hw):
        return images
    resized = tf.image.resize(images, size_hw, method="bilinear", antialias=True)
    return tf.clip_by_value(resized, -1.0, 1.0)


def _batched(function, images, batch_size):
    """Applies `function` to `images` in batches; numpy float32 out (a tuple for tuple outputs)."""
    outputs = []
    for start in range(0, int(images.shape[0]), batch_size):
        result = function(images[start : start + batch_size])
        if isinstance(result, (tuple, list)):
            outputs.append(tuple(np.asarray(part, np.float32) for part in result))
        else:
            outputs.append(np.asarray(result, np.float32))
    if not outputs:
        raise ValueError("no images to extract features from.")
    if isinstance(outputs[0], tuple):
        return tuple(np.concatenate(parts) for parts in zip(*outputs))
    return np.concatenate(outputs)


# -- InceptionV3 --------------------------------------------------------------------------------------

INCEPTION_V3_WEIGHT_FILES = {
    False: "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
    True: "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
}
_INCEPTION_URL = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
INCEPTION_SIZE = 299


def keras_cache_dirs():
    """Where Keras keeps downloaded weights: `$KERAS_HOME/models`, `~/.keras/models`, `/tmp/.keras/models`."""
    homes = [os.environ.get("KERAS_HOME"), os.path.join(os.path.expanduser("~"), ".keras")]
    homes.append(os.path.join("/tmp", ".keras"))  # Keras' fallback when the home is not writable
    dirs = []
    for home in homes:
        if home and os.path.join(home, "models") not in dirs:
            dirs.append(os.path.join(home, "models"))
    return dirs


def resolve_inception_weights(weights, with_top=False):
    """The weights argument for `keras.applications.InceptionV3`, without ever downloading.

    Args:
        weights: "imagenet" (looked up in Keras' cache), a path to an `.h5`/`.weights.h5` file, or None
            (random initialisation: for tests only, its figures mean nothing).
        with_top: whether the classifier head is needed (the Inception Score).

    Raises:
        WeightsNotFoundError: naming the expected file, where it was looked for, and `--weights`.
    """
    filename = INCEPTION_V3_WEIGHT_FILES[with_top]
    if weights is None:
        return None
    if weights == "imagenet":
        for directory in keras_cache_dirs():
            candidate = os.path.join(directory, filename)
            if os.path.isfile(candidate):
                return candidate
        raise WeightsNotFoundError(
            f"InceptionV3 ImageNet weights are not in Keras' cache: looked for {filename} in "
            f"{', '.join(keras_cache_dirs())}. ganzoo never downloads them (this machine may have no "
            f"network). Fetch {_INCEPTION_URL}{filename} on a machine with network access and either put "
            "it in one of those folders or pass its path: --weights=/path/to/"
            f"{filename} (python -m ganzoo.evaluate) or InceptionV3Extractor(weights=path)."
        )
    weights = os.fspath(weights)
    if not os.path.isfile(weights):
        raise WeightsNotFoundError(
            f"InceptionV3 weights file {weights!r} does not exist; expected a copy of {filename}."
        )
    return weights


class InceptionV3Extractor:
    """InceptionV3's 2048-d average-pool features (and, with `with_top`, its ImageNet softmax).

    The network is `keras.applications.InceptionV3(include_top=False, pooling="avg")` (with the top:
    the same network, read at its "avg_pool" layer and its 1000-way softmax). Images in [-1, 1] are
    InceptionV3's own input range (`preprocess_input` maps [0, 255] to [-1, 1]); grey is tiled to RGB,
    and every image is resized to 299×299 with `resize_images` (bilinear, antialiased).

    Note: Keras' InceptionV3 is not the 2015 TensorFlow graph behind the published FID and IS figures
    (pytorch-fid's "pt_inception" port of it), and its resize differs: figures compare with each other,
    not with papers.

    Args:
        weights: "imagenet" (from Keras' cache; never downloaded), a weights file path, or None for
            random weights (tests only).
        with_top: also compute class probabilities (needs the full weights file, not "notop").
        batch_size: images per forward pass.
    """

    name = "inception_v3"

    def __init__(self, weights="imagenet", with_top=False, batch_size=32):
        self.weights_path = resolve_inception_weights(weights, with_top)
        self.random_weights = weights is None
        self.with_top = bool(with_top)
        self.batch_size = int(batch_size)
        shape = (INCEPTION_SIZE, INCEPTION_SIZE, 3)
        if self.with_top:
            network = keras.applications.InceptionV3(
                include_top=True, weights=self.weights_path, input_shape=shape
            )
            self.model = keras.Model(
                network.inputs, [network.get_layer("avg_pool").output, network.output]
            )
        else:
            self.model = keras.applications.InceptionV3(
                include_top=False, pooling="avg", weights=self.weights_path, input_shape=shape
            )
        self._forward = tf.function(self._call, reduce_retracing=True)

    def _call(self, images):
        return self.model(resize_images(images, (INCEPTION_SIZE, INCEPTION_SIZE)), training=False)

    def features(self, images):
        """[n, H, W, 1|3] in [-1, 1] -> float32 [n, 2048]."""
        result = _batched(self._forward, _as_images(images, 3), self.batch_size)
        return result[0] if self.with_top else result

    def probabilities(self, images):
        """[n, H, W, 1|3] in [-1, 1] -> float32 [n, 1000] ImageNet probabilities (needs `with_top`)."""
        if not self.with_top:
            raise ValueError("InceptionV3Extractor(with_top=False) has no classifier: pass with_top=True.")
        return _batched(self._forward, _as_images(images, 3), self.batch_size)[1]

    def features_and_probabilities(self, images):
        if not self.with_top:
            return self.features(images), None
        return _batched(self._forward, _as_images(images, 3), self.batch_size)

    def protocol(self):
        weights = "random (NOT pretrained: figures are meaningless)" if self.random_weights else (
            f"ImageNet ({os.path.basename(self.weights_path)})"
        )
        return {
            "extractor": "keras.applications.InceptionV3 avg_pool (2048-d)"
            + (", softmax over 1000 ImageNet classes" if self.with_top else ""),
            "weights": weights,
            "resize": f"to {INCEPTION_SIZE}x{INCEPTION_SIZE}, {RESIZE_DESCRIPTION}; grey tiled to RGB",
        }


# -- the digits classifier ------------------------------------------------------------------------------

DIGITS_CLASSIFIER_VERSION = 1
DIGITS_INPUT_SIZE = 16
_DIGITS_TRAINING = dict(epochs=15, batch_size=32, learning_rate=1e-3, width=16, shift=0.1)


def _digits_network(seed, width, shift):
    def init(index):
        return keras.initializers.GlorotUniform(seed=seed * 100 + index)

    inputs = keras.Input((DIGITS_INPUT_SIZE, DIGITS_INPUT_SIZE, 1), name="images")
    # Random shifts of up to ±1.6 px during training only: held-out accuracy 93% -> 97% (measured).
    x = keras.layers.RandomTranslation(
        shift, shift, fill_mode="constant", fill_value=-1.0, seed=seed, name="shift"
    )(inputs)
    for index, (filters, strides) in enumerate([(width, 1), (width, 2), (2 * width, 1), (2 * width, 2)]):
        x = keras.layers.Conv2D(
            filters, 3, strides=strides, padding="same", activation="relu", kernel_initializer=init(index)
        )(x)
    x = keras.layers.Flatten()(x)
    features = keras.layers.Dense(128, activation="relu", kernel_initializer=init(4), name="features")(x)
    logits = keras.layers.Dense(10, kernel_initializer=init(5), name="logits")(features)
    return keras.Model(inputs, logits, name=f"ganzoo_digits_classifier_v{DIGITS_CLASSIFIER_VERSION}")


class DigitsClassifier:
    """A small CNN trained on scikit-learn's real digits: "digits FID" features and a digits IS.

    Trained in seconds on the digits "train" split (1,433 images, `ganzoo.data.digits_arrays`) at
    16×16, seeded (initial weights, data order and augmentation), so the same seed gives the same
    extractor; about 97% accurate on the held-out "test" split. Its penultimate layer (128 ReLU units)
    gives the features, its softmax over the 10 digits the probabilities. Images of any size (8 to 32 px
    is what it is meant for) are resized to 16×16 with `resize_images`; RGB is averaged to grey.

    Build it with `DigitsClassifier.pretrained()` (trained once per process, or loaded from / saved to
    `cache_path`, a `.keras` file).

    Args:
        model: the trained Keras classifier (images [n, 16, 16, 1] in [-1, 1] -> 10 logits).
        batch_size: images per forward pass.
    """

    name = "digits_classifier"

    def __init__(self, model, batch_size=500):
        self.model = model
        self.batch_size = int(batch_size)
        self._heads = keras.Model(
            model.inputs, [model.get_layer("features").output, model.output]
        )
        self._forward = tf.function(self._call, reduce_retracing=True)

    @classmethod
    def train(cls, seed=0, epochs=None, verbose=0):
        """Trains a fresh classifier on the digits train split (deterministic for a given seed).

        `epochs` defaults to the published setting (15); `pretrained()` always uses it."""
        from ganzoo.data import digits_arrays  # the metrics need the data layer only here

        settings = _DIGITS_TRAINING
        images, labels = digits_arrays(DIGITS_INPUT_SIZE, split="train")
        model = _digits_network(seed, settings["width"], settings["shift"])
        model.compile(
            keras.optimizers.Adam(settings["learning_rate"]),
            keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
        # The order comes from numpy, not tf.data's shuffle, whose seed combines with TensorFlow's global
        # seed: the classifier must not depend on whether (or how) a caller seeded TensorFlow.
        order = np.random.default_rng(seed)
        for _ in range(epochs or settings["epochs"]):
            permutation = order.permutation(len(images))
            model.fit(
                images[permutation],
                labels[permutation],
                batch_size=settings["batch_size"],
                shuffle=False,
                verbose=verbose,
            )
        return cls(model)

    @classmethod
    def pretrained(cls, cache_path=None, seed=0):
        """The classifier for `seed`: from `cache_path` if that `.keras` file exists, else trained (and
        then saved there when a path is given). Trained at most once per process and seed."""
        if cache_path and os.path.isfile(cache_path):
            return cls(keras.saving.load_model(cache_path))
        classifier = _trained_digits_classifier(seed)
        if cache_path:
            classifier.save(cache_path)
        return classifier

    def save(self, path):
        """Writes the classifier to a `.keras` file."""
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        self.model.save(path)

    def _call(self, images):
        images = resize_images(images, (DIGITS_INPUT_SIZE, DIGITS_INPUT_SIZE))
        features, logits = self._heads(images, training=False)
        return features, tf.nn.softmax(logits)

    def features_and_probabilities(self, images):
        """[n, H, W, 1|3] in [-1, 1] -> (float32 [n, 128], float32 [n, 10])."""
        return _batched(self._forward, _as_images(images, 1), self.batch_size)

    def features(self, images):
        return self.features_and_probabilities(images)[0]

    def probabilities(self, images):
        return self.features_and_probabilities(images)[1]

    def predict_classes(self, images):
        """The most probable digit of each image, int64 [n]."""
        return self.probabilities(images).argmax(axis=1)

    def accuracy(self, images, labels):
        return float(np.mean(self.predict_classes(images) == np.asarray(labels)))

    def protocol(self):
        return {
            "extractor": f"ganzoo digits classifier v{DIGITS_CLASSIFIER_VERSION} (CNN trained on the "
            "scikit-learn digits train split; penultimate 128-d ReLU features, softmax over 10 digits)",
            "resize": f"to {DIGITS_INPUT_SIZE}x{DIGITS_INPUT_SIZE}, {RESIZE_DESCRIPTION}; "
            "RGB averaged to grey",
        }


@functools.lru_cache(maxsize=4)
def _trained_digits_classifier(seed):
    return DigitsClassifier.train(seed=seed)


class IdentityExtractor:
    """Features = the samples themselves, flattened (e.g. 2-D mixture samples, or a custom embedding)."""

    name = "identity"

    def features(self, samples):
        samples = np.asarray(samples.numpy() if hasattr(samples, "numpy") else samples, np.float32)
        return samples.reshape(len(samples), -1)

    def probabilities(self, samples):
        raise ValueError("IdentityExtractor has no classifier: the Inception Score needs one.")

    def features_and_probabilities(self, samples):
        return self.features(samples), None

    def protocol(self):
        return {"extractor": "identity (the samples themselves, flattened)", "resize": "none"}


EXTRACTORS = ("digits", "inception", "identity")


def get(name, weights="imagenet", with_top=False, cache_path=None):
    """An extractor by name: "digits", "inception" (see `InceptionV3Extractor`) or "identity"."""
    if name == "digits":
        return DigitsClassifier.pretrained(cache_path=cache_path)
    if name == "inception":
        return InceptionV3Extractor(weights=weights, with_top=with_top)
    if name == "identity":
        return IdentityExtractor()
    raise ValueError(f"unknown extractor {name!r}; expected one of {EXTRACTORS}.")
