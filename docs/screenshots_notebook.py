"""Renders docs/notebook.png: docs/resnet-studio.ipynb executed by a real Jupyter kernel (in a
scratch runs folder), its inputs and outputs laid out as a notebook shows them, photographed by
headless Chromium. Run: ``.venv/bin/python docs/screenshots_notebook.py docs`` (needs the test
extras and Debian's chromium)."""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbclient
import nbformat

HERE = Path(__file__).parent
PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>
body{{margin:0;padding:18px 24px;background:#fff;font-family:system-ui,sans-serif;width:1360px}}
.cell{{display:flex;gap:10px;margin:0 0 14px 0}}
.prompt{{width:64px;color:#303f9f;font:12px monospace;padding-top:6px;text-align:right}}
.body{{flex:1;min-width:0}}
pre.in{{background:#f7f7f7;border:1px solid #e0e0e0;border-radius:3px;padding:6px 8px;
margin:0 0 6px 0;font:13px monospace}}
pre.out{{margin:0;font:12px monospace}}
</style></head><body>{cells}</body></html>"""


def output_html(o: dict) -> str:
    if o.get("output_type") == "stream":
        return f'<pre class="out">{html.escape(o["text"])}</pre>'
    data = o.get("data", {})
    if "text/html" in data:
        return data["text/html"]
    if "image/svg+xml" in data:
        return data["image/svg+xml"]
    return f'<pre class="out">{html.escape(data.get("text/plain", ""))}</pre>'


def render(nb: nbformat.NotebookNode) -> str:
    cells = []
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        n = c.get("execution_count") or ""
        outs = "".join(output_html(o) for o in c.get("outputs", []))
        cells.append(
            f'<div class="cell"><div class="prompt">In [{n}]:</div><div class="body">'
            f'<pre class="in">{html.escape(c.source)}</pre>{outs}</div></div>'
        )
    return PAGE.format(cells="".join(cells))


def main() -> None:
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else HERE)
    scratch = Path(tempfile.mkdtemp(prefix="rs-notebook-"))
    try:
        os.environ["XDG_DATA_HOME"] = str(scratch / "data")  # the run goes to a scratch folder
        os.environ["IPYTHONDIR"] = str(scratch / "ipython")
        nb = nbformat.read(HERE / "resnet-studio.ipynb", as_version=4)
        nbclient.NotebookClient(nb, timeout=900, kernel_name="python3").execute()
        page = scratch / "notebook.html"
        page.write_text(render(nb), encoding="utf-8")
        png = out_dir / "notebook.png"
        subprocess.run(
            [
                shutil.which("chromium") or "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={scratch / 'chromium'}",
                "--window-size=1410,1500",
                f"--screenshot={png}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
        print(f"wrote {png}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
