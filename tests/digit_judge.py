"""Judges generated digits for the conditional models' learning tests: does each sample show the digit
it was asked for, and are the samples of one class as varied as real digits of that class?"""

import keras
import numpy as np

import ganzoo


def digit_classifier(image_size):
    """An MLP trained on the real digits' "train" split (about 93% on the held-out "test" split)."""
    images, labels = ganzoo.data.digits_arrays(image_size=image_size, split="train")
    test_images, test_labels = ganzoo.data.digits_arrays(image_size=image_size, split="test")
    classifier = keras.Sequential(
        [
            keras.Input((image_size, image_size, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(10),
        ]
    )
    classifier.compile(
        keras.optimizers.Adam(1e-3),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    classifier.fit(images, labels, epochs=30, batch_size=64, verbose=0)
    accuracy = classifier.evaluate(test_images, test_labels, verbose=0)[1]
    assert accuracy > 0.85, f"the judge itself is too weak: {accuracy:.2f}"
    return classifier


def label_agreement(classifier, samples, labels):
    """Share of samples the classifier reads as the label they were generated for."""
    return float(np.mean(np.argmax(classifier.predict(samples, verbose=0), axis=1) == labels))


def within_class_spread(images, labels):
    """Mean over classes of the mean pixel-space distance of a class's images to that class's mean image."""
    spreads = []
    for digit in np.unique(labels):
        members = images[labels == digit].reshape(int(np.sum(labels == digit)), -1)
        spreads.append(np.linalg.norm(members - members.mean(axis=0), axis=1).mean())
    return float(np.mean(spreads))


def real_spread(image_size):
    images, labels = ganzoo.data.digits_arrays(image_size=image_size)
    return within_class_spread(images, labels)
