"""Adversarial examples against any Keras classifier: FGSM and PGD under an L∞ or an L2 budget.

Both attacks take images as floats in the classifier's input range `[clip_min, clip_max]` ([0, 1] by
default; ganzoo's own images are in [-1, 1], so pass `clip_min=-1.0`) and return adversarial images in
that range whose perturbation from the input has norm at most `epsilon` for every image (up to float32
rounding, about 1e-7 of the pixel scale).

The classifier returns logits by default (`from_logits=False` for probabilities); the attacks follow the
gradient of its cross-entropy and call it with `training=False`, so BatchNorm and dropout run in
inference mode and the classifier's weights never change.

- untargeted (`targeted=False`): `labels` are the true classes; the attack climbs their cross-entropy.
- targeted (`targeted=True`): `labels` are the classes to reach; the attack descends their cross-entropy.

Every step ends by projecting the perturbation onto the ε-ball, then clipping the image to the valid range,
in that order. The clip can only shrink each coordinate of the perturbation (the clean image is inside the
range, so clipping moves x + δ towards it coordinate by coordinate), so after both the image is in range
AND the perturbation in the ball. (The other order keeps both too, for these two balls: an L∞ projection
is itself a coordinate-wise clip, and the L2 projection scales δ by s ≤ 1, which keeps x + sδ between two
in-range points.) The result is not the exact Euclidean projection onto the intersection, which PGD does
not need.

Reference: Goodfellow, Shlens & Szegedy, "Explaining and Harnessing Adversarial Examples", ICLR 2015
(FGSM); Madry et al., "Towards Deep Learning Models Resistant to Adversarial Attacks", ICLR 2018 (PGD with
random start).
"""

import random

import tensorflow as tf

NORMS = ("inf", "2")
_TINY = 1e-12  # keeps a zero gradient or a zero perturbation from dividing by zero


def _check_norm(norm):
    norm = str(norm).lower()
    if norm in ("linf", "l_inf", "infinity", "np.inf"):
        norm = "inf"
    if norm in ("l2", "two"):
        norm = "2"
    if norm not in NORMS:
        raise ValueError(f"norm must be 'inf' or '2'; received {norm!r}.")
    return norm


def _check_epsilon(epsilon):
    if not float(epsilon) >= 0.0:
        raise ValueError(f"epsilon must be a non-negative number; received {epsilon!r}.")
    return float(epsilon)


def _per_sample_norm(values, norm):
    """The L2 or L∞ norm of each sample, shape [batch, 1, ..., 1] (broadcasts against `values`)."""
    axes = list(range(1, values.shape.rank))
    if norm == "inf":
        return tf.reduce_max(tf.abs(values), axis=axes, keepdims=True)
    return tf.sqrt(tf.reduce_sum(tf.square(values), axis=axes, keepdims=True))


def perturbation_norms(adversarial, images, norm="2"):
    """‖adversarial − images‖ of each sample, shape [batch], in float32."""
    difference = tf.cast(adversarial, tf.float32) - tf.cast(images, tf.float32)
    return tf.reshape(_per_sample_norm(difference, _check_norm(norm)), [-1])


def project(perturbations, epsilon, norm="2"):
    """Each sample's perturbation projected onto the ball ‖δ‖ ≤ ε of the norm."""
    norm = _check_norm(norm)
    if norm == "inf":
        return tf.clip_by_value(perturbations, -epsilon, epsilon)
    length = _per_sample_norm(perturbations, norm)
    return perturbations * tf.minimum(1.0, epsilon / tf.maximum(length, _TINY))


def _steepest_ascent(gradient, norm):
    """The unit-norm step of largest increase: sign(g) for L∞, g / ‖g‖₂ for L2 (0 where g = 0)."""
    if norm == "inf":
        return tf.sign(gradient)
    return gradient / tf.maximum(_per_sample_norm(gradient, norm), _TINY)


def _cross_entropy(labels, outputs, from_logits):
    if from_logits:
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=outputs)
    probabilities = tf.gather(outputs, labels, axis=-1, batch_dims=1)
    return -tf.math.log(tf.maximum(probabilities, 1e-12))


