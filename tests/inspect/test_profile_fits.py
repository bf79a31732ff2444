"""The profiler's memory check and its answers to contradicting figures: an absurd batch is
refused before anything is allocated, a sweep stops at the first size that would not fit, figures
that contradict each other are measured again and said to have been, Ctrl-C ends the command
with a sentence, and no kineto line reaches stderr."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import torch

from resnet_studio import ArchSpec
from resnet_studio.measure.profile import profile_spec
from resnet_studio.measure.profile_check import contradictions, unsteady
from resnet_studio.measure.profile_result import SweepPoint
from resnet_studio.train.errors import TrainError
from tests.inspect.tiny import small_spec

TINY = small_spec(16)
ROOT = Path(__file__).resolve().parents[2]


def _allocated_during(fn):
    """The bytes torch's CPU allocator hands out while ``fn`` runs (the autograd profiler's
    record of every allocation), and what ``fn`` raised."""
    from torch.autograd import _disable_profiler_legacy, _enable_profiler_legacy
    from torch.autograd.profiler_legacy import profile

    raised = None
    _enable_profiler_legacy(profile(profile_memory=True).config())
    try:
        fn()
    except Exception as e:
        raised = e
    finally:
        threads = _disable_profiler_legacy()
    sizes = [r.cpu_memory_usage() for t in threads for r in t if r.kind() == "memory_alloc"]
    return sum(n for n in sizes if n > 0), raised


def test_an_absurd_batch_is_refused_before_anything_is_allocated():
    big = ArchSpec.from_preset("resnet152")
    allocated, raised = _allocated_during(lambda: profile_spec(big, "cpu", 4096))
    assert isinstance(raised, TrainError)
    assert "A batch of 4096 needs about" in str(raised)
    assert allocated < 1_000_000  # resnet152's weights alone are 240 MB
    best = int(re.search(r"batch size of (\d+) or less", str(raised)).group(1))
    assert best >= 1


def test_a_sweep_stops_at_the_first_size_that_would_not_fit():
    p = profile_spec(small_spec(8), "cpu", 2, repeats=1, warmup=0, sweep=(2, 1 << 24, 4))
    sizes = [pt.batch_size for pt in p.sweep]
    assert sizes == [2, 1 << 24]  # 4 comes after the size that did not fit: not tried
    stopped = p.sweep[1]
    assert stopped.inference_img_s is None and "would not fit" in stopped.note
    assert "the sweep stops here" in stopped.note


def test_figures_that_contradict_each_other_are_found():
    sweep = [SweepPoint(8, 493.7, 100.0)]
    found = contradictions(8, 9.9, 95.0, sweep)
    assert len(found) == 1 and "inference 9.9 img/s against 493.7" in found[0]
    assert contradictions(8, 480.0, 95.0, sweep) == []
    assert contradictions(4, 9.9, 95.0, sweep) == []  # no sweep point at that batch
    assert "ranged from 1.0 to 9.0 ms" in unsteady([0.001, 0.002, 0.009], "inference")
    assert unsteady([0.001, 0.0012], "inference") == ""


def test_a_headline_slowed_by_other_work_is_measured_again_and_said_so():
    """A thread that holds the GIL slows the headline's timings (the tiny network's forward is
    Python-bound); it stops before the sweep, which disagrees, so both are measured again."""
    hog_on = threading.Event()
    done = threading.Event()

    def hog():
        while not done.is_set():
            if hog_on.is_set():
                sum(range(20_000))  # holds the GIL for a while at each turn
            else:
                hog_on.wait(0.01)

    def progress(text):
        if text == "inference":
            hog_on.set()
        elif text == "memory":
            hog_on.clear()

    old = sys.getswitchinterval()
    sys.setswitchinterval(0.05)  # each time the profiler needs the GIL back it waits this long
    worker = threading.Thread(target=hog, daemon=True)
    worker.start()
    try:
        p = profile_spec(
            small_spec(8), "cpu", 4, repeats=2, warmup=0, sweep=(4,), progress=progress
        )
    finally:
        done.set()
        hog_on.set()
        worker.join()
        sys.setswitchinterval(old)
    assert p.notes, "the contradiction went unreported"
    assert "measured again" in p.notes[0]
    (point,) = p.sweep
    assert point.batch_size == 4 and point.inference_img_s is not None


def _cli(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RESNET_STUDIO_HOME": os.environ.get("HOME", "")}
    return [sys.executable, "-m", "resnet_studio.cli", *args], env


def test_ctrl_c_ends_a_profile_with_a_sentence_and_status_130(tmp_path):
    cmd, env = _cli(
        "profile", "--preset", "resnet18", "--input-size", "32", "--device", "cpu",
        "--batch-size", "2", "--repeats", "100000", "--no-sweep",
    )  # fmt: skip
    env["XDG_CACHE_HOME"] = str(tmp_path)
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE)
    status = Path(f"/proc/{proc.pid}/status")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:  # until torch has loaded
        rss = int(next(ln for ln in status.read_text().splitlines() if ln.startswith("VmRSS"))
                  .split()[1])  # fmt: skip
        if rss > 300_000:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    assert err.decode().strip() == "resnet-studio: profile was stopped (Ctrl-C)."


def test_no_kineto_line_on_stderr_from_a_profile_in_a_worker_thread():
    """kineto prints "ERROR: External init callback…" when first started on another thread
    than the one that imported torch: the window's workers do exactly that."""
    code = (
        "import threading\n"
        "import torch\n"
        "from resnet_studio.measure.profile_memory import cpu_peak_above\n"
        "t = threading.Thread(target=lambda: cpu_peak_above(lambda: torch.ones(1000) * 2))\n"
        "t.start(); t.join()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    assert torch  # imported here too: the profiler's tests run with torch loaded


def test_the_command_refuses_an_absurd_cpu_batch_before_torch_loads():
    code = (
        "import sys\n"
        "from resnet_studio.cli import main\n"
        "rc = main(['profile', '--preset', 'resnet152', '--input-size', '224', "
        "'--batch-size', '4096', '--device', 'cpu'])\n"
        "print(rc, 'torch' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert out.stdout.split() == ["2", "False"], out.stderr
    assert out.stderr.startswith("resnet-studio: error: A batch of 4096 needs about")
    assert re.search(r"use a batch size of \d+ or less\.$", out.stderr.strip())
