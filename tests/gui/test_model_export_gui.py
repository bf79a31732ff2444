"""Model exports from the window: the menu item decides the format, a suffix that differs gets
the right one added, and a run's best or last checkpoint exports its trained weights."""

import pytest
import torch
from PySide6.QtWidgets import QFileDialog

from resnet_studio import ArchSpec, build_model
from resnet_studio.train import RunRecorder, TrainConfig, Trainer
from resnet_studio.train.records import load_checkpoint, save_checkpoint
from tests.gui.modal import answer_box, button_named

TINY = ArchSpec.from_preset("resnet20", layers=(1, 1, 1), in_channels=1, input_size=8)


def menu_action(w, text):
    export_menu = next(
        a.menu() for a in w.menuBar().actions()[0].menu().actions() if a.text() == "&Export"
    )
    return next(a for a in export_menu.actions() if a.text() == text)


def answer_save_dialog(monkeypatch, path):
    asked = []

    def dialog(parent, title, start, filters):
        asked.append((title, filters))
        return str(path), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialog))
    return asked


@pytest.fixture
def window(make_window, qtbot):
    w = make_window()
    w.panel.set_spec(TINY)
    qtbot.waitUntil(lambda: w.model is not None and w.spec == TINY, timeout=20000)
    return w


def test_the_menu_item_decides_the_format_not_the_typed_suffix(
    window, qtbot, monkeypatch, tmp_path
):
    out = tmp_path / "out"
    out.mkdir()
    asked = answer_save_dialog(monkeypatch, out / "weights.pt")  # TorchScript's suffix
    menu_action(window, "Model state_dict…").trigger()
    qtbot.waitUntil(lambda: window.exports.busy == 0, timeout=60000)
    assert asked[0][1] == "state_dict (*.pth)"
    assert sorted(p.name for p in out.iterdir()) == ["weights.pt.pth"]
    state = torch.load(out / "weights.pt.pth", weights_only=True)  # tensors, not a program
    model = build_model(TINY)
    model.load_state_dict(state, strict=True)
    assert torch.equal(state["fc.weight"], window.model.state_dict()["fc.weight"])
    assert "Exported" in window.statusBar().currentMessage()


def test_a_pt2_export_from_the_menu_opens_with_torch_export(window, qtbot, monkeypatch, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    answer_save_dialog(monkeypatch, out / "net")
    menu_action(window, "Model as torch.export (.pt2)…").trigger()
    assert window.progress.isVisible()  # off the GUI thread, with the busy indicator
    qtbot.waitUntil(lambda: window.exports.busy == 0, timeout=60000)
    loaded = torch.export.load(str(out / "net.pt2")).module()
    x = torch.randn(3, 1, 8, 8)
    reference = window.model.eval()
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), reference(x), rtol=1e-4, atol=1e-4)
    assert sorted(p.name for p in out.iterdir()) == ["net.pt2"]


def test_python_code_from_the_menu(window, qtbot, monkeypatch, tmp_path):
    answer_save_dialog(monkeypatch, tmp_path / "net.py")
    menu_action(window, "Model as Python code…").trigger()
    qtbot.waitUntil(lambda: window.exports.busy == 0, timeout=20000)
    scope: dict = {}
    exec((tmp_path / "net.py").read_text(), scope)
    assert scope["spec"] == TINY


@pytest.fixture
def run_dir(tmp_path):
    """A finished one-epoch run whose best.pt and last.pt hold different weights."""
    run = tmp_path / "runs" / "20260101-000000-digits"
    cfg = TrainConfig(epochs=1, batch_size=64, device="cpu", threads=2)
    assert Trainer(TINY, cfg, [RunRecorder(run)], run_dir=str(run)).run().status == "finished"
    best = load_checkpoint(run / "best.pt")
    best["model"]["fc.weight"] = best["model"]["fc.weight"] * -1  # tell best from last
    save_checkpoint(run / "best.pt", best)
    return run


def checkpoint_outputs(path, x):
    model = build_model(TINY).eval()
    model.load_state_dict(load_checkpoint(path)["model"])
    with torch.no_grad():
        return model(x)


