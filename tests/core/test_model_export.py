"""Model exports opened with the tools users use (onnxruntime, torch.export.load, torch.jit.load,
load_state_dict), after the file is moved to another folder; weights from a real run; mistakes
as sentences."""

import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from resnet_studio import ArchSpec, build_model
from resnet_studio.cli import main
from resnet_studio.core import model_export
from resnet_studio.core.model_export import FORMATS, export_model, with_suffix
from resnet_studio.train import RunRecorder, TrainConfig, Trainer, TrainError
from resnet_studio.train.records import load_checkpoint, save_checkpoint

SPEC = ArchSpec.from_preset("resnet18", input_size=32, num_classes=5)
SMALL = ArchSpec.from_preset("resnet20", layers=(1, 1, 1), in_channels=1, input_size=8)
TINY = ArchSpec.from_preset("resnet20", layers=(1, 1, 1), input_size=16)  # quick to export
TOL = dict(rtol=1e-4, atol=1e-4)


def reference(spec: ArchSpec, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    model = build_model(spec)
    with torch.no_grad():  # running statistics that are not the identity, so eval mode matters
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    return model


def run_onnx(path, x: torch.Tensor) -> torch.Tensor:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (out,) = session.run(None, {session.get_inputs()[0].name: x.numpy()})
    return torch.from_numpy(out)


def open_export(fmt: str, path, spec: ArchSpec):
    """A callable from the file alone, opened as a user of that format opens it."""
    if fmt == "onnx":
        return lambda x: run_onnx(path, x)
    if fmt == "pt2":
        return torch.export.load(str(path)).module()
    if fmt == "torchscript":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # torch.jit is deprecated
            return torch.jit.load(str(path))
    model = build_model(spec).eval()
    model.load_state_dict(torch.load(path, weights_only=True), strict=True)
    return model


def moved(path, tmp_path):
    """The export moved alone to another folder; its folder must then be empty."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    target = shutil.move(str(path), elsewhere / path.name)
    assert list(path.parent.iterdir()) == [], "the export left other files behind"
    return target


@pytest.mark.parametrize("fmt", ["onnx", "pt2", "torchscript", "state_dict"])
def test_exports_open_elsewhere_with_the_models_outputs(tmp_path, fmt):
    model = reference(SPEC).train()  # the window's model may be in training mode
    out = tmp_path / "out"
    out.mkdir()
    written = export_model(model, SPEC, fmt, out / "model")
    assert written == out / f"model{FORMATS[fmt].suffix}"
    assert model.training, "exporting changed the caller's model"
    loaded = open_export(fmt, moved(written, tmp_path), SPEC)
    model.eval()
    batches = (1, 2) if fmt == "torchscript" else (1, 3)  # onnx and pt2: any batch size
    for batch in batches:
        x = torch.randn(batch, 3, 32, 32)
        with torch.no_grad():
            torch.testing.assert_close(loaded(x), model(x), **TOL)


@pytest.fixture(params=["legacy", "dynamo"])
def onnx_exporter(request, monkeypatch):
    """Either of torch's ONNX exporters: the TorchScript-based one while torch has it (fast),
    the torch.export-based one otherwise (forced here by a weight limit of 0)."""
    if request.param == "dynamo":
        monkeypatch.setattr(model_export, "LEGACY_ONNX_LIMIT", 0)
    return request.param


def test_onnx_is_one_file_with_its_weights_inside(tmp_path, onnx_exporter):
    import onnx
    from onnx.external_data_helper import uses_external_data

    model = reference(TINY).eval()
    out = tmp_path / "out"
    out.mkdir()
    written = export_model(model, TINY, "onnx", out / "m.onnx")
    assert sorted(p.name for p in out.iterdir()) == ["m.onnx"]
    graph = onnx.load(str(written), load_external_data=False)
    assert graph.graph.initializer and not any(map(uses_external_data, graph.graph.initializer))
    assert [i.name for i in graph.graph.input] == ["input"]
    assert graph.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert "BatchNormalization" not in {n.op_type for n in graph.graph.node}  # folded into convs
    onnx_file = moved(written, tmp_path)
    for batch in (1, 3):
        x = torch.randn(batch, 3, 16, 16)
        with torch.no_grad():
            torch.testing.assert_close(run_onnx(onnx_file, x), model(x), **TOL)


def test_without_the_legacy_exporter_the_other_writes_onnx(tmp_path, monkeypatch):
    """The TorchScript-based exporter is deprecated: once torch drops it, exports go on."""
    export = torch.onnx.export

    def no_legacy(*args, **kw):
        if kw.get("dynamo") is False:
            raise RuntimeError("removed")
        return export(*args, **kw)

    monkeypatch.setattr(torch.onnx, "export", no_legacy)
    model = reference(TINY).eval()
    written = export_model(model, TINY, "onnx", tmp_path / "m.onnx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx"]
    x = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        torch.testing.assert_close(run_onnx(written, x), model(x), **TOL)


def test_onnx_external_data_is_named_after_the_final_file(tmp_path, monkeypatch):
    """Above 2 GB the weights go to a data file: it must carry the final name and move in too.
    (Weights that large go to the torch.export-based exporter, which writes one data file.)"""
    monkeypatch.setattr(model_export, "LEGACY_ONNX_LIMIT", 0)
    save = torch.onnx.ONNXProgram.save
    monkeypatch.setattr(
        torch.onnx.ONNXProgram,
        "save",
        lambda self, dest, **kw: save(self, dest, external_data=True),
    )
    model = reference(TINY).eval()
    written = export_model(model, TINY, "onnx", tmp_path / "big.onnx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.onnx", "big.onnx.data"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for p in (written, tmp_path / "big.onnx.data"):
        shutil.move(str(p), elsewhere / p.name)
    x = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        torch.testing.assert_close(run_onnx(elsewhere / "big.onnx", x), model(x), **TOL)


def test_a_failed_onnx_export_leaves_nothing_behind(tmp_path, monkeypatch, onnx_exporter):
    def half_then_fail(dest):
        Path(f"{dest}.data").write_bytes(b"half the weights")
        Path(dest).write_bytes(b"half the graph")
        raise OSError(28, "No space left on device")

    export = torch.onnx.export

    def legacy_fails(model, args, f=None, **kw):
        if kw.get("dynamo") is False:
            half_then_fail(f)
        return export(model, args, f, **kw)

    monkeypatch.setattr(torch.onnx, "export", legacy_fails)
    monkeypatch.setattr(
        torch.onnx.ONNXProgram, "save", lambda self, dest, **kw: half_then_fail(dest)
    )
    with pytest.raises(OSError):
        export_model(reference(TINY), TINY, "onnx", tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []


def test_a_suffix_that_does_not_match_gets_the_formats(tmp_path):
    assert with_suffix("x.pt", "state_dict").name == "x.pt.pth"
    assert with_suffix("x.ONNX", "onnx").name == "x.ONNX"
    written = export_model(reference(SPEC), SPEC, "state_dict", tmp_path / "x.pt")
    assert written.name == "x.pt.pth" and not (tmp_path / "x.pt").exists()
    # a state_dict, not TorchScript: tensors that load_state_dict takes
    state = torch.load(written, weights_only=True)
    assert set(state) == set(build_model(SPEC).state_dict())


def test_python_code_builds_the_spec(tmp_path):
    written = export_model(None, SPEC, "python", tmp_path / "net", base_preset="resnet18")
    assert written.suffix == ".py"
    scope: dict = {}
    exec(written.read_text(), scope)
    assert scope["spec"] == SPEC


# --- weights from a run -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A real short run on the bundled digits: its folder holds best.pt and last.pt."""
    run = tmp_path_factory.mktemp("run")
    cfg = TrainConfig(epochs=1, batch_size=64, lr=0.05, device="cpu", threads=2, seed=0)
    end = Trainer(SMALL, cfg, [RunRecorder(run)], run_dir=str(run)).run()
    assert end.status == "finished", end.reason
    return run


def checkpoint_model(path) -> torch.nn.Module:
    model = build_model(SMALL).eval()
    model.load_state_dict(load_checkpoint(path)["model"])
    return model


@pytest.mark.parametrize("fmt", ["onnx", "pt2"])
def test_a_runs_checkpoint_exports_its_trained_weights(trained, tmp_path, capsys, fmt):
    out = tmp_path / "out"
    out.mkdir()
    args = ["export", "--weights", str(trained / "last.pt"), "--format", fmt]
    assert main([*args, "--out", str(out / "digits")]) == 0
    printed = capsys.readouterr().out
    assert "architecture saved with the weights" in printed  # no options: the checkpoint's spec
    written = out / f"digits{FORMATS[fmt].suffix}"
    assert printed.strip().splitlines()[-1] == str(written)
    loaded = open_export(fmt, moved(written, tmp_path), SMALL)
    x = torch.randn(4, 1, 8, 8)
    with torch.no_grad():
        expected = checkpoint_model(trained / "last.pt")(x)
        fresh = build_model(SMALL).eval()(x)
    got = loaded(x)
    torch.testing.assert_close(got, expected, **TOL)
    assert not torch.allclose(got, fresh, atol=1e-2), "these are untrained outputs"


def test_options_that_conflict_with_the_checkpoint_say_so(trained, tmp_path, capsys):
    args = ["export", "--weights", str(trained / "best.pt"), "--format", "state_dict"]
    assert main([*args, "--num-classes", "7", "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err
    assert "conflict" in err and "num_classes is 7 in the options but 10" in err
    assert len(err.strip().splitlines()) == 1
    assert main([*args, "--preset", "resnet18", "--out", str(tmp_path / "b")]) == 2
    assert "conflict" in capsys.readouterr().err
    # the input size is not part of the weights: another one is fine
    assert main([*args, "--input-size", "16", "--out", str(tmp_path / "c")]) == 0
    assert "at input 16×16" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == [tmp_path / "c.pth"]


def test_a_state_dict_that_does_not_fit_names_the_keys(tmp_path, capsys):
    torch.save(build_model(SPEC).state_dict(), tmp_path / "five.pth")
    args = ["export", "--format", "onnx", "--out", str(tmp_path / "m.onnx"), "--weights"]
    assert main([*args, str(tmp_path / "five.pth"), "--preset", "resnet18"]) == 2
    err = capsys.readouterr().err.strip()
    assert "fc.weight is [5, 512] in the file but [1000, 512] in the model" in err
    assert "fc.bias is [5]" in err and len(err.splitlines()) == 1

    torch.save(build_model(ArchSpec.from_preset("resnet34")).state_dict(), tmp_path / "r34.pth")
    assert main([*args, str(tmp_path / "r34.pth")]) == 2  # resnet18 by default
    err = capsys.readouterr().err.strip()
    extra = sorted(set(torch.load(tmp_path / "r34.pth")) - set(build_model(SPEC).state_dict()))
    assert f"and {len(extra) - 4} more, which the model does not" in err
    assert "layer1.2.conv1.weight" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "m.onnx").exists()

    # the same sentence from the function the window uses
    from resnet_studio.train.weights import load_weights_into

    with pytest.raises(TrainError, match=r"fc\.weight is \[5, 512\]"):
        state = torch.load(tmp_path / "five.pth", weights_only=True)
        load_weights_into(build_model(ArchSpec.from_preset("resnet18")), state, "five.pth")


def test_a_plain_state_dict_needs_no_spec_from_a_run(tmp_path, capsys):
    model = reference(SPEC).eval()
    torch.save(model.state_dict(), tmp_path / "w.pth")
    spec = ["--preset", "resnet18", "--input-size", "32", "--num-classes", "5"]
    args = ["--weights", str(tmp_path / "w.pth"), "--format", "onnx"]
    assert main(["export", *spec, *args, "--out", str(tmp_path / "m.onnx")]) == 0
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(run_onnx(tmp_path / "m.onnx", x), model(x), **TOL)


def test_weights_files_that_are_not_weights_are_sentences(trained, tmp_path, capsys):
    canary = tmp_path / "created"

    class Touch:
        def __reduce__(self):
            import pathlib

            return (pathlib.Path.touch, (canary,))

    torch.save({"model": Touch()}, tmp_path / "evil.pt")
    np.save(tmp_path / "array.npy", np.zeros(3))
    save_checkpoint(tmp_path / "plain.pt", {"epoch": 1})
    for name, says in (
        ("evil.pt", "could run code"),
        ("array.npy", "cannot be read"),
        ("plain.pt", "holds no model weights"),
        ("missing.pt", "There is no weights file"),
    ):
        args = ["export", "--weights", str(tmp_path / name), "--format", "pt2"]
        assert main([*args, "--out", str(tmp_path / "m.pt2")]) == 2
        err = capsys.readouterr().err
        assert says in err and len(err.strip().splitlines()) == 1, err
    assert not canary.exists() and not (tmp_path / "m.pt2").exists()


def test_export_help_does_not_import_torch():
    import subprocess
    import sys

    code = (
        "import sys\nfrom resnet_studio.cli import build_parser\n"
        "build_parser().parse_args(['export', '--format', 'onnx', '--out', 'x'])\n"
        "import resnet_studio.core.model_export\n"
        "sys.exit('torch' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_exports_on_two_threads_take_turns(tmp_path):
    """Tracing patches process-wide state: two exports at once corrupted each other's graphs."""
    import threading

    model = reference(TINY).eval()
    errors = []

    def export(fmt):
        try:
            export_model(model, TINY, fmt, tmp_path / "m")
        except Exception as e:  # reported below, with the format
            errors.append((fmt, e))

    threads = [threading.Thread(target=export, args=(f,)) for f in ("onnx", "torchscript", "pt2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    x = torch.randn(1, 3, 16, 16)
    with torch.no_grad():
        for fmt in ("onnx", "torchscript", "pt2"):
            got = open_export(fmt, tmp_path / f"m{FORMATS[fmt].suffix}", TINY)(x)
            torch.testing.assert_close(got, model(x), **TOL)
