"""Two workers against a real PostgreSQL server, started here in a temporary folder with
initdb/pg_ctl on 127.0.0.1 (as the user postgres: initdb refuses root). `.ci/run` installs
PostgreSQL, so CI runs this test; a machine without it skips it, saying so."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from optuna.trial import TrialState

from .helpers import run_cli, space_file, start_worker, trials

BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
pytestmark = pytest.mark.skipif(
    not BIN or not shutil.which("runuser") or os.geteuid() != 0,
    reason="needs PostgreSQL's initdb (apt-get install postgresql), runuser and root",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def postgres_url():
    folder = Path(tempfile.mkdtemp(prefix="pg-"))
    shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", _free_port()

    def as_postgres(*cmd: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *cmd], check=True, capture_output=True, timeout=120
        )

    bin_ = BIN[-1]
    as_postgres(f"{bin_}/initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    opts = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    as_postgres(f"{bin_}/pg_ctl", "-D", str(data), "-o", opts, "-l", str(folder / "log"), "-w",
                "start")  # fmt: skip
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        as_postgres(f"{bin_}/pg_ctl", "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def test_two_workers_against_postgresql(tmp_path, postgres_url):
    space = str(space_file(tmp_path))
    r = run_cli("sweep", "new", "pg", "--space", space, "--storage", postgres_url)
    assert r.returncode == 0, r.stderr
    root = str(tmp_path / "runs")
    workers = [
        start_worker("pg", "--storage", postgres_url, "--trials", "1", "--root", root)
        for _ in range(2)
    ]
    outs = [w.communicate(timeout=300)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outs
    ts = trials(postgres_url, "pg")
    assert [t.number for t in ts] == [0, 1]
    assert all(t.state == TrialState.COMPLETE for t in ts)
    assert len({t.user_attrs["run_dirs"][0] for t in ts}) == 2
    # Optuna's own heartbeat is on for a database storage
    assert all(t.datetime_complete for t in ts)
    listed = run_cli("sweep", "list", "--storage", postgres_url)
    assert "pg" in listed.stdout and "2 complete" in listed.stdout, listed.stdout + listed.stderr
