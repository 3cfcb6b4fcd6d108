"""The DCGAN train step through `fit()`, against plain `@tf.function` loops over the same networks.

    python benchmarks/dcgan_step.py                      # 32 px, batch 256, base_filters 64: minutes
    python benchmarks/dcgan_step.py --quick              # fewer, shorter rounds
    python benchmarks/dcgan_step.py --quality            # also: do bf16 samples look like f32 ones?
    python benchmarks/dcgan_step.py --networks=tutorial --image_size=28 --xla=false --players

For float32 and mixed_bfloat16, each without and with XLA, three contenders run on the same networks
(ganzoo's `DCGAN`; the plain loops get copies with the same initial weights) and the same digits
pipeline (`ganzoo.data.digits(image_size=32)`), in the same process, in rounds that alternate over
every contender of every setting (`_timing.py`):

- `fit`: `ganzoo.models.DCGAN.fit`, i.e. `GAN.train_step` (Goodfellow et al.'s Algorithm 1: update D on
  real and generated images, then update G on fresh noise against the updated D).
- `plain`: the same algorithm written as the TensorFlow DCGAN tutorial writes its step: a bare
  `@tf.function`, `BinaryCrossentropy(from_logits=True)`, `tf.random.normal`. fit/plain is the cost of
  ganzoo's and Keras' plumbing.
- `tutorial`: the tutorial's own step, both players updated at once from one generator pass (a cheaper
  algorithm: one G forward instead of two, two D forwards instead of three). fit/tutorial is the
  algorithm's price as well as the plumbing's.

Also measured: the input pipeline alone (images/s) against what the step consumes; FLOP/s achieved
(FLOPs counted analytically per layer, `step_flops`; TensorFlow's profiler on the traced graph is
printed too, as an upper bound) against this machine's float32 and bfloat16 matmul throughput, a
2048×2048 `tf.matmul` chain timed in the same rounds. The DCGAN discriminator has BatchNorm,
so one discriminator call on real and generated images concatenated would normalise them with shared
batch statistics, which changes the algorithm; it is not measured.

`--networks=tutorial` swaps the paper's networks for the TensorFlow tutorial's own (28 px: Dense to
7×7×256, 5×5 transposed convolutions with BatchNorm and LeakyReLU; D of two 5×5 convolutions with
dropout and a Dense logit), trained by `fit` through `ganzoo.models.GAN`. `--players` also times each
network alone, forward and forward + backward, in every precision: where the bfloat16 gain goes.

Prints a Markdown table of ratios, then the raw figures as JSON.
"""

import json
import time

from absl import app, flags
import keras
import numpy as np
import tensorflow as tf

import _timing
import ganzoo

FLAGS = flags.FLAGS
flags.DEFINE_integer("image_size", 32, "Side of the images.")
flags.DEFINE_integer("batch_size", 256, "Images per step.")
flags.DEFINE_integer("base_filters", 64, "Width of the networks (64 in the paper).")
flags.DEFINE_integer("latent_dim", 100, "Size of z (100 in the paper and the tutorial).")
flags.DEFINE_integer("warmup", 5, "Untimed steps of each contender before timing.")
flags.DEFINE_integer("steps", 20, "Timed steps per round.")
flags.DEFINE_integer("rounds", 3, "Alternating rounds of each contender.")
flags.DEFINE_list("precisions", ["float32", "mixed_bfloat16"], "Keras dtype policies to time.")
flags.DEFINE_list("xla", ["false", "true"], "jit_compile settings to time.")
flags.DEFINE_enum("networks", "paper", ["paper", "tutorial"],
                  "The paper's DCGAN networks (ganzoo.networks) or the TensorFlow tutorial's (28 px).")
flags.DEFINE_boolean("players", False, "Also time each network alone, forward and forward + backward.")
flags.DEFINE_boolean("quick", False, "2 warm-up steps, rounds of 5 steps, 2 rounds.")
flags.DEFINE_boolean("quality", False, "Also train small DCGANs in float32 and bfloat16 and judge them.")
flags.DEFINE_integer("quality_epochs", 24, "Epochs of each quality run (16 px digits, batch 64).")
flags.DEFINE_list("quality_seeds", ["1", "2"], "Seeds of the quality runs, per precision.")

CONTENDERS = ("fit", "plain", "tutorial")


# -- the plain steps, as the TensorFlow DCGAN tutorial writes them -------------------------------------

cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)


