"""One worker of the two-process MultiWorkerMirroredStrategy test (tests/test_multi_worker.py).

    python tests/multi_worker_task.py INDEX PORT0,PORT1 OUT_DIR [MODE]

Trains a small GAN a few steps through `ganzoo.training.train` with --strategy=multi_worker over gRPC on
127.0.0.1, then saves this worker's final weights to OUT_DIR/weights-INDEX.npz.

MODE "short" (default): 8 steps. MODE "long": 24 deterministic steps; "long_slow": the same run, each
step followed by a short sleep so that a test can send SIGTERM mid-run (sleeping changes no weight).
"""

import json
import os
import sys

index, ports, out_dir = int(sys.argv[1]), sys.argv[2].split(","), sys.argv[3]
mode = sys.argv[4] if len(sys.argv) > 4 else "short"
os.environ["TF_CONFIG"] = json.dumps(
    {
        "cluster": {"worker": [f"127.0.0.1:{port}" for port in ports]},
        "task": {"type": "worker", "index": index},
    }
)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import time  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zoo_cases  # noqa: E402

import ganzoo  # noqa: E402

case = zoo_cases.CASES["gan"]


def make_model():
    model = case.make_model()
    model.compile()
    return model


class Sleep(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        time.sleep(0.25)


long_run = mode.startswith("long")
config = ganzoo.training.TrainConfig(
    name="multi_worker",
    model_dir=os.path.join(out_dir, "run"),
    export_dir=os.path.join(out_dir, "export"),
    epochs=2,
    steps_per_epoch=12 if long_run else 4,
    strategy="multi_worker",
    checkpoint_every=3,
    deterministic=long_run,
    sample_every=0,  # flat 2-D samples: no image grid
    verbose=0,
)
result = ganzoo.training.train(
    config,
    lambda: case.dataset(64, 8),
    make_model,
    extra_callbacks=[Sleep()] if mode == "long_slow" else (),
)
np.savez(
    os.path.join(out_dir, f"weights-{index}.npz"),
    *[np.asarray(weight) for weight in result.model.weights],
)
print(
    json.dumps(
        {
            "index": index,
            "steps": result.steps,
            "export_path": result.export_path,
            "preempted": result.preempted,
        }
    )
)