def run_onnx(path, x):
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return torch.from_numpy(session.run(None, {"input": x.numpy()})[0])


def click_when_asked(button_text, seen):
    """Answer the best-or-last question (a modal box) by clicking ``button_text``."""
    answer_box(button_named(button_text), seen)


@pytest.mark.parametrize("which", ["Best", "Last"])
def test_a_runs_checkpoint_exports_its_trained_weights(
    window, qtbot, monkeypatch, tmp_path, run_dir, which
):
    train = window.train
    train.manager.root = run_dir.parent
    train.manager.load()
    train.table.selectRow(0)
    assert train.model_button.isEnabled()
    formats = [a.text() for a in train.model_button.menu().actions()]
    assert formats == [
        "ONNX (.onnx)…",
        "torch.export (.pt2)…",
        "TorchScript (.pt)…",
        "state_dict (.pth)…",
    ]
    out = tmp_path / "out"
    out.mkdir()
    asked = answer_save_dialog(monkeypatch, out / "trained")
    seen = []
    click_when_asked(which, seen)
    train.model_button.menu().actions()[0].trigger()  # ONNX
    assert seen and "best" in seen[0] and "last" in seen[0]
    assert run_dir.name in asked[0][0] and which.lower() in asked[0][0]
    qtbot.waitUntil(lambda: window.exports.busy == 0, timeout=60000)
    assert "Exported" in window.statusBar().currentMessage(), window.statusBar().currentMessage()
    assert sorted(p.name for p in out.iterdir()) == ["trained.onnx"]
    x = torch.randn(4, 1, 8, 8)
    expected = checkpoint_outputs(run_dir / f"{which.lower()}.pt", x)
    other = checkpoint_outputs(run_dir / ("last.pt" if which == "Best" else "best.pt"), x)
    got = run_onnx(out / "trained.onnx", x)
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)
    assert not torch.allclose(got, other, atol=1e-3)


def test_a_damaged_checkpoint_is_a_sentence_in_the_status_bar(
    window, qtbot, monkeypatch, tmp_path, run_dir
):
    (run_dir / "best.pt").unlink()  # only last.pt: nothing to ask
    (run_dir / "last.pt").write_bytes(b"not a checkpoint")
    train = window.train
    train.manager.root = run_dir.parent
    train.manager.load()
    train.table.selectRow(0)
    answer_save_dialog(monkeypatch, tmp_path / "m.pt2")
    train.export_run_model("pt2")
    qtbot.waitUntil(lambda: window.exports.busy == 0, timeout=60000)
    message = window.statusBar().currentMessage()
    assert "failed" in message and "cannot be read" in message and "\n" not in message
    assert not (tmp_path / "m.pt2").exists()


def test_exporting_while_a_run_trains_leaves_the_run_alone(window, qtbot, monkeypatch, tmp_path):
    """torch.export sets process-wide state while it traces; in the window's own process it
    crashed a run training on another thread (KeyError 'custom' in zero_grad)."""
    window.train.root = tmp_path / "runs"
    window.tabs.setCurrentIndex(2)
    panel = window.train.panel
    panel.dataset.setCurrentText("digits")
    panel.epochs.setValue(3)
    panel.device.setCurrentIndex(0)  # cpu
    state = window.train.start_run()
    qtbot.waitUntil(lambda: state.step.n > 5, timeout=60000)
    out = tmp_path / "out"
    out.mkdir()
    for fmt, name in (("onnx", "m.onnx"), ("pt2", "m.pt2")):
        window.exports.export_model(fmt, str(out / name))
    exporting = []  # the flag torch.export sets for every thread while it traces

    def exported() -> bool:
        exporting.append(torch.compiler.is_exporting())
        return window.exports.busy == 0

    qtbot.waitUntil(exported, timeout=120000)
    assert len(exporting) > 10 and not any(exporting), "the export traced in the window's process"
    qtbot.waitUntil(lambda: state.status != "running", timeout=120000)
    assert state.status == "finished", state.reason
    assert sorted(p.name for p in out.iterdir()) == ["m.onnx", "m.pt2"]
