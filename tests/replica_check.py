"""Replica equivalence, run as a script: python tests/replica_check.py CASE STEPS GLOBAL_BATCH.

Trains the same zoo case from the same initial weights on the same global batches, once on one device
and once under MirroredStrategy over two logical CPUs, and prints the largest weight difference as JSON.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
)

import keras  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zoo_cases  # noqa: E402


# Plain SGD for both players, whatever the model's own optimizers: what replicas can get wrong is the
# gradient (N× sums, the same noise on every replica, unsynchronised statistics), and SGD passes it on
# linearly. Adam and RMSProp divide each gradient by its own size: they hide an N× sum, and they blow a
# float-order difference in a gradient that is zero up to rounding into a whole learning-rate step
# (seen once in CI: a 2.8e-4 difference on CycleGAN, against ≤ 1e-6 in other runs). At 1e-2 three SGD steps
# of the packed WGAN-GP case already amplify float order to 2e-4; at 1e-3 every case stays < 1e-6.
LEARNING_RATE = 1e-3


def train(case, strategy, initial_weights, steps, global_batch):
    with strategy.scope():
        model = case.make_model()
        model.compile(**{
            **case.compile_kwargs,
            "d_optimizer": keras.optimizers.SGD(LEARNING_RATE),
            "g_optimizer": keras.optimizers.SGD(LEARNING_RATE),
        })
    model.set_weights(initial_weights)
    model.fit(case.dataset(steps * global_batch, global_batch), epochs=1, verbose=0)
    return model


def main():
    name, steps, global_batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    case = zoo_cases.CASES[name]
    initial_weights = case.make_model().get_weights()
    single = train(case, tf.distribute.get_strategy(), initial_weights, steps, global_batch)
    mirrored_strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    mirrored = train(case, mirrored_strategy, initial_weights, steps, global_batch)
    differences = [
        float(np.max(np.abs(np.array(a, np.float64) - np.array(b, np.float64))))
        for a, b in zip(single.weights, mirrored.weights)
        if np.size(a)
    ]
    # How far training moved the float weights: a check that the runs did train.
    moved = max(
        float(np.max(np.abs(np.array(a, np.float64) - np.array(b, np.float64))))
        for a, b in zip(single.weights, initial_weights)
        if np.size(b) and np.issubdtype(np.asarray(b).dtype, np.floating)
    )
    print(json.dumps({
        "replicas": mirrored_strategy.num_replicas_in_sync,
        "max_difference": max(differences),
        "max_update": moved,
    }))


if __name__ == "__main__":
    main()
