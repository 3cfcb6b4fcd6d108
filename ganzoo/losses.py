"""Adversarial losses as pure functions of discriminator logits.

Every function returns one loss per example, shape [batch]: logits of any rank (a single logit per image,
or a PatchGAN map of logits per image) are averaged over all but the batch axis. The models reduce these
per-example losses against the global batch (`tf.nn.compute_average_loss`), which is what keeps N replicas
equivalent to one; a loss here never reduces over the batch itself.

Names follow TF-GAN: `<game>_generator_loss` / `<game>_discriminator_loss`, and `get(name)` resolves a game
by name, so `model.compile(loss="hinge")` switches the game.
"""

import collections

import tensorflow as tf


def _per_example_mean(values):
    """Mean over every axis but the first, so a PatchGAN map counts once per image."""
    values = tf.convert_to_tensor(values)
    if values.shape.rank is not None and values.shape.rank <= 1:
        return values
    return tf.reduce_mean(tf.reshape(values, [tf.shape(values)[0], -1]), axis=1)


def _float32(logits):
    """Losses are computed in float32 whatever the logits' dtype (mixed precision)."""
    return tf.cast(logits, tf.float32)


def minimax_discriminator_loss(real_logits, fake_logits):
    """-log D(x) - log(1 - D(G(z))), with D = sigmoid(logits) (Goodfellow et al. 2014, eq. 1)."""
    # -log sigmoid(l) = softplus(-l) and -log(1 - sigmoid(l)) = softplus(l): stable for any logit.
    return _per_example_mean(tf.nn.softplus(-_float32(real_logits))) + _per_example_mean(
        tf.nn.softplus(_float32(fake_logits))
    )


def minimax_generator_loss(fake_logits):
    """log(1 - D(G(z))): the generator's side of the zero-sum game; saturates when D wins early."""
    return -_per_example_mean(tf.nn.softplus(_float32(fake_logits)))


def non_saturating_generator_loss(fake_logits):
    """-log D(G(z)): same fixed point as minimax, strong gradients when D rejects the samples."""
    return _per_example_mean(tf.nn.softplus(-_float32(fake_logits)))


def wasserstein_discriminator_loss(real_logits, fake_logits):
    """D(G(z)) - D(x): the critic maximises the gap; no sigmoid, no log (Arjovsky et al. 2017)."""
    return _per_example_mean(_float32(fake_logits)) - _per_example_mean(
        _float32(real_logits)
    )


def wasserstein_generator_loss(fake_logits):
    """-D(G(z))."""
    return -_per_example_mean(_float32(fake_logits))


def hinge_discriminator_loss(real_logits, fake_logits):
    """max(0, 1 - D(x)) + max(0, 1 + D(G(z))) (Lim & Ye 2017; Miyato et al. 2018)."""
    real_logits = _float32(real_logits)
    fake_logits = _float32(fake_logits)
    return _per_example_mean(tf.nn.relu(1.0 - real_logits)) + _per_example_mean(
        tf.nn.relu(1.0 + fake_logits)
    )


def hinge_generator_loss(fake_logits):
    """-D(G(z))."""
    return -_per_example_mean(_float32(fake_logits))


def least_squares_discriminator_loss(real_logits, fake_logits):
    """½(D(x) - 1)² + ½D(G(z))² (Mao et al. 2017, a = 0, b = c = 1)."""
    real_logits = _float32(real_logits)
    fake_logits = _float32(fake_logits)
    return 0.5 * _per_example_mean(tf.square(real_logits - 1.0)) + 0.5 * _per_example_mean(
        tf.square(fake_logits)
    )


def least_squares_generator_loss(fake_logits):
    """½(D(G(z)) - 1)²."""
    return 0.5 * _per_example_mean(tf.square(_float32(fake_logits) - 1.0))


Game = collections.namedtuple("Game", ["name", "discriminator_loss", "generator_loss"])

_GAMES = {
    "minimax": Game("minimax", minimax_discriminator_loss, minimax_generator_loss),
    "non_saturating": Game(
        "non_saturating", minimax_discriminator_loss, non_saturating_generator_loss
    ),
    "wasserstein": Game(
        "wasserstein", wasserstein_discriminator_loss, wasserstein_generator_loss
    ),
    "hinge": Game("hinge", hinge_discriminator_loss, hinge_generator_loss),
    "least_squares": Game(
        "least_squares", least_squares_discriminator_loss, least_squares_generator_loss
    ),
}


def names():
    """The game names `get` accepts."""
    return sorted(_GAMES)


def get(name):
    """Returns the `Game` (discriminator_loss, generator_loss) called `name`."""
    if isinstance(name, Game):
        return name
    try:
        return _GAMES[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown GAN loss {name!r}. Expected one of {names()}."
        ) from None
