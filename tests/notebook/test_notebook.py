"""The notebook in docs/ executed by a real Jupyter kernel: the numbers, shapes, diagram and a
two-epoch run it shows are the app's, and no GUI toolkit enters the kernel."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).parents[2] / "docs" / "resnet-studio.ipynb"


def _stage_shapes(name: str) -> list[str]:
    """stem (after the max pool) and layer1…4 output shapes of torchvision's own network,
    from a real forward pass, written C×H×W as the notebook writes them."""
    import torch
    import torchvision

    model = getattr(torchvision.models, name)().eval()
    seen: list[str] = []
    for module in (model.maxpool, model.layer1, model.layer2, model.layer3, model.layer4):
        module.register_forward_hook(
            lambda m, i, o: seen.append("×".join(str(s) for s in o.shape[1:]))
        )
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    return seen


def _texts(cell: dict) -> str:
    """Everything a cell showed: its streams and each output's HTML or plain text."""
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            out.append(o["text"])
        data = o.get("data", {})
        out.append(data.get("text/html", "") or data.get("text/plain", ""))
    return "\n".join(out)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], Path]:
    home = tmp_path_factory.mktemp("kernel-home")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_DATA_HOME", str(home / "data"))  # the runs folder the kernel writes
        mp.setenv("IPYTHONDIR", str(home / "ipython"))
        mp.setenv("OMP_NUM_THREADS", "2")
        client = nbclient.NotebookClient(
            nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(home)}}
        )
        client.execute()
    return [_texts(c) for c in nb.cells if c.cell_type == "code"], home


def test_show_has_resnet50s_parameters_stage_shapes_and_an_svg_diagram(executed) -> None:
    import torchvision

    texts, _ = executed
    shown = texts[1]
    params = sum(p.numel() for p in torchvision.models.resnet50().parameters())
    assert f"{params:,}" in shown  # 25,557,032
    for shape in _stage_shapes("resnet50"):
        assert shape in shown
    assert "<svg" in shown and "layer4" in shown


def test_compare_shows_both_networks_stage_shapes(executed) -> None:
    texts, _ = executed
    compared = texts[2]
    for name in ("resnet18", "resnet50"):
        assert name in compared
        for shape in _stage_shapes(name):
            assert shape in compared
    assert "<svg" in compared and "×" in compared


def test_a_two_epoch_run_matches_its_run_folder(executed) -> None:
    texts, home = executed
    printed = texts[5]
    m = re.search(r"last val accuracy (\S+) in (\S+)", printed)
    assert m, printed
    accuracy, run_dir = float(m.group(1)), Path(m.group(2))
    assert run_dir.is_relative_to(home)  # the window's runs folder of the kernel's user
    records = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    epochs = [r for r in records if r["kind"] == "epoch"]
    assert len(epochs) == 2
    assert epochs[-1]["val_accuracy"] == accuracy
    assert records[-1]["kind"] == "end" and records[-1]["status"] == "finished"
    assert run_dir.name in texts[6]  # rs.runs() lists it
    assert "finished" in texts[4]  # the run's own display once it ended


def test_no_gui_toolkit_in_the_kernel(executed) -> None:
    texts, _ = executed
    assert "GUI modules in the kernel: []" in texts[7]
