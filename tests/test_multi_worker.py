"""MultiWorkerMirroredStrategy for real: two worker processes on 127.0.0.1 train through the driver."""

import json
import os
import socket
import subprocess
import sys

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


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
