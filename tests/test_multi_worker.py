"""MultiWorkerMirroredStrategy for real: two worker processes on 127.0.0.1 train through the driver."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

TASK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "multi_worker_task.py")


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_two_workers_end_identical_and_only_the_chief_exports(tmp_path):
    ports = ",".join(str(port) for port in _free_ports(2))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    workers = [
        subprocess.Popen(
            [sys.executable, TASK, str(index), ports, str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for index in (0, 1)
    ]
    outputs = []
    try:
        for worker in workers:
            stdout, stderr = worker.communicate(timeout=240)
            assert worker.returncode == 0, stderr[-4000:]
            outputs.append(json.loads(stdout.strip().splitlines()[-1]))
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()

    assert [o["steps"] for o in outputs] == [8, 8]
    assert outputs[0]["export_path"] == str(tmp_path / "export" / "1")  # worker 0 is the chief
    assert outputs[1]["export_path"] is None
    assert os.listdir(tmp_path / "export") == ["1"]
    checkpoints = sorted(os.listdir(tmp_path / "run" / "checkpoints"))
    assert not [name for name in checkpoints if "scratch" in name], checkpoints

    chief, other = (np.load(tmp_path / f"weights-{index}.npz") for index in (0, 1))
    assert len(chief.files) == len(other.files) > 0
    for name in chief.files:
        np.testing.assert_array_equal(chief[name], other[name])


def _start_workers(out_dir, mode, tag, agreement="auto"):
    """Starts both workers of a fresh cluster; their output goes to OUT_DIR/TAG-INDEX.{out,err}."""
    os.makedirs(out_dir, exist_ok=True)
    ports = ",".join(str(port) for port in _free_ports(2))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "GANZOO_PREEMPTION_AGREEMENT": agreement}
    workers = []
    for index in (0, 1):
        with open(os.path.join(out_dir, f"{tag}-{index}.out"), "w") as out, open(
            os.path.join(out_dir, f"{tag}-{index}.err"), "w"
        ) as err:
            workers.append(
                subprocess.Popen(
                    [sys.executable, TASK, str(index), ports, str(out_dir), mode],
                    stdout=out,
                    stderr=err,
                    text=True,
                    env=env,
                )
            )
    return workers


def _kill(workers):
    for worker in workers:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def _finish(workers, out_dir, tag, timeout):
    """Waits (bounded) for both workers; returns their stdout texts and final JSON lines."""
    deadline = time.monotonic() + timeout
    try:
        for worker in workers:
            worker.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        _kill(workers)
        raise AssertionError(f"a worker hung (> {timeout} s): " + _tails(out_dir, tag))
    texts = []
    for index, worker in enumerate(workers):
        assert worker.returncode == 0, f"worker {index} exited {worker.returncode}: " + _tails(out_dir, tag)
        with open(os.path.join(out_dir, f"{tag}-{index}.out")) as out:
            texts.append(out.read())
    return texts, [json.loads(text.strip().splitlines()[-1]) for text in texts]


def _tails(out_dir, tag):
    tails = []
    for index in (0, 1):
        with open(os.path.join(out_dir, f"{tag}-{index}.err")) as err:
            tails.append(f"\n--- worker {index} stderr ---\n" + err.read()[-3000:])
    return "".join(tails)


@pytest.mark.parametrize("agreement", ["auto", "all_reduce"])
def test_sigterm_to_the_non_chief_stops_both_workers_at_one_step_and_the_rerun_is_exact(tmp_path, agreement):
    """SIGTERM to worker 1 only: both save at the step the cluster agreed on ("auto": TensorFlow's
    PreemptionCheckpointHandler; "all_reduce": the fallback) and exit cleanly; rerunning both ends
    bit-identical to an uninterrupted two-worker run. (Without agreement, worker 1 stops alone and
    worker 0 fails with "Shape mismatch in the collective instance ...".)"""
    reference_dir, run_dir = tmp_path / "reference", tmp_path / "preempted"
    # The uninterrupted run trains beside the one we interrupt (same 24 deterministic steps).
    reference = _start_workers(reference_dir, "long", "reference")
    workers = _start_workers(run_dir, "long_slow", "preempted", agreement)
    try:
        first_checkpoint = run_dir / "run" / "checkpoints" / "ckpt-3.index"
        deadline = time.monotonic() + 90
        while not first_checkpoint.exists():
            ended = [w.poll() is not None for w in workers]
            assert not any(ended), "a worker ended early: " + _tails(run_dir, "preempted")
            assert time.monotonic() < deadline, "no first checkpoint: " + _tails(run_dir, "preempted")
            time.sleep(0.05)
        workers[1].send_signal(signal.SIGTERM)  # the non-chief alone
        texts, outputs = _finish(workers, run_dir, "preempted", timeout=60)

        steps = [o["steps"] for o in outputs]
        assert [o["preempted"] for o in outputs] == [True, True], texts
        assert steps[0] == steps[1] and 3 < steps[0] < 24, steps
        for text in texts:
            assert f"Preempted: saved the state at step {steps[0]};" in text, text
        checkpoints = os.listdir(run_dir / "run" / "checkpoints")
        assert f"ckpt-{steps[0]}.index" in checkpoints
        assert f"ckpt-{steps[0]}.sha256.json" in checkpoints
        assert not [name for name in checkpoints if "scratch" in name], checkpoints
        assert not os.path.exists(run_dir / "export")  # a preempted run exports nothing

        workers = _start_workers(run_dir, "long", "rerun", agreement)  # as a scheduler would restart both
        texts, outputs = _finish(workers, run_dir, "rerun", timeout=90)
        assert [(o["steps"], o["preempted"]) for o in outputs] == [(24, False), (24, False)]
        for text in texts:
            assert f"(step {steps[0]})." in text, text  # both resumed from the agreed checkpoint
        _finish(reference, reference_dir, "reference", timeout=90)
    finally:
        _kill(workers)
        _kill(reference)

    for index in (0, 1):
        resumed, uninterrupted = (np.load(d / f"weights-{index}.npz") for d in (run_dir, reference_dir))
        assert len(resumed.files) == len(uninterrupted.files) > 0
        for name in resumed.files:
            np.testing.assert_array_equal(resumed[name], uninterrupted[name])


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
