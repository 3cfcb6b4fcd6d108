"""The GAN recipe on a 2-D mixture over several seeds, as a markdown table (run by hand, not in CI).

    PYTHONPATH=. python benchmarks/mixture_seeds.py --seeds=0,1,2 --mixture=grid [any recipe flag]

Each seed runs `recipes/gan_2d_mixture.py`'s training function with the recipe's flags (defaults unless
given here), into a temporary model_dir and without export, and the table lists the statistics it prints
(PacGAN's Table 1 protocol, 2,500 samples) with the wall time of each run.
"""

import os
import sys
import tempfile
import time

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [_ROOT, os.path.join(_ROOT, "recipes")]

import numpy as np  # noqa: E402
from absl import app, flags  # noqa: E402

import gan_2d_mixture  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds to run.")


def main(argv):
    del argv
    rows = []
    for seed in [int(value) for value in FLAGS.seeds]:
        FLAGS.seed = seed
        with tempfile.TemporaryDirectory() as model_dir:
            FLAGS.model_dir = model_dir
            start, cpu_start = time.time(), time.process_time()
            result, stats = gan_2d_mixture.train_gan_2d_mixture(
                f"gan_2d_mixture_{FLAGS.mixture}_seed{seed}", export_dir=None, verbose=0
            )
            if result.preempted:
                sys.exit(f"Stopped by a signal during seed {seed}: no table.")
            rows.append((seed, stats, time.time() - start, time.process_time() - cpu_start))

    changed = {
        name: getattr(FLAGS, name)
        for name, default in sorted(gan_2d_mixture.DEFAULTS.items())
        if name not in ("model_dir", "export_dir", "mixture") and getattr(FLAGS, name) != default
    }
    recipe_flags = [
        f"--{name}={','.join(value) if isinstance(value, list) else value}" for name, value in changed.items()
    ]
    print(f"\n`python benchmarks/mixture_seeds.py --seeds={','.join(FLAGS.seeds)} --mixture={FLAGS.mixture}"
          f"{''.join(' ' + flag for flag in recipe_flags)}`\n")
    print("| seed | modes | high-quality samples | reverse KL | wall (s) | process CPU (s) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for seed, stats, seconds, cpu in rows:
        print(f"| {seed} | {stats.modes}/{stats.total_modes} | {100 * stats.high_quality:.1f}% | "
              f"{stats.reverse_kl:.3f} | {seconds:.0f} | {cpu:.0f} |")
    modes = np.mean([row[1].modes for row in rows])
    quality = np.mean([row[1].high_quality for row in rows])
    kl = np.mean([row[1].reverse_kl for row in rows])
    seconds, cpu = np.mean([row[2] for row in rows]), np.mean([row[3] for row in rows])
    print(f"| mean | {modes:.1f} | {100 * quality:.1f}% | {kl:.3f} | {seconds:.0f} | {cpu:.0f} |")


if __name__ == "__main__":
    app.run(main)