def discriminator_loss(real_output, fake_output):
    real_loss = cross_entropy(tf.ones_like(real_output), real_output)
    fake_loss = cross_entropy(tf.zeros_like(fake_output), fake_output)
    return real_loss + fake_loss


def generator_loss(fake_output):
    return cross_entropy(tf.ones_like(fake_output), fake_output)


def plain_step(generator, discriminator, generator_optimizer, discriminator_optimizer, xla):
    """fit's algorithm: D's update, then G's on fresh noise against the updated D."""
    batch_size, noise_dim = FLAGS.batch_size, FLAGS.latent_dim

    @tf.function(jit_compile=xla)
    def train_step(images):
        noise = tf.random.normal([batch_size, noise_dim])
        generated_images = generator(noise, training=True)
        with tf.GradientTape() as disc_tape:
            real_output = discriminator(images, training=True)
            fake_output = discriminator(generated_images, training=True)
            disc_loss = discriminator_loss(real_output, fake_output)
        gradients_of_discriminator = disc_tape.gradient(disc_loss, discriminator.trainable_variables)
        discriminator_optimizer.apply_gradients(
            zip(gradients_of_discriminator, discriminator.trainable_variables)
        )

        noise = tf.random.normal([batch_size, noise_dim])
        with tf.GradientTape() as gen_tape:
            fake_output = discriminator(generator(noise, training=True), training=True)
            gen_loss = generator_loss(fake_output)
        gradients_of_generator = gen_tape.gradient(gen_loss, generator.trainable_variables)
        generator_optimizer.apply_gradients(zip(gradients_of_generator, generator.trainable_variables))
        return disc_loss, gen_loss

    return train_step


def tutorial_step(generator, discriminator, generator_optimizer, discriminator_optimizer, xla):
    """The tutorial's step verbatim: one generator pass, both players updated from it."""
    batch_size, noise_dim = FLAGS.batch_size, FLAGS.latent_dim

    @tf.function(jit_compile=xla)
    def train_step(images):
        noise = tf.random.normal([batch_size, noise_dim])
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated_images = generator(noise, training=True)
            real_output = discriminator(images, training=True)
            fake_output = discriminator(generated_images, training=True)
            gen_loss = generator_loss(fake_output)
            disc_loss = discriminator_loss(real_output, fake_output)
        gradients_of_generator = gen_tape.gradient(gen_loss, generator.trainable_variables)
        gradients_of_discriminator = disc_tape.gradient(disc_loss, discriminator.trainable_variables)
        generator_optimizer.apply_gradients(zip(gradients_of_generator, generator.trainable_variables))
        discriminator_optimizer.apply_gradients(
            zip(gradients_of_discriminator, discriminator.trainable_variables)
        )
        return disc_loss, gen_loss

    return train_step


def _adam():
    return keras.optimizers.Adam(2e-4, beta_1=0.5)


def tutorial_networks():
    """The TensorFlow DCGAN tutorial's generator and discriminator (28 px), outputs kept float32."""
    layers = keras.layers
    generator = keras.Sequential([
        keras.Input((FLAGS.latent_dim,)),
        layers.Dense(7 * 7 * 256, use_bias=False), layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Reshape((7, 7, 256)),
        layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False),
        layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False),
        layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False, activation="tanh",
                               dtype="float32"),
    ], name="tutorial_generator")
    discriminator = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(64, 5, strides=2, padding="same"), layers.LeakyReLU(), layers.Dropout(0.3),
        layers.Conv2D(128, 5, strides=2, padding="same"), layers.LeakyReLU(), layers.Dropout(0.3),
        layers.Flatten(), layers.Dense(1, dtype="float32"),
    ], name="tutorial_discriminator")
    return generator, discriminator


def build_model(xla):
    """The GAN `fit` trains: ganzoo's DCGAN, or `ganzoo.models.GAN` over the tutorial's networks."""
    if FLAGS.networks == "tutorial":
        if FLAGS.image_size != 28:
            raise app.UsageError(f"--networks=tutorial needs --image_size=28; got {FLAGS.image_size}.")
        model = ganzoo.models.GAN(*tutorial_networks(), seed=0)
        model.compile(d_optimizer=_adam(), g_optimizer=_adam(), jit_compile=xla)
        return model
    shape = (FLAGS.image_size, FLAGS.image_size, 1)
    model = ganzoo.models.DCGAN(shape, FLAGS.latent_dim, FLAGS.base_filters, seed=0)
    model.compile(jit_compile=xla)
    return model


def _copy(network):
    clone = keras.models.clone_model(network)
    clone.set_weights(network.get_weights())
    return clone


