"""Timing shared by the step benchmarks: alternating rounds, two clocks, medians.

On a machine that other jobs share, one long run of A then one of B measures the load as much as the
code. Short rounds alternate between the contenders instead, so load changes spread over all of them, and
each round is timed on the wall clock and on this process's CPU time (the steadier of the two when the
process gets only part of the CPU); a contender's figure is the median over rounds.
"""

import statistics
import time

import tensorflow as tf

CLOCKS = ("wall", "cpu")


def time_rounds(runs, steps, rounds, warmup=None):
    """Seconds per step of each contender, per round and clock.

    Args:
        runs: {name: run}, `run(n)` doing n steps and waiting for their results.
        steps: steps per timed round.
        rounds: timed rounds of each contender, alternating between them.
        warmup: steps each contender runs untimed first (traces, compiles, fills caches); None: none.

    Returns:
        {name: {"wall": [s/step per round], "cpu": [s/step per round]}}.
    """
    if warmup:
        for run in runs.values():
            run(warmup)
    timings = {name: {clock: [] for clock in CLOCKS} for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            wall, cpu = time.perf_counter(), time.process_time()
            run(steps)
            timings[name]["wall"].append((time.perf_counter() - wall) / steps)
            timings[name]["cpu"].append((time.process_time() - cpu) / steps)
    return timings


def medians(timings):
    """{name: {clock: median seconds per step}} of `time_rounds`' result."""
    return {
        name: {clock: statistics.median(values) for clock, values in clocks.items()}
        for name, clocks in timings.items()
    }


def device():
    return "GPU" if tf.config.list_logical_devices("GPU") else "CPU"
