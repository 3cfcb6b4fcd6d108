"""Mode collapse on the 2-D Gaussian mixtures: PacGAN's Table 1 protocol, for the zoo's games and options.

    python benchmarks/mode_collapse.py                                  # every configuration, 5 seeds
    python benchmarks/mode_collapse.py --configs=gan,ganzoo --mixtures=grid --seeds=3

Each configuration trains MLPs (3 hidden layers of 128 ReLU units, z of size 2) on a fresh stream of
samples of the ring (8 modes on the unit circle, std 0.01) or the grid (25 modes at {-4,-2,0,2,4}², std
0.05), then scores 2,500 samples as PacGAN (Lin et al. 2018, after VEEGAN) does: modes captured (at least
20 samples within 3 std), the share of high-quality samples (within 3 std of their nearest mode), and the
reverse KL of the nearest-mode histogram to the uniform mixture weights. Each figure is the mean over
seeds ± its standard error. Prints a Markdown table for benchmarks/RESULTS.md, and with --output writes
every run's numbers as JSON.
"""

import dataclasses
import json
import sys
import time

import keras
import numpy as np
from absl import app, flags

import ganzoo


@dataclasses.dataclass(frozen=True)
class Config:
    """One row of the table: the game, the options, and the budget."""

    label: str
    model: str = "gan"  # "gan" or "wgan_gp"
    loss: str = "non_saturating"
    pack: int = 1
    shared_first_layer: bool = False  # the packed samples share the discriminator's first layer
    spectral_norm: bool = False
    r1_weight: float = 0.0
    ema_decay: float = None
    hidden_units: tuple = (128, 128, 128)
    batch_size: int = 256
    steps: int = 10_000  # generator updates
    learning_rate: float = 1e-3
    beta_1: float = 0.5
    beta_2: float = 0.999
    decay: bool = True  # the learning rate falls 10× at 70% of the steps and 100× at 85%
    n_critic: int = 1


CONFIGURATIONS = {
    "gan": Config("GAN (non-saturating)"),
    "gan_pack2": Config("GAN, packing 2 (PacGAN2)", pack=2),
    "gan_pack4": Config("GAN, packing 4 (PacGAN4)", pack=4),
    "wgan_gp": Config(
        "WGAN-GP (n_critic 5, Adam(1e-4, 0, 0.9))",
        model="wgan_gp",
        loss="wasserstein",
        steps=4_000,
        learning_rate=1e-4,
        beta_1=0.0,
        beta_2=0.9,
        decay=False,
        n_critic=5,
    ),
    "gan_pack4_shared": Config(
        "packing 4, first layer shared by the packed samples", pack=4, shared_first_layer=True
    ),
    "hinge_sn": Config("hinge loss + spectral norm", loss="hinge", spectral_norm=True),
    "gan_r1": Config("GAN + R1 (γ = 0.1)", r1_weight=0.1),
    "gan_pack2_r1": Config("packing 2 + R1 (γ = 0.1)", pack=2, r1_weight=0.1),
    "ganzoo": Config(
        "**ganzoo: packing 2 + R1 (γ = 0.1), batch 512, 20k steps**",
        pack=2,
        r1_weight=0.1,
        batch_size=512,
        steps=20_000,
    ),
}

flags.DEFINE_list("configs", list(CONFIGURATIONS), f"Rows to run, of {list(CONFIGURATIONS)}.")
flags.DEFINE_list("mixtures", ["ring", "grid"], "Mixtures: ring, grid.")
flags.DEFINE_integer("seeds", 5, "Seeds per (configuration, mixture): 0, 1, ...")
flags.DEFINE_integer("first_seed", 0, "The first seed.")
flags.DEFINE_float("step_fraction", 1.0, "Scales every configuration's steps (a quick look: 0.1).")
flags.DEFINE_string("output", "", "A JSON file for every run's numbers (appended to as runs finish).")
flags.DEFINE_list("tables_from", [], "Print the table from these --output files instead of training.")
FLAGS = flags.FLAGS

EVALUATION_SAMPLES = 2500
PACGAN_TABLE_1 = {  # Lin et al. 2018, Table 1: (modes, high-quality %, reverse KL)
    ("ring", "GAN"): (6.3, 98.2, 0.45),
    ("ring", "PacGAN4"): (7.8, 95.9, 0.07),
    ("grid", "GAN"): (17.3, 94.8, 0.70),
    ("grid", "PacGAN4"): (24.8, 93.6, 0.04),
}


def _optimizer(config, steps):
    rate = config.learning_rate
    if config.decay:
        rate = keras.optimizers.schedules.PiecewiseConstantDecay(
            [int(0.7 * steps), int(0.85 * steps)], [rate, rate / 10, rate / 100]
        )
    return keras.optimizers.Adam(rate, beta_1=config.beta_1, beta_2=config.beta_2)