# -- measurements -----------------------------------------------------------------------------------------


def dataset():
    return ganzoo.data.digits(
        image_size=FLAGS.image_size, batch_size=FLAGS.batch_size, seed=0, repeat=True
    )


def contenders(precision, xla):
    """({name: run(n)} for the three contenders, built under `precision`; the model; the plain step)."""
    keras.mixed_precision.set_global_policy(precision)
    try:
        keras.utils.set_random_seed(0)
        model = build_model(xla)
        steps = {}
        for name, make_step in (("plain", plain_step), ("tutorial", tutorial_step)):
            steps[name] = make_step(
                _copy(model.generator), _copy(model.discriminator), _adam(), _adam(), xla
            )
    finally:
        keras.mixed_precision.set_global_policy("float32")

    def run_fit(n):
        model.fit(dataset(), steps_per_epoch=n, epochs=1, verbose=0)

    def loop(step):
        def run(n):
            # A fresh iterator per round, as fit makes one per call.
            for _, images in zip(range(n), dataset()):
                losses = step(images)
            [float(loss) for loss in losses]

        return run

    return {"fit": run_fit, **{name: loop(step) for name, step in steps.items()}}, model, steps["plain"]


def profiler_flops(step):
    """FLOPs of one step by TensorFlow's profiler on the traced graph: an upper bound.

    The graph holds every gradient op `tf.GradientTape` emits, e.g. both a convolution's input and filter
    gradients where only one is used; Grappler prunes the unused ones before running, the profiler counts
    them (at the defaults: 114 GFLOP for either step, which execute about 106 and 88).
    """
    spec = tf.TensorSpec([FLAGS.batch_size, FLAGS.image_size, FLAGS.image_size, 1], tf.float32)
    graph = step.get_concrete_function(spec).graph
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    return tf.compat.v1.profiler.profile(graph, options=options).total_float_ops


def forward_flops(network):
    """Analytic FLOPs of one forward pass per image: 2 per multiply-add of its convolutions and dense
    layers (BatchNorm and activations add under 1%)."""
    total = 0
    for layer in network.layers:
        if isinstance(layer, keras.layers.Conv2DTranspose):  # each input pixel meets the whole kernel
            _, height, width, channels = layer.input.shape
            total += 2 * height * width * channels * int(np.prod(layer.kernel.shape[:2])) * layer.filters
        elif isinstance(layer, keras.layers.Conv2D):
            _, height, width, filters = layer.output.shape
            total += 2 * height * width * filters * int(np.prod(layer.kernel.shape[:3]))
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * int(np.prod(layer.kernel.shape))
    return total


def step_flops(model):
    """{contender: analytic FLOPs of one step}, with a backward pass costing twice its forward pass
    (input and weight gradients; the first layers' unneeded input gradients, under 2%, are counted).

    fit and plain: G forward, D forward on real and fake, D backward (2 × 2), G forward, D forward on
    fake, D input gradients only (1), G backward (2): 4·G + 8·D. The tutorial: one G forward, D on real
    and fake, G's loss backward through D (1) and G (2), D's loss backward (2 × 2): 3·G + 7·D.
    """
    g = forward_flops(model.generator) * FLAGS.batch_size
    d = forward_flops(model.discriminator) * FLAGS.batch_size
    algorithm = 4 * g + 8 * d
    return {"fit": algorithm, "plain": algorithm, "tutorial": 3 * g + 7 * d}


def matmul_runs(n=2048, chain=2):
    """{dtype: run(steps)}: each step a chain of `chain` n×n matmuls, the machine's practical peak.

    Timed in the same alternating rounds as the train steps, so the peak sees the same load; FLOPs per
    process-CPU second compare the step's use of the cores it gets with the best use of them.
    """
    runs = {}
    for dtype in (tf.float32, tf.bfloat16):
        matrix = tf.cast(tf.random.stateless_normal([n, n], seed=[0, 1]) / n**0.5, dtype)

        @tf.function
        def product(x, matrix=matrix):
            for _ in range(chain):
                x = tf.matmul(x, matrix)
            return x

        def run(steps, product=product, matrix=matrix):
            for _ in range(steps):
                result = product(matrix)
            result.numpy()

        runs[dtype.name] = run
    return runs, 2 * n**3 * chain


