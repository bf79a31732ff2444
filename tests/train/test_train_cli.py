"""`resnet-studio train` and `runs` as a user runs them: Ctrl-C, resume, torchrun."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from resnet_studio.train import read_metrics

SMALL = [
    "--preset",
    "resnet20",
    "--layers",
    "1,1,1",
    "--in-channels",
    "1",
    "--input-size",
    "8",
    "--device",
    "cpu",
    "--threads",
    "1",
]


def cli(*args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "resnet_studio.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        **kw,
    )


def test_train_writes_a_run_and_runs_lists_it(tmp_path):
    out = tmp_path / "runs" / "first"
    r = cli("train", *SMALL, "--epochs", "2", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "epoch   2:" in r.stderr and "finished after" in r.stderr
    assert {"config.json", "status.json", "metrics.jsonl", "last.pt", "best.pt"} <= {
        p.name for p in out.iterdir()
    }
    listed = cli("runs", "--root", str(tmp_path / "runs"))
    assert "first" in listed.stdout and "finished" in listed.stdout
    again = cli("train", *SMALL, "--out", str(out))
    assert again.returncode == 2 and "--resume" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1


def test_json_lines(tmp_path):
    r = cli("train", *SMALL, "--epochs", "1", "--out", str(tmp_path / "r"), "--json-lines")
    kinds = [json.loads(line)["kind"] for line in r.stdout.splitlines()]
    assert kinds[0] == "start" and kinds[-1] == "end" and "epoch" in kinds and "step" in kinds


def test_ctrl_c_saves_a_checkpoint_and_resume_finishes(tmp_path):
    run = tmp_path / "r"
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "resnet_studio.cli",
            "train",
            *SMALL,
            "--epochs",
            "30",
            "--out",
            str(run),
            "--json-lines",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in p.stdout:  # wait until it is really training
        if json.loads(line)["kind"] == "step":
            break
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    assert "Traceback" not in err
    status = json.loads((run / "status.json").read_text())
    assert status["status"] == "stopped"
    assert (run / "last.pt").exists()
    stopped_at = status["step"]
    # resume continues the same run directory, picking up after the stop
    r = cli("train", "--resume", str(run), "--json-lines")
    assert r.returncode == 0, r.stderr
    start = json.loads(r.stdout.splitlines()[0])
    assert start["start_step"] == stopped_at > 0
    steps = [m["step"] for m in read_metrics(run / "metrics.jsonl") if m["kind"] == "step"]
    assert steps == list(range(1, steps[-1] + 1))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="torchrun needs a POSIX host")
def test_torchrun_two_processes_with_gloo(tmp_path):
    run = tmp_path / "ddp"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TMPDIR": str(tmp_path)}  # torchelastic's scratch
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc_per_node",
            "2",
            "--master_port",
            "29533",
            "-m",
            "resnet_studio.cli",
            "train",
            *SMALL,
            "--epochs",
            "1",
            "--out",
            str(run),
            "--json-lines",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    config = json.loads((run / "config.json").read_text())
    assert "×2" in config["device"]
    steps = [m for m in read_metrics(run / "metrics.jsonl") if m["kind"] == "step"]
    # each rank takes half of the training set per epoch
    assert len(steps) == config["steps_per_epoch"]
    ends = [line for line in r.stdout.splitlines() if '"kind": "end"' in line]
    assert len(ends) == 1  # only rank 0 reports
