"""The peak resident memory of a command, watched: ``VmRSS`` sampled every 0.25 s, and the command
killed once it passes a limit, so that a job that runs away cannot eat a shared machine.

Run: ``.venv/bin/python bench/peak_rss.py 3000 .venv/bin/python -m resnet_studio.cli profile
--preset resnet152 --input-size 224 --batch-size 4096 --device cpu`` (limit in MB). Prints the
exit status or the kill, the peak, and about 25 samples (seconds, MB) to read the growth from.
Linux only (/proc).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def rss_mb(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    line = next((ln for ln in status.splitlines() if ln.startswith("VmRSS")), None)
    return int(line.split()[1]) // 1024 if line else None


def main() -> None:
    limit, cmd = int(sys.argv[1]), sys.argv[2:]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak, samples, killed = 0, [], False
    while proc.poll() is None:
        mb = rss_mb(proc.pid)
        if mb is None:
            break
        peak = max(peak, mb)
        samples.append((round(time.monotonic() - t0, 2), mb))
        if mb > limit:
            proc.kill()
            killed = True
            break
        time.sleep(0.25)
    out = proc.communicate()[0].decode(errors="replace")
    took = time.monotonic() - t0
    end = f"killed above {limit} MB" if killed else f"exit status {proc.returncode}"
    print(f"{end} after {took:.1f} s; peak resident memory {peak} MB")
    print("samples (s, MB):", samples[:: max(1, len(samples) // 25)])
    print(out[-800:])


if __name__ == "__main__":
    main()