def player_runs(model, precision):
    """{(precision, "player", what): run(n)}: each network of `model` (built under `precision`) alone
    on a batch, forward and forward + backward (the gradients of every weight and of the input, as the
    GAN steps need them)."""
    runs = {}
    for name, network in (("G", model.generator), ("D", model.discriminator)):
        copy = _copy(network)  # clone_model keeps each layer's dtype policy, whatever the global one
        inputs = tf.random.stateless_normal([FLAGS.batch_size, *copy.input_shape[1:]], seed=[0, 2])

        @tf.function
        def forward(copy=copy, inputs=inputs):
            return copy(inputs, training=True)

        @tf.function
        def forward_backward(copy=copy, inputs=inputs):
            with tf.GradientTape() as tape:
                tape.watch(inputs)
                outputs = tf.reduce_sum(tf.cast(copy(inputs, training=True), tf.float32))
            return tape.gradient(outputs, [inputs, *copy.trainable_variables])

        for what, function in (("forward", forward), ("forward+backward", forward_backward)):
            def run(steps, function=function):
                for _ in range(steps):
                    result = function()
                tf.nest.map_structure(lambda tensor: tensor.numpy(), result)

            runs[precision, "player", f"{name} {what}"] = run
    return runs


def pipeline_images_per_second(batches=200):
    iterator = iter(dataset())
    for _ in range(10):
        next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return batches * FLAGS.batch_size / (time.perf_counter() - start)


# -- samples' quality under bfloat16 --------------------------------------------------------------------


def quality(precision, seed, classifier, real_features):
    """A 16 px DCGAN trained under `precision`, judged by the ganzoo digits classifier."""
    keras.mixed_precision.set_global_policy(precision)
    try:
        keras.utils.set_random_seed(seed)
        gan = ganzoo.models.DCGAN((16, 16, 1), latent_dim=32, base_filters=16, seed=seed)
        gan.compile()
        start = time.perf_counter()
        gan.fit(
            ganzoo.data.digits(image_size=16, batch_size=64, seed=0),
            epochs=FLAGS.quality_epochs,
            verbose=0,
        )
        seconds = time.perf_counter() - start
        samples = gan.generate(364, seed=5).astype(np.float32)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    features, probabilities = classifier.features_and_probabilities(samples)
    confident = probabilities.max(axis=1) > 0.9
    classes = np.bincount(probabilities.argmax(axis=1)[confident], minlength=10)
    return {
        "precision": precision,
        "seed": seed,
        "train_seconds": round(seconds, 1),
        "confident_share": round(float(confident.mean()), 3),
        "digits_confidently_present": int(np.sum(classes >= 3)),
        "digits_fid_364": round(ganzoo.metrics.frechet_distance(features, real_features), 1),
    }


# -- report -----------------------------------------------------------------------------------------------


def _ratio(a, b):
    return f"{a / b:.2f}"