def _loss_gradient(classifier, images, labels, from_logits, targeted):
    """∇ₓ of the cross-entropy, signed so that following it is the attack's direction."""
    with tf.GradientTape() as tape:
        tape.watch(images)
        outputs = tf.cast(classifier(images, training=False), tf.float32)
        per_example = _cross_entropy(labels, outputs, from_logits)
        objective = -tf.reduce_sum(per_example) if targeted else tf.reduce_sum(per_example)
    return tape.gradient(objective, images)


def _step(classifier, clean, adversarial, labels, epsilon, step_size, norm, targeted, from_logits,
          clip_min, clip_max):
    gradient = _loss_gradient(classifier, adversarial, labels, from_logits, targeted)
    moved = adversarial + step_size * _steepest_ascent(gradient, norm)
    perturbation = project(moved - clean, epsilon, norm)  # project, then clip: both hold after
    return tf.clip_by_value(clean + perturbation, clip_min, clip_max)


def _prepare(images, labels, clip_min, clip_max):
    if not clip_min < clip_max:
        raise ValueError(f"clip_min must be below clip_max; received [{clip_min}, {clip_max}].")
    images = tf.cast(tf.convert_to_tensor(images), tf.float32)
    labels = tf.cast(tf.reshape(tf.convert_to_tensor(labels), [-1]), tf.int32)
    checks = [
        tf.debugging.assert_greater_equal(
            images, tf.constant(clip_min, tf.float32),
            message=f"images must lie in [clip_min, clip_max] = [{clip_min}, {clip_max}]",
        ),
        tf.debugging.assert_less_equal(
            images, tf.constant(clip_max, tf.float32),
            message=f"images must lie in [clip_min, clip_max] = [{clip_min}, {clip_max}]",
        ),
        tf.debugging.assert_equal(
            tf.shape(labels)[0], tf.shape(images)[0],
            message="labels must hold one class per image",
        ),
    ]
    with tf.control_dependencies(checks):
        return tf.identity(images), tf.identity(labels)


def fgsm(classifier, images, labels, epsilon, norm="inf", targeted=False, clip_min=0.0, clip_max=1.0,
         from_logits=True):
    """The fast gradient sign method: one step of size ε along the loss gradient's steepest direction.

    L∞: x' = clip(x + ε·sign(∇ₓL)); L2 (the "fast gradient method"): x' = clip(x + ε·∇ₓL / ‖∇ₓL‖₂),
    with L the cross-entropy of `labels` (descended instead when `targeted`).

    Args:
        classifier: a Keras model (or any callable taking `training=`) mapping images to class logits
            (probabilities with `from_logits=False`).
        images: float images [batch, ...] in [clip_min, clip_max].
        labels: int classes [batch]: the true ones, or the targets when `targeted`.
        epsilon: the budget ε, in the units of the images.
        norm: "inf" or "2".
        targeted: move towards `labels` instead of away from them.
        clip_min, clip_max: the valid range of the classifier's inputs.
        from_logits: whether the classifier returns logits.

    Returns:
        The adversarial images, float32, same shape, in range, with ‖x' − x‖ ≤ ε per image.
    """
    norm, epsilon = _check_norm(norm), _check_epsilon(epsilon)
    images, labels = _prepare(images, labels, clip_min, clip_max)
    return _step(classifier, images, images, labels, epsilon, epsilon, norm, targeted, from_logits,
                 clip_min, clip_max)


def random_start(images, epsilon, norm, seed, clip_min=0.0, clip_max=1.0):
    """x + δ with δ uniform in the ε-ball, clipped to the range; stateless, seeded by `seed`.

    L∞: each coordinate uniform in [-ε, ε]. L2: a uniform direction (a normalised Gaussian) times a
    radius ε·u^(1/d), u uniform in [0, 1] and d the number of coordinates, which is uniform in the ball.
    """
    norm = _check_norm(norm)
    images = tf.cast(images, tf.float32)
    shape = tf.shape(images)
    if norm == "inf":
        delta = tf.random.stateless_uniform(shape, seed=[seed, 0], minval=-epsilon, maxval=epsilon)
    else:
        direction = tf.random.stateless_normal(shape, seed=[seed, 1])
        direction /= tf.maximum(_per_sample_norm(direction, norm), _TINY)
        dimensions = tf.cast(tf.reduce_prod(shape[1:]), tf.float32)
        radius_shape = tf.concat([shape[:1], tf.ones_like(shape[1:])], axis=0)
        u = tf.random.stateless_uniform(radius_shape, seed=[seed, 2])
        delta = direction * (epsilon * tf.pow(u, 1.0 / dimensions))
        delta = project(delta, epsilon, norm)  # rounding of the radius never leaves the ball
    return tf.clip_by_value(images + delta, clip_min, clip_max)


