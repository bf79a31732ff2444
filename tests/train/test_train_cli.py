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
    # a pipe gets whole lines: no bar frames, each epoch on a line of its own, counted from 1
    assert "\r" not in r.stderr
    lines = r.stderr.splitlines()
    assert [ln.split(":")[0] for ln in lines if ln.startswith("epoch")] == [
        "epoch   1",
        "epoch   2",
    ]
    logged = read_metrics(out / "metrics.jsonl")
    assert sorted({m["epoch"] for m in logged}) == [1, 2]
    raw = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert min(m["epoch"] for m in raw) == 1  # on disk too, not only as read back
    assert json.loads((out / "status.json").read_text())["epoch"] == 2
    listed = cli("runs", "--root", str(tmp_path / "runs"))
    assert "first" in listed.stdout and "finished" in listed.stdout
    assert "epoch 2/2" in listed.stdout
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
            "--standalone",  # a free port of its own choosing: a fixed one may be taken
            "--nproc_per_node",
            "2",
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
    assert r.returncode == 0, r.stderr[-6000:]
    config = json.loads((run / "config.json").read_text())
    assert "×2" in config["device"]
    steps = [m for m in read_metrics(run / "metrics.jsonl") if m["kind"] == "step"]
    # each rank takes half of the training set per epoch
    assert len(steps) == config["steps_per_epoch"]
    ends = [line for line in r.stdout.splitlines() if '"kind": "end"' in line]
    assert len(ends) == 1  # only rank 0 reports


def _one_sentence(r: subprocess.CompletedProcess, code: int = 2) -> str:
    assert r.returncode == code, r.stderr
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


def test_file_mistakes_are_one_sentence(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    line = _one_sentence(cli("train", *SMALL, "--out", str(a_file)))
    assert "is a file" in line
    line = _one_sentence(cli("train", *SMALL, "--out", str(a_file / "run")))
    assert "cannot be created" in line and str(a_file / "run") in line
    missing = tmp_path / "missing"
    line = _one_sentence(cli("runs", "--export-csv", str(missing)))
    assert str(missing) in line and "no metrics.jsonl" in line
    line = _one_sentence(cli("runs", "--root", str(missing)))
    assert "no folder" in line
    line = _one_sentence(cli("runs", "--root", str(a_file)))
    assert "is a file" in line
    assert not list(tmp_path.glob("missing*"))


def test_unreadable_run_folders_are_listed_with_their_problem(tmp_path):
    root = tmp_path / "runs"
    (root / "no-config").mkdir(parents=True)
    (root / "no-config" / "status.json").write_text('{"status": "running"}')
    (root / "damaged").mkdir()
    (root / "damaged" / "config.json").write_text('{"dataset": 5, "params": "many"}')
    (root / "damaged" / "status.json").write_text("[1, 2")
    (root / "wrong-types").mkdir()
    (root / "wrong-types" / "config.json").write_text('{"dataset": 5, "params": "many"}')
    (root / "wrong-types" / "status.json").write_text('{"status": 3, "epoch": "two"}')
    r = cli("runs", "--root", str(root))
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    rows = {line.split()[0]: line for line in r.stdout.splitlines()}
    assert "unreadable" in rows["no-config"] and "no config.json" in rows["no-config"]
    assert "unreadable" in rows["damaged"] and "status.json is damaged" in rows["damaged"]
    assert "unknown" in rows["wrong-types"] and "epoch 0/0" in rows["wrong-types"]


def test_an_image_folder_of_one_class_or_none_is_refused_and_leaves_nothing(tmp_path):
    from PIL import Image

    one = tmp_path / "one-class" / "cats"
    one.mkdir(parents=True)
    for i in range(4):
        Image.new("L", (8, 8), 40 * i).save(one / f"{i}.png")
    empty = tmp_path / "empty"
    empty.mkdir()
    for data, words in ((one.parent, "1 class"), (empty, "")):
        out = tmp_path / f"run-{data.name}"
        r = cli("train", *SMALL, "--dataset", "imagefolder", "--data-dir", str(data),
                "--out", str(out), "--epochs", "1")  # fmt: skip
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        assert words in r.stderr.splitlines()[-1]
        assert not out.exists()  # no "unreadable" run folder left behind