def report(speeds, cpu_speeds, flops, peaks, pipeline):
    """Markdown rows: (ratio, precision, xla, wall, cpu)."""
    rows = []
    for (precision, xla), speed in speeds.items():
        cpu = cpu_speeds[precision, xla]
        tag = (precision, "XLA" if xla else "no XLA")
        rows.append(("fit / plain (same algorithm)", *tag, _ratio(speed["fit"], speed["plain"]),
                     _ratio(cpu["fit"], cpu["plain"])))
        rows.append(("fit / tutorial step", *tag, _ratio(speed["fit"], speed["tutorial"]),
                     _ratio(cpu["fit"], cpu["tutorial"])))
    for (precision, xla), speed in speeds.items():
        if xla and (precision, False) in speeds:
            base, cpu_base = speeds[precision, False], cpu_speeds[precision, False]
            for name in CONTENDERS:
                rows.append((f"XLA / no XLA, {name}", precision, "", _ratio(speed[name], base[name]),
                             _ratio(cpu_speeds[precision, xla][name], cpu_base[name])))
    for (precision, xla), speed in speeds.items():
        if precision != "float32" and ("float32", xla) in speeds:
            base, cpu_base = speeds["float32", xla], cpu_speeds["float32", xla]
            for name in CONTENDERS:
                rows.append((f"{precision} / float32, {name}", "", "XLA" if xla else "no XLA",
                             _ratio(speed[name], base[name]),
                             _ratio(cpu_speeds[precision, xla][name], cpu_base[name])))
    for (precision, xla), speed in speeds.items():
        need = speed["fit"] * FLAGS.batch_size
        rows.append(("pipeline images/s / fit's consumption", precision, "XLA" if xla else "no XLA",
                     _ratio(pipeline, need), ""))
    for (precision, xla), speed in speeds.items():
        cpu = cpu_speeds[precision, xla]
        for peak in ("float32", "bfloat16") if "bfloat16" in precision else ("float32",):
            for name in ("fit", "tutorial"):
                rows.append((f"achieved FLOP/s ({name}) / {peak} matmul peak", precision,
                             "XLA" if xla else "no XLA",
                             _ratio(flops[name] * speed[name], peaks[peak]["wall"]),
                             _ratio(flops[name] * cpu[name], peaks[peak]["cpu"])))
    lines = [
        "| ratio | precision | XLA | wall clock | process CPU |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv):
    del argv
    if FLAGS.quick:
        FLAGS.warmup, FLAGS.steps, FLAGS.rounds = 2, 5, 2
    raw = {"device": _timing.device(), "batch_size": FLAGS.batch_size, "image_size": FLAGS.image_size,
           "base_filters": FLAGS.base_filters, "warmup": FLAGS.warmup, "steps": FLAGS.steps,
           "rounds": FLAGS.rounds}

    pipeline = pipeline_images_per_second()
    raw["pipeline_images_per_second"] = round(pipeline)

    # Every contender of every (precision, XLA) group, and the matmul peaks, in the same alternating
    # rounds: the load of a shared machine changes within minutes, and ratios across groups need it equal.
    groups = [(precision, value.lower() == "true") for precision in FLAGS.precisions for value in FLAGS.xla]
    runs, flops = {}, {}
    for precision, xla in groups:
        group, model, plain = contenders(precision, xla)
        runs.update({(precision, xla, name): run for name, run in group.items()})
        if FLAGS.players and not xla:
            runs.update(player_runs(model, precision))
        if not flops:
            flops = step_flops(model)
            raw["profiler_gflop_upper_bound"] = round(profiler_flops(plain) / 1e9, 1)
    peak_runs, matmul_flops = matmul_runs()
    runs.update({("peak", dtype): run for dtype, run in peak_runs.items()})
    started = time.perf_counter()
    timings = _timing.medians(_timing.time_rounds(runs, FLAGS.steps, FLAGS.rounds, warmup=FLAGS.warmup))
    raw["timing_seconds"] = round(time.perf_counter() - started)

    peaks = {key[1]: {clock: matmul_flops / t for clock, t in timings[key].items()}
             for key in runs if key[0] == "peak"}
    speeds = {group: {name: 1 / timings[(*group, name)]["wall"] for name in CONTENDERS} for group in groups}
    cpu_speeds = {group: {name: 1 / timings[(*group, name)]["cpu"] for name in CONTENDERS}
                  for group in groups}
    for precision, xla in groups:
        raw[f"{precision}, xla={xla}"] = {
            name: {"steps_per_second": round(speeds[precision, xla][name], 3),
                   "cpu_seconds_per_step": round(timings[precision, xla, name]["cpu"], 3)}
            for name in CONTENDERS
        }
    raw["matmul_gflop_per_second"] = {
        dtype: {"wall": round(rates["wall"] / 1e9, 1), "per_cpu_second": round(rates["cpu"] / 1e9, 1)}
        for dtype, rates in peaks.items()
    }
    raw["analytic_gflop_per_step"] = {name: round(value / 1e9, 1) for name, value in flops.items()}
    players = sorted({key[2] for key in runs if key[1] == "player"})
    if players:
        base = FLAGS.precisions[0]
        raw["players_cpu_seconds"] = {
            what: {precision: round(timings[precision, "player", what]["cpu"], 4)
                   for precision in FLAGS.precisions}
            for what in players
        }
        raw[f"players_speedup_over_{base}_cpu"] = {
            what: {precision: round(timings[base, "player", what]["cpu"]
                                    / timings[precision, "player", what]["cpu"], 2)
                   for precision in FLAGS.precisions[1:]}
            for what in players
        }

    if FLAGS.quality:
        classifier = ganzoo.metrics.DigitsClassifier.pretrained()
        real, _ = ganzoo.data.digits_arrays(image_size=16, split="test")
        real_features = classifier.features(real)
        raw["quality"] = []
        for seed in FLAGS.quality_seeds:
            for precision in ("float32", "mixed_bfloat16"):
                raw["quality"].append(quality(precision, int(seed), classifier, real_features))
                print(json.dumps(raw["quality"][-1]), flush=True)

    print()
    print(report(speeds, cpu_speeds, flops, peaks, pipeline))
    print()
    print(json.dumps(raw, indent=1))


if __name__ == "__main__":
    app.run(main)
