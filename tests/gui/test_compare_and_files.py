"""Compare view, saving and opening specs, exports, and starting without a display."""

import csv
import dataclasses
import json
import os
import subprocess
import sys

import pytest

from resnet_studio import ArchSpec, analyze
from resnet_studio.core.format import human
from resnet_studio.gui.app import display_problem


def test_resnet18_vs_resnet50(make_window):
    w = make_window()
    w.tabs.setCurrentIndex(1)
    w.compare.quick.click()
    cv = w.compare
    a18, a50 = analyze(ArchSpec.from_preset("resnet18")), analyze(ArchSpec.from_preset("resnet50"))
    stages = [stage for stage, measure in cv.table_rows if not measure]
    assert stages == ["stem", "layer1", "layer2", "layer3", "layer4", "head", "total"]
    headers = [
        cv.table.horizontalHeaderItem(c).text().replace("\n", " ")
        for c in range(cv.table.columnCount())
    ]
    assert headers == ["measure", "resnet18", "resnet50", "vs resnet18"]
    for s in a50.stages:
        assert cv.cell(s.name, "params", "resnet50").text() == human(s.params)
        assert cv.cell(s.name, "params", "resnet50").toolTip() == f"{s.params:,}"
    assert cv.cell("layer3", "output shape", "resnet50").text() == "1024×14×14"
    assert cv.cell("layer3", "output shape", "resnet18").text() == "256×14×14"
    ratio = a50.totals.params / a18.totals.params
    assert cv.cell("total", "params", "resnet50", against_first=True).text() == f"×{ratio:.2f}"
    # differences are highlighted; the identical stem is not
    assert cv.cell("stem", "params", "resnet50").background().color().name() != "#fff2c4"
    assert cv.cell("layer3", "params", "resnet50").background().color().name() == "#fff2c4"


def test_compare_follows_the_current_spec(make_window):
    w = make_window()
    w.tabs.setCurrentWidget(w.compare)
    w.compare.set_entries(["resnet50", "current"])
    w.panel.num_classes.setValue(10)
    c = w.compare.comparison
    assert c.labels == ("resnet50", "resnet18 (edited)")  # an edited preset says so
    assert c.analyses[1].spec == ArchSpec.from_preset("resnet18", num_classes=10)
    assert [label for label, _ in w.compare.plots.analyses] == list(c.labels)
    w.panel.num_classes.setValue(1000)
    w.panel.preset.setCurrentText("resnet50")  # the same as a compared preset: not twice
    assert w.compare.comparison.labels == ("resnet50", "resnet50 (current)")


def test_a_hidden_comparison_catches_up_when_shown_or_exported(make_window, tmp_path):
    """An edit costs a hidden Compare tab nothing; it compares the spec as it is when it is
    shown, and before its table or diagram is exported."""
    w = make_window()
    w.compare.set_entries(["resnet50", "current"])
    shown = w.compare.comparison
    w.panel.num_classes.setValue(10)  # on the Explorer tab
    assert w.compare.comparison is shown  # nothing compared for the hidden tab
    w.exports.export_compare("table", str(tmp_path / "cmp.csv"))
    rows = list(csv.DictReader(open(tmp_path / "cmp.csv")))
    assert "resnet18 (edited)" in rows[0]
    assert w.compare.comparison.analyses[1].spec.num_classes == 10
    w.panel.num_classes.setValue(7)
    w.tabs.setCurrentWidget(w.compare)
    assert w.compare.comparison.analyses[1].spec.num_classes == 7
    assert w.compare.diagram.diagram.rows[1].label == "resnet18 (edited)"
    w.panel.num_classes.setValue(5)  # shown: it follows at once
    assert w.compare.comparison.analyses[1].spec.num_classes == 5