def pgd(classifier, images, labels, epsilon, norm="inf", steps=40, step_size=None, targeted=False,
        seed=None, clip_min=0.0, clip_max=1.0, from_logits=True, random_init=True):
    """Projected gradient descent (Madry et al. 2018): iterated FGSM steps, each projected on the ε-ball.

    Starts from a uniform random point of the ε-ball around each image (`random_init`), then takes
    `steps` steps of `step_size` along sign(∇ₓL) (L∞) or ∇ₓL / ‖∇ₓL‖₂ (L2); after each step the
    perturbation is projected onto the ball and the image clipped to the range.

    Args:
        classifier, images, labels, norm, targeted, clip_min, clip_max, from_logits: as `fgsm`.
        epsilon: the budget ε.
        steps: number of gradient steps.
        step_size: length of each step; 2.5·ε/steps when None (Madry et al.'s rule: enough to cross the
            ball and back).
        seed: integer seed of the random start: the same seed gives the same adversarial images. None
            draws one from Python's `random` (which `keras.utils.set_random_seed` seeds).
        random_init: start from a random point of the ball (True) or from the clean image.

    Returns:
        The adversarial images, float32, same shape, in range, with ‖x' − x‖ ≤ ε per image.
    """
    norm, epsilon = _check_norm(norm), _check_epsilon(epsilon)
    steps = int(steps)
    if steps < 1:
        raise ValueError(f"steps must be a positive integer; received {steps}.")
    step_size = 2.5 * epsilon / steps if step_size is None else float(step_size)
    if not step_size > 0.0:
        raise ValueError(f"step_size must be positive; received {step_size}.")
    seed = random.randrange(2**31 - 1) if seed is None else int(seed)
    images, labels = _prepare(images, labels, clip_min, clip_max)
    start = random_start(images, epsilon, norm, seed, clip_min, clip_max) if random_init else images
    return _pgd_loop(
        classifier, images, labels, start,
        tf.constant(epsilon, tf.float32), tf.constant(step_size, tf.float32),
        steps, norm, bool(targeted), bool(from_logits), float(clip_min), float(clip_max),
    )


@tf.function(reduce_retracing=True)
def _pgd_loop(classifier, clean, labels, start, epsilon, step_size, steps, norm, targeted, from_logits,
              clip_min, clip_max):
    # One graph for the whole loop: eagerly, each of the steps would pay Python's per-op overhead.
    adversarial = start
    for _ in tf.range(steps):
        adversarial = _step(classifier, clean, adversarial, labels, epsilon, step_size, norm, targeted,
                            from_logits, clip_min, clip_max)
    return adversarial


def success_rate(classifier, adversarial, labels, targeted=False, mask=None):
    """The fraction of images on which the attack succeeded.

    Untargeted: the classifier's answer on `adversarial` differs from `labels` (the true classes);
    targeted: it equals `labels` (the targets). `mask` (bool [batch]) restricts the count, e.g. to the
    images the classifier gets right when clean.
    """
    predictions = tf.argmax(classifier(adversarial, training=False), axis=-1, output_type=tf.int32)
    labels = tf.cast(tf.reshape(labels, [-1]), tf.int32)
    success = tf.equal(predictions, labels) if targeted else tf.not_equal(predictions, labels)
    if mask is not None:
        success = tf.boolean_mask(success, mask)
    return float(tf.reduce_mean(tf.cast(success, tf.float32)))


def evaluate(classifier, adversarial, images, labels, targeted=False, mask=None):
    """{"success_rate", "mean_l2", "mean_linf"} of an attack's output, over `mask` when given.

    Norms are of the perturbation as applied, `adversarial − images`, in the images' units.
    """
    l2 = perturbation_norms(adversarial, images, "2")
    linf = perturbation_norms(adversarial, images, "inf")
    if mask is not None:
        l2, linf = tf.boolean_mask(l2, mask), tf.boolean_mask(linf, mask)
    return {
        "success_rate": success_rate(classifier, adversarial, labels, targeted, mask),
        "mean_l2": float(tf.reduce_mean(l2)),
        "mean_linf": float(tf.reduce_mean(linf)),
    }
