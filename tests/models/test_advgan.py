"""AdvGAN: the paper's objective step by step, a frozen target, and learning to fool it on real digits.

The shared contract (tests/models/test_contract.py) covers player isolation, configs, reloads, resume
and replicas.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import harness
from digit_classifier import accuracy, train_digit_classifier
from ganzoo import attacks, export, models, networks
from ganzoo.models import advgan

SIDE = 16


def _images(n, seed):
    return np.random.default_rng(seed).uniform(-1, 1, (n, SIDE, SIDE, 1)).astype(np.float32)


def _tiny(**kwargs):
    classifier = networks.convnet_classifier((SIDE, SIDE, 1), base_filters=4)
    return models.AdvGAN(classifier, base_filters=4, residual_blocks=1, seed=1, **kwargs)


def test_margin_loss_by_hand():
    logits = tf.constant([[1.0, 4.0, 2.0], [5.0, 0.0, 1.0]])
    # untargeted, true classes 1 and 2: max(0, Z_y − max_{i≠y} Z_i + κ)
    np.testing.assert_allclose(advgan.margin_loss(logits, [1, 2]), [2.0, 0.0])
    np.testing.assert_allclose(advgan.margin_loss(logits, [1, 2], confidence=5.0), [7.0, 1.0])
    # targeted at class 0: max(0, max_{i≠t} Z_i − Z_t + κ)
    np.testing.assert_allclose(advgan.margin_loss(logits, [0, 0], targeted=True), [3.0, 0.0])
    np.testing.assert_allclose(advgan.margin_loss(logits, [0, 0], targeted=True, confidence=5.0), [8.0, 1.0])


def test_one_step_is_the_papers_objective():
    """D: least squares on x vs clip(x + G(x)); then G: L_adv + α·L_GAN + β·max(0, ‖G(x)‖₂ − c) against
    the UPDATED D. Replayed by hand with plain SGD and compared weight for weight."""
    images, labels = _images(4, 0), np.array([0, 1, 2, 3], np.int32)
    model = _tiny(c=0.05, confidence=1.0, norm="none")
    model.compile(
        d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1),
        gan_weight=0.3, hinge_weight=2.0,
    )
    manual = _tiny(c=0.05, confidence=1.0, norm="none")
    manual.set_weights(model.get_weights())
    generator, discriminator, classifier = manual.generator, manual.discriminator, manual.classifier

    adversarial = tf.clip_by_value(images + generator(images), -1.0, 1.0)
    with tf.GradientTape() as tape:
        real, fake = discriminator(images), discriminator(adversarial)
        d_loss = tf.reduce_mean(0.5 * tf.square(real[:, 0] - 1.0) + 0.5 * tf.square(fake[:, 0]))
    for variable, gradient in zip(
        discriminator.trainable_variables, tape.gradient(d_loss, discriminator.trainable_variables)
    ):
        variable.assign_sub(0.1 * gradient)
    with tf.GradientTape() as tape:
        perturbations = generator(images)
        adversarial = tf.clip_by_value(images + perturbations, -1.0, 1.0)
        gan = 0.5 * tf.square(discriminator(adversarial)[:, 0] - 1.0)
        logits = classifier(adversarial)
        true = tf.gather(logits, labels, batch_dims=1)
        other = tf.reduce_max(tf.where(tf.one_hot(labels, 10) > 0, -np.inf, logits), axis=1)
        adv = tf.nn.relu(true - other + 1.0)
        hinge = tf.nn.relu(tf.norm(tf.reshape(perturbations, [4, -1]), axis=1) - 0.05)
        g_loss = tf.reduce_mean(adv + 0.3 * gan + 2.0 * hinge)
    for variable, gradient in zip(
        generator.trainable_variables, tape.gradient(g_loss, generator.trainable_variables)
    ):
        variable.assign_sub(0.1 * gradient)

    logs = model.fit(tf.data.Dataset.from_tensors((images, labels)), epochs=1, verbose=0).history
    assert logs["d_loss"][0] == pytest.approx(float(d_loss), rel=1e-5)
    assert logs["g_gan_loss"][0] == pytest.approx(float(tf.reduce_mean(gan)), rel=1e-5)
    assert logs["g_adv_loss"][0] == pytest.approx(float(tf.reduce_mean(adv)), rel=1e-5)
    assert logs["g_hinge_loss"][0] == pytest.approx(float(tf.reduce_mean(hinge)), rel=1e-4)
    for expected, actual in zip(manual.weights, model.weights):
        np.testing.assert_allclose(np.array(actual), np.array(expected), atol=1e-5, err_msg=actual.path)


def test_the_target_classifier_is_frozen_but_passes_gradients_to_the_generator():
    model = _tiny()
    # Only the classifier's loss drives G: if no gradient came through the classifier, G would not move.
    model.compile(gan_weight=0.0, hinge_weight=0.0)
    classifier = model.classifier
    assert not classifier.trainable and classifier.trainable_variables == []
    assert classifier.weights and all(not w.trainable for w in classifier.weights)
    optimized = {id(v) for opt in (model.d_optimizer, model.g_optimizer) for v in opt._trainable_variables}
    assert not optimized & {id(w) for w in classifier.weights}
    assert not {id(v) for v in model.trainable_variables} & {id(w) for w in classifier.weights}

    classifier_before = [np.array(w) for w in classifier.weights]
    generator_before = [np.array(w) for w in model.generator.trainable_variables]
    images = _images(16, 2)
    labels = np.argmax(np.asarray(classifier(images)), axis=-1)  # the clean answers: L_adv > 0
    model.fit(tf.data.Dataset.from_tensor_slices((images, labels)).batch(8), epochs=2, verbose=0)
    for before, after in zip(classifier_before, classifier.weights):
        np.testing.assert_array_equal(before, np.array(after))
    assert all(
        not np.array_equal(before, np.array(after))
        for before, after in zip(generator_before, model.generator.trainable_variables)
    )


def test_translate_is_the_clipped_adversarial_image_and_labels_default_to_the_classifiers():
    model = _tiny(max_perturbation=0.5)
    images = _images(6, 3)
    adversarial = np.asarray(model.translate(images))
    np.testing.assert_allclose(
        adversarial, np.clip(images + np.asarray(model.generator(images)), -1, 1), atol=1e-6
    )
    assert np.abs(adversarial - images).max() <= 0.5 + 1e-6
    np.testing.assert_allclose(model.perturb(images), adversarial - images, atol=1e-6)
    np.testing.assert_array_equal(model.predict(images, verbose=0), adversarial)
    clean = np.argmax(np.asarray(model.classifier(images)), axis=-1)
    np.testing.assert_array_equal(model.attack_labels(images), clean)
    np.testing.assert_array_equal(_tiny(target_class=7).attack_labels(images), [7] * 6)


def test_bad_settings_are_refused_with_what_was_received():
    classifier = networks.convnet_classifier((SIDE, SIDE, 1), base_filters=4)
    with pytest.raises(ValueError, match="received 10"):
        models.AdvGAN(classifier, target_class=10)
    with pytest.raises(ValueError, match=r"\(32, 32, 1\)"):
        models.AdvGAN(classifier, image_shape=(32, 32, 1))
    assert models.get("advgan") is models.AdvGAN


def test_export_serves_adversarial_uint8_images_and_pngs(tmp_path):
    model = _tiny()
    path = export.save(model, str(tmp_path / "advgan"))
    loaded = tf.saved_model.load(path)
    images = np.random.default_rng(4).integers(0, 256, (3, SIDE, SIDE, 1)).astype(np.uint8)
    served = loaded.signatures["serving_default"](images=tf.constant(images))["images"].numpy()
    expected = export.to_uint8(model.translate(images.astype(np.float32) / 127.5 - 1.0)).numpy()
    harness.assert_same_images(served, expected)
    pngs = [tf.io.encode_png(image) for image in images]
    encoded = loaded.signatures["serving_bytes"](image_bytes=tf.stack(pngs))["images_bytes"]
    harness.assert_same_images(tf.io.decode_png(encoded[1]).numpy(), expected[1])


def test_learns_to_fool_a_real_digit_classifier_with_small_perturbations():
    """Trained on the train digits, AdvGAN fools the classifier on most HELD-OUT digits it got right,
    one forward pass each, with ‖δ‖₂ near the bound c; PGD at the same mean L2 is the yardstick.
    The classifier's clean accuracy is what it was before."""
    classifier, (train_images, train_labels), (images, labels) = train_digit_classifier()
    clean = accuracy(classifier, images, labels)
    correct = np.argmax(np.asarray(classifier(images)), axis=-1) == labels
    keras.utils.set_random_seed(0)
    model = models.AdvGAN(classifier, c=2.5, confidence=5.0, seed=0)
    model.compile(
        d_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
        gan_weight=0.1,
    )
    data = tf.data.Dataset.from_tensor_slices((train_images, train_labels)).shuffle(2000, seed=0)
    model.fit(data.batch(32, drop_remainder=True), epochs=10, verbose=0)

    adversarial = model.translate(images)
    rate = attacks.success_rate(classifier, adversarial, labels, mask=correct)
    l2 = np.asarray(attacks.perturbation_norms(adversarial, images))
    pgd = attacks.pgd(classifier, images, labels, float(l2.mean()), norm="2", steps=20, seed=0,
                      clip_min=-1.0, clip_max=1.0)
    pgd_rate = attacks.success_rate(classifier, pgd, labels, mask=correct)
    print(f"AdvGAN {rate:.3f} at mean L2 {l2.mean():.3f}; PGD {pgd_rate:.3f}")
    assert rate >= 0.6, (rate, pgd_rate)
    assert rate >= pgd_rate - 0.25, (rate, pgd_rate)
    assert l2.mean() <= 2.5 + 0.2 and l2.max() <= 2.5 + 0.5, (l2.mean(), l2.max())
    assert accuracy(classifier, images, labels) == clean


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
