"""A small convnet trained on scikit-learn's real digits: the target of the attack tests."""

import keras
import numpy as np

import ganzoo


def train_digit_classifier(image_size=16, base_filters=8, epochs=10, seed=0):
    """(classifier, (train images, labels), (test images, labels)): logits over [-1, 1] images.

    About 92% accurate on the held-out digits with the defaults, in a few seconds on a CPU.
    """
    keras.utils.set_random_seed(seed)
    train = ganzoo.data.digits_arrays(image_size, "train")
    test = ganzoo.data.digits_arrays(image_size, "test")
    classifier = ganzoo.networks.convnet_classifier((image_size, image_size, 1), base_filters=base_filters)
    classifier.compile(
        keras.optimizers.Adam(2e-3),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    classifier.fit(*train, epochs=epochs, batch_size=32, verbose=0)
    return classifier, train, test


def accuracy(classifier, images, labels):
    predictions = np.argmax(np.asarray(classifier(images, training=False)), axis=-1)
    return float(np.mean(predictions == labels))
