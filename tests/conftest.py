"""Test-wide set-up: the user's own folders are never touched, Qt renders offscreen on a
1920×1200 virtual screen, and torch uses 2 threads.

The data, config and cache folders (platformdirs/XDG, and so QSettings and the runs folder)
point at a temporary home made for this test session, before anything reads them;
``tests/test_isolation.py`` checks that the real ones are left as they were.
"""

import contextlib
import os
import shutil
import tempfile


def _real_app_folders() -> list[str]:
    """The user's own folders that the app writes: runs, datasets, settings."""
    home = os.path.expanduser("~")
    bases = {
        "data": os.environ.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share"),
        "config": os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"),
        "cache": os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache"),
    }
    return [
        os.path.join(bases["data"], "resnet-studio"),
        os.path.join(bases["cache"], "resnet-studio"),
        os.path.join(bases["config"], "ResNet Studio"),
        os.path.join(bases["config"], "resnet-studio"),
    ]


def _snapshot(folders: list[str]) -> dict[str, tuple[int, int]]:
    out = {}
    for folder in folders:
        for root, _, files in os.walk(folder):
            for f in files:
                path = os.path.join(root, f)
                with contextlib.suppress(OSError):
                    st = os.stat(path)
                    out[path] = (st.st_mtime_ns, st.st_size)
    return out


REAL_FOLDERS = _real_app_folders()
_before = _snapshot(REAL_FOLDERS)
_home = tempfile.mkdtemp(prefix="resnet-studio-tests-")
for _name in ("data", "config", "cache"):
    os.environ[f"XDG_{_name.upper()}_HOME"] = os.path.join(_home, _name)


def pytest_sessionfinish(session, exitstatus):
    """Fail the session if it changed the user's own folders (a test that escaped its home)."""
    after = _snapshot(REAL_FOLDERS)
    if after != _before:
        changed = sorted(set(after.items()) ^ set(_before.items()))
        print(f"\nThe tests changed the user's own files: {[p for p, _ in changed][:5]}")
        session.exitstatus = 1
    shutil.rmtree(_home, ignore_errors=True)


from resnet_studio.gui.offscreen import use_offscreen_screen  # noqa: E402

use_offscreen_screen()

import torch  # noqa: E402

torch.set_num_threads(2)


import time  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _no_thread_claim_left():
    """Fail a test that leaves a claim on torch's thread count (a TrainingSetup built and never
    closed): every later run in the process would be refused its thread count. A run on a
    thread of its own may still be closing when the test returns, so its end is waited for."""
    from resnet_studio.train import setup

    before = setup.claims()
    yield
    deadline = time.monotonic() + 10.0
    while setup.claims() != before and time.monotonic() < deadline:
        time.sleep(0.01)
    left = setup.claims() - before
    if left:
        with setup._claims_lock:
            setup._claims = before  # the next tests start clean: only this one fails
        pytest.fail(f"the test left {left} claim(s) on the thread count (a set-up not closed)")