def test_compare_exports_the_rows_shown(make_window, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # this test's profiles only
    from resnet_studio.measure.profile_cache import ProfileCache, default_path

    from ..inspect.test_profile_compare import _profile

    a18, a50 = ArchSpec.from_preset("resnet18"), ArchSpec.from_preset("resnet50")
    cache = ProfileCache(default_path())
    for spec, img_s, peak in ((a18, 400.0, 2_000_000), (a50, 200.0, 3_000_000)):
        # at a batch the Profile tab does not show (these have no per-stage rows to draw)
        cache.put(dataclasses.replace(_profile(spec, "cpu", img_s, 50.0, peak), batch_size=3))
    w = make_window()
    w.compare.quick.click()
    cv = w.compare
    shown = [(stage, measure) for stage, measure in cv.table_rows if measure]
    assert ("measured", "inference img/s") in shown  # the table shows the measured rows
    w.exports.export_compare("table", str(tmp_path / "cmp.csv"))
    rows = list(csv.DictReader(open(tmp_path / "cmp.csv")))
    assert [(r["stage"], r["measure"]) for r in rows] == shown  # exactly the rows shown
    by = {(r["stage"], r["measure"]): r for r in rows}
    n18, n50 = analyze(a18), analyze(a50)
    assert int(by["layer3", "channels"]["resnet50"]) == 1024
    assert int(by["layer3", "params"]["resnet50"]) == n50.stages[3].params
    assert by["layer3", "output shape"]["resnet50"] == "1024×14×14"
    assert int(by["total", "params"]["resnet18"]) == n18.totals.params
    assert by["total", "params"]["resnet50 vs resnet18"] == (
        cv.cell("total", "params", "resnet50", against_first=True).text()
    )
    assert float(by["measured", "inference img/s"]["resnet50"]) == 200.0
    w.exports.export_compare("table", str(tmp_path / "cmp.md"))
    md = (tmp_path / "cmp.md").read_text()
    assert md.startswith("| stage | measure |") and md.count("\n") == 2 + len(shown)
    assert "| measured | peak memory |" in md
    w.exports.export_compare("plots", str(tmp_path / "plots.png"))
    w.exports.export_compare("plots", str(tmp_path / "plots.svg"))
    for part in ("params", "macs", "profile"):
        assert (tmp_path / f"plots-{part}.png").read_bytes()[:4] == b"\x89PNG"
        assert "<svg" in (tmp_path / f"plots-{part}.svg").read_text()


def test_a_difference_the_text_hides_is_highlighted(make_window):
    w = make_window()
    w.panel.load_preset("resnet50")
    w.panel.num_classes.setValue(1001)
    w.compare.set_entries(["resnet50", "current"])
    cv = w.compare
    assert cv.comparison.labels == ("resnet50", "resnet50 (edited)")
    head = analyze(ArchSpec.from_preset("resnet50")).stages[-1].params
    head_1001 = analyze(w.spec).stages[-1].params
    mine = cv.cell("head", "params", "resnet50 (edited)")
    assert cv.cell("head", "params", "resnet50").text() == mine.text() == human(head)
    assert head != head_1001
    assert mine.background().color().name() == "#fff2c4"  # highlighted: they differ
    vs = cv.cell("head", "params", "resnet50 (edited)", against_first=True).text()
    assert vs not in ("same", "×1.00") and vs == f"×{head_1001 / head:.4f}"


def test_save_and_open_a_spec(make_window, tmp_path):
    w = make_window()
    w.panel.preset.setCurrentText("resnet56")
    w.panel.input_height.setValue(40)
    w.exports.save_spec(str(tmp_path / "mine.json"))
    saved = ArchSpec.from_json((tmp_path / "mine.json").read_text())
    assert saved == w.spec
    w.panel.preset.setCurrentText("resnet152")
    assert w.exports.open_spec(str(tmp_path / "mine.json"))
    assert w.spec == saved
    assert str(tmp_path / "mine.json") in w.exports.recent()
    (tmp_path / "bad.json").write_text('{"layers": [2, 0]}')
    assert not w.exports.open_spec(str(tmp_path / "bad.json"))
    assert "layers[1] is 0" in w.statusBar().currentMessage()
    assert w.spec == saved  # nothing lost
    assert not w.exports.open_spec(str(tmp_path / "missing.json"))
    assert "Could not open" in w.statusBar().currentMessage()


def test_analysis_exports_round_trip(make_window, tmp_path):
    w = make_window()
    w.panel.preset.setCurrentText("resnet50")
    w.panel.batch.setValue(2)
    w.exports.export_analysis(".json", str(tmp_path / "a.json"))
    assert json.loads((tmp_path / "a.json").read_text()) == analyze(w.spec, 2).to_dict()
    w.exports.export_analysis(".csv", str(tmp_path / "a.csv"))
    rows = list(csv.DictReader(open(tmp_path / "a.csv")))
    assert len(rows) == len(analyze(w.spec).layers)
    conv = next(r for r in rows if r["name"] == "layer4.2.conv3")
    assert (conv["batch"], conv["output_channels"], conv["output_height"]) == ("2", "2048", "7")
    assert conv["output_width"] == "7" and conv["input_channels"] == "512"
    # summing the leaves' numbers gives the totals; summing every row would count twice
    leaves = [r for r in rows if r["leaf"] == "1"]
    assert sum(int(r["params"]) for r in leaves) == analyze(w.spec).totals.params
    assert sum(int(r["macs"]) for r in leaves) == analyze(w.spec, 2).totals.macs
    assert sum(int(r["params"]) for r in rows) > analyze(w.spec).totals.params
    w.exports.export_analysis(".md", str(tmp_path / "a.md"))
    assert "| layer4.2.conv3 | Conv2d | [2, 2048, 7, 7] |" in (tmp_path / "a.md").read_text()


@pytest.mark.filterwarnings("ignore:.*torch.jit.load.*:FutureWarning")  # the format is deprecated
def test_model_exports_run_off_the_gui_thread(make_window, qtbot, tmp_path):
    import onnx
    import torch

    w = make_window()
    w.panel.preset.setCurrentText("resnet20")
    w.panel.input_height.setValue(16)
    w.panel.input_width.setValue(16)
    qtbot.waitUntil(lambda: w.model is not None, timeout=20000)
    w.exports.export_model("state_dict", str(tmp_path / "m.pth"))
    w.exports.export_model("torchscript", str(tmp_path / "m.pt"))
    w.exports.export_model("onnx", str(tmp_path / "m.onnx"))
    w.exports.export_torchinfo(str(tmp_path / "m.txt"))
    assert w.progress.isVisible()  # the busy indicator while they run
    qtbot.waitUntil(lambda: w.exports.busy == 0, timeout=120000)
    assert not w.progress.isVisible()
    state = torch.load(tmp_path / "m.pth")
    assert set(state) == set(w.model.state_dict())
    traced = torch.jit.load(str(tmp_path / "m.pt"))
    x = torch.randn(2, 3, 16, 16)
    w.model.eval()
    torch.testing.assert_close(traced(x), w.model(x))
    graph = onnx.load(str(tmp_path / "m.onnx"))
    assert [i.name for i in graph.graph.input] == ["input"]
    summary = (tmp_path / "m.txt").read_text()
    assert "Total params: 269,722" in summary


def test_export_without_a_built_model_says_so(make_window, tmp_path):
    w = make_window()
    w.model = None
    w.exports.export_model("state_dict", str(tmp_path / "m.pth"))
    assert "still being built" in w.statusBar().currentMessage()
    assert not (tmp_path / "m.pth").exists()


def test_no_display_is_one_sentence(monkeypatch):
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    if sys.platform.startswith("linux"):
        assert "xvfb-run" in display_problem() and "offscreen" in display_problem()
        env = {k: v for k, v in os.environ.items()}
        r = subprocess.run(
            [sys.executable, "-m", "resnet_studio.cli"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
        assert "no display" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("suffix", [".csv", ".json", ".md"])
def test_exports_are_atomic(make_window, tmp_path, monkeypatch, suffix):
    w = make_window()
    target = tmp_path / f"a{suffix}"
    target.write_text("old")
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError("disk full")))
    w.exports.export_analysis(suffix, str(target))
    assert target.read_text() == "old"
    assert "Could not save" in w.statusBar().currentMessage()
