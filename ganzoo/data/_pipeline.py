"""The tail every ganzoo pipeline shares: shuffle, repeat, batch, prefetch.

Batches always drop the remainder: a GAN step splits one global batch across
replicas and a short last batch would break that split (and bias the losses
reduced against the global batch size).
"""

import tensorflow as tf

AUTOTUNE = tf.data.AUTOTUNE


def check_batch_size(batch_size):
    """Raises ValueError unless `batch_size` is a positive int."""
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int; received {batch_size!r}.")


def require_full_batch(num_examples, batch_size, source):
    """Raises ValueError when `source` cannot fill one batch.

    With `drop_remainder=True` such a data set would silently yield nothing.

    Args:
      num_examples: how many examples the source holds.
      batch_size: the requested batch size.
      source: words naming the input, for the message (e.g. a path).
    """
    check_batch_size(batch_size)
    if num_examples < batch_size:
        raise ValueError(
            f"{source} holds {num_examples} images, fewer than one batch of "
            f"batch_size={batch_size}; batches drop the remainder (GAN steps need full "
            "global batches), so it would yield nothing. Use a smaller batch_size or more data."
        )


def shuffle_and_repeat(dataset, *, buffer_size, seed, shuffle, repeat):
    """Seeded reshuffle each epoch, then optionally repeat forever.

    Iterating a fresh pipeline built with the same seed gives the same order;
    each further epoch (or re-iteration of the same object) gets a new order
    drawn deterministically from that seed.
    """
    if shuffle:
        dataset = dataset.shuffle(buffer_size, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    return dataset


def batch_and_prefetch(dataset, *, batch_size, seed, shuffle):
    """Full batches only, prefetched, deterministic when the order is seeded.

    With `seed=None` and shuffling on, parallel maps may reorder elements for
    throughput since the order is random anyway.
    """
    dataset = dataset.batch(batch_size, drop_remainder=True)
    options = tf.data.Options()
    options.deterministic = seed is not None or not shuffle
    return dataset.with_options(options).prefetch(AUTOTUNE)


def split_labels(dataset, labels):
    """Drops the label of `(image, label)` elements unless `labels` is True."""
    if labels:
        return dataset
    return dataset.map(_image_only, num_parallel_calls=AUTOTUNE)


def _image_only(image, label):
    del label
    return image
