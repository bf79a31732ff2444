"""Workers in separate processes against one journal file: no trial lost or run twice, a
killed worker's trial failed by the next worker, failed trials retried."""

from __future__ import annotations

import json
import os
import signal
import time

from optuna.trial import TrialState

from .helpers import run_cli, space_file, start_worker, trials


def _wait(cond, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_two_workers_share_one_journal(tmp_path):
    url = f"journal:{tmp_path / 'sweeps.journal'}"
    r = run_cli("sweep", "new", "two", "--space", str(space_file(tmp_path)), "--storage", url)
    assert r.returncode == 0, r.stderr
    root = tmp_path / "runs"
    workers = [
        start_worker("two", "--storage", url, "--trials", "2", "--root", str(root))
        for _ in range(2)
    ]
    outs = [w.communicate(timeout=180)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outs
    ts = trials(url, "two")
    assert [t.number for t in ts] == list(range(4))
    assert all(t.state == TrialState.COMPLETE for t in ts), [t.state for t in ts]
    # each worker trained its own three: every trial number printed by exactly one worker
    printed = sorted(
        int(line.split()[1].rstrip(":"))
        for o in outs
        for line in o.splitlines()
        if line.startswith("trial ")
    )
    assert printed == list(range(4))
    # one run folder per trial, tagged with its trial; its recorded accuracy is the value
    tags = {}
    for d in root.iterdir():
        tag = json.loads((d / "sweep.json").read_text())
        status = json.loads((d / "status.json").read_text())
        assert tag["sweep"] == "two" and tag["trial"] not in tags
        tags[tag["trial"]] = status["best_val_accuracy"]
    assert tags == {t.number: t.value for t in ts}
    assert {t.user_attrs["run_dirs"][0] for t in ts} == {str(d) for d in root.iterdir()}


def test_a_killed_workers_trial_is_failed_by_the_next_and_can_be_retried(tmp_path):
    url = f"journal:{tmp_path / 'sweeps.journal'}"
    space = space_file(tmp_path, batch=16)  # ~100 steps: seconds to be killed in
    assert run_cli("sweep", "new", "k", "--space", str(space), "--storage", url).returncode == 0
    root = str(tmp_path / "runs")
    w = start_worker("k", "--storage", url, "--trials", "1", "--root", root, "--heartbeat", "0.2")

    def beating() -> bool:
        ts = trials(url, "k")
        return bool(ts) and ts[0].state == TrialState.RUNNING and "heartbeat" in ts[0].system_attrs

    try:
        _wait(beating, 120, "the first worker's trial to run")
    finally:
        os.kill(w.pid, signal.SIGKILL)
        w.communicate(timeout=30)
    grace = 1.0
    last = trials(url, "k")[0].system_attrs["heartbeat"]
    _wait(lambda: time.time() - last > grace, 10, "the grace period")
    # a worker that starts after the grace period fails the dead worker's trial
    r = run_cli(
        "sweep", "work", "k", "--storage", url, "--trials", "1", "--root", root,
        "--grace", str(grace), "--heartbeat", "0.2", "--retry-failed", timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    ts = trials(url, "k")
    assert ts[0].state == TrialState.FAIL
    assert "heartbeat" in ts[0].user_attrs["error"]
    # ... queues it again (--retry-failed) and trains it: the same configuration, complete
    assert ts[1].state == TrialState.COMPLETE
    assert ts[1].params == ts[0].params and ts[1].user_attrs["retry_of"] == 0
    assert "trial 0 failed: its worker stopped" in r.stdout