def build(config, steps, seed):
    """The compiled model of `config`, its weights seeded by `seed`."""
    keras.utils.set_random_seed(seed)
    latent_dim = 2
    generator = ganzoo.networks.mlp_generator(latent_dim, 2, config.hidden_units)
    if config.shared_first_layer:
        discriminator = ganzoo.networks.mlp_discriminator(
            2, config.hidden_units, spectral_norm=config.spectral_norm, pack=config.pack
        )
    else:  # PacGAN's: one dense network on the concatenation
        discriminator = ganzoo.networks.mlp_discriminator(
            2 * config.pack, config.hidden_units, spectral_norm=config.spectral_norm
        )
    options = dict(pack=config.pack, ema_decay=config.ema_decay, r1_weight=config.r1_weight, seed=seed)
    if config.model == "wgan_gp":
        model = ganzoo.models.WGANGP(generator, discriminator, n_critic=config.n_critic, **options)
    else:
        model = ganzoo.models.GAN(generator, discriminator, **options)
    # steps_per_execution runs 100 steps per call into TensorFlow: the MLPs are tiny, and Python's
    # per-step overhead would otherwise dominate on a CPU.
    model.compile(
        d_optimizer=_optimizer(config, steps * config.n_critic),
        g_optimizer=_optimizer(config, steps),
        loss=config.loss,
        steps_per_execution=100,
    )
    return model


def run(config, mixture, seed, step_fraction=1.0):
    """Trains `config` on `mixture` with `seed`; returns (ModeStatistics, seconds)."""
    steps = max(100, int(round(config.steps * step_fraction / 100)) * 100)
    model = build(config, steps, seed)
    data = ganzoo.data.mixture_2d(mixture, batch_size=config.batch_size * config.n_critic, seed=seed)
    started = time.time()
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0)
    seconds = time.time() - started
    modes, std = ganzoo.data.mixture_2d_modes(mixture)
    return ganzoo.metrics.mode_statistics(model.generate(EVALUATION_SAMPLES, seed=seed), modes, std), seconds


def mean_and_error(values):
    values = np.asarray(values, dtype=np.float64)
    error = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    return values.mean(), error


def table(results, mixtures):
    """Markdown rows: one per configuration, the mixtures side by side, mean ± standard error."""
    header = "| configuration |" + "".join(
        f" {m}: modes (of {8 if m == 'ring' else 25}) | {m}: high quality | {m}: reverse KL |"
        for m in mixtures
    )
    header += " minutes per run |"
    lines = [header, "|" + " --- |" * (2 + 3 * len(mixtures))]
    for (m_name, paper_row) in (("PacGAN Table 1: GAN", "GAN"), ("PacGAN Table 1: PacGAN4", "PacGAN4")):
        cells = "".join(
            " {:.1f} | {:.1f}% | {:.2f} |".format(*PACGAN_TABLE_1[(m, paper_row)]) for m in mixtures
        )
        lines.append(f"| *{m_name} (paper)* |{cells} |")
    for name, per_mixture in results.items():
        cells = ""
        for mixture in mixtures:
            runs = per_mixture.get(mixture, [])
            if not runs:
                cells += " — | — | — |"
                continue
            modes = mean_and_error([r["modes"] for r in runs])
            quality = mean_and_error([100 * r["high_quality"] for r in runs])
            kl = mean_and_error([r["reverse_kl"] for r in runs])
            cells += (
                f" {modes[0]:.1f} ± {modes[1]:.1f} | {quality[0]:.1f} ± {quality[1]:.1f}% |"
                f" {kl[0]:.3f} ± {kl[1]:.3f} |"
            )
        seconds = [r["seconds"] for runs in per_mixture.values() for r in runs]
        lines.append(f"| {CONFIGURATIONS[name].label} |{cells} {np.mean(seconds) / 60:.1f} |")
    return "\n".join(lines)


def main(argv):
    del argv
    if FLAGS.tables_from:
        records = [json.loads(line) for path in FLAGS.tables_from for line in open(path) if line.strip()]
        results = {name: {} for name in CONFIGURATIONS if any(r["config"] == name for r in records)}
        for record in records:
            results[record["config"]].setdefault(record["mixture"], []).append(record)
        print(table(results, FLAGS.mixtures))
        return
    unknown = sorted(set(FLAGS.configs) - set(CONFIGURATIONS))
    if unknown:
        raise app.UsageError(f"Unknown --configs {unknown}; expected some of {list(CONFIGURATIONS)}.")
    results = {name: {} for name in FLAGS.configs}
    for name in FLAGS.configs:
        for mixture in FLAGS.mixtures:
            for seed in range(FLAGS.first_seed, FLAGS.first_seed + FLAGS.seeds):
                statistics, seconds = run(CONFIGURATIONS[name], mixture, seed, FLAGS.step_fraction)
                record = dict(config=name, mixture=mixture, seed=seed, seconds=round(seconds, 1),
                              **dataclasses.asdict(statistics))
                results[name].setdefault(mixture, []).append(record)
                print(json.dumps(record), file=sys.stderr, flush=True)
                if FLAGS.output:
                    with open(FLAGS.output, "a") as out:
                        out.write(json.dumps(record) + "\n")
    print(table(results, FLAGS.mixtures))


if __name__ == "__main__":
    app.run(main)
