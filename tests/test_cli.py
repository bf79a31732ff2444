"""`resnet-studio summary` and `presets`, run as a user runs them."""

import json
import subprocess
import sys

import pytest

from resnet_studio import ArchSpec, analyze
from resnet_studio.cli import main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "resnet_studio.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_summary_json_document(capsys):
    assert (
        main(
            ["summary", "--preset", "resnet50", "--batch", "4", "--input-size", "160x128", "--json"]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    expected = analyze(ArchSpec.from_preset("resnet50", input_size=(160, 128)), batch_size=4)
    assert doc["spec"]["input_size"] == [160, 128]
    assert set(doc["totals"]) >= {
        "params",
        "trainable_params",
        "buffers",
        "macs",
        "flops",
        "param_bytes",
        "activation_bytes",
    }
    assert doc["totals"]["params"] == expected.totals.params
    assert doc["totals"]["macs"] == expected.totals.macs
    assert [s["name"] for s in doc["stages"]] == [
        "stem",
        "layer1",
        "layer2",
        "layer3",
        "layer4",
        "head",
    ]
    assert doc["stages"][4]["output_shape"] == [4, 2048, 5, 4]
    layer = next(r for r in doc["layers"] if r["name"] == "layer3.2.conv2")
    assert set(layer) >= {"name", "type", "input_shape", "output_shape", "params", "macs"}
    assert layer["type"] == "Conv2d" and layer["output_shape"] == [4, 256, 10, 8]


def test_overrides_reach_the_spec(capsys):
    main(
        [
            "summary",
            "--preset",
            "resnet18",
            "--block",
            "bottleneck",
            "--layers",
            "1,1,1",
            "--widths",
            "16,32,64",
            "--groups",
            "4",
            "--width-per-group",
            "16",
            "--stem",
            "cifar",
            "--shortcut",
            "conv",
            "--in-channels",
            "1",
            "--input-size",
            "28",
            "--num-classes",
            "7",
            "--json",
        ]
    )
    spec = json.loads(capsys.readouterr().out)["spec"]
    assert (
        spec
        == ArchSpec(
            block="bottleneck",
            layers=(1, 1, 1),
            widths=(16, 32, 64),
            groups=4,
            width_per_group=16,
            stem="cifar",
            shortcut="conv",
            in_channels=1,
            input_size=28,
            num_classes=7,
        ).to_dict()
    )


def test_table_shows_stages_and_collapsed_blocks(capsys):
    main(["summary", "--preset", "resnet152"])
    out = capsys.readouterr().out
    assert "resnet152" in out and "depth 152" in out
    assert "layer3.1–35 ×35" in out
    assert "60,192,808" in out


def test_depth_layers_prints_every_layer(capsys):
    main(["summary", "--preset", "resnet18", "--depth", "layers"])
    out = capsys.readouterr().out
    for name in ("layer2.0.downsample.0", "layer4.1.bn2", "fc"):
        assert name in out


def test_custom_spec_is_labelled(capsys):
    main(["summary", "--preset", "resnet50", "--num-classes", "10"])
    assert "resnet50 (edited)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [
        ["summary", "--preset", "resnet5"],
        ["summary", "--block", "basic", "--groups", "32"],
        ["summary", "--layers", "2,0,2"],
        ["summary", "--groups", "abc"],
        ["summary", "--input-size", "0"],
        ["summary", "--batch", "0"],
    ],
)
def test_invalid_input_exits_2_with_one_line(args):
    r = run(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0], r.stderr
    assert "Traceback" not in r.stderr


def test_presets_lists_every_preset(capsys):
    main(["presets"])
    out = capsys.readouterr().out
    for name in ArchSpec.presets():
        assert name in out


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["summary", "--preset", "resnet50", "--json"],
        ["presets"],
        ["runs", "--root", "."],
        ["train", "--help"],
    ],
)
def test_reading_commands_do_not_import_torch(args):
    """Arithmetic and file reading start without torch's two seconds."""
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['resnet-studio', *{args!r}]\n"
        "try:\n"
        "    runpy.run_module('resnet_studio.cli', run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    code = e.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('torch', 'torchvision', 'numpy', 'PySide6'))\n"
        "print('HEAVY', heavy[:5], file=sys.stderr)\n"
        "sys.exit(1 if heavy else code)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "HEAVY []" in r.stderr, r.stderr
    assert r.returncode in (0, None), r.stderr


def test_version(capsys):
    import resnet_studio

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"resnet-studio {resnet_studio.__version__}"


def test_timm_options_and_presets_from_the_command_line(capsys):
    """timm's options are flags like the others, and the presets list groups them."""
    main(["summary", "--preset", "resnet50", "--stem", "deep", "--shortcut", "avg_down", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["totals"]["params"] == analyze(ArchSpec.from_preset("resnet50d")).totals.params
    main(["summary", "--preset", "resnet50d", "--attention", "eca", "--drop-path-rate", "0.1"])
    assert "25,576,350" in capsys.readouterr().out  # ecaresnet50d's parameters
    main(["presets"])
    out = capsys.readouterr().out
    assert out.index("timm:") < out.index("seresnext50_32x4d") < out.index("CIFAR and textbook:")


@pytest.mark.parametrize(
    "args, named",
    [
        (["summary", "--batch", "0"], "--batch: 0"),
        (["inspect", "x", "--top-losses", "-1"], "--top-losses: -1"),
        (["train", "--batch-size", "0"], "--batch-size: 0"),
        (["train", "--epochs", "-2"], "--epochs: -2"),
        (["train", "--lr", "nan"], "--lr: nan"),
        (["train", "--val-fraction", "1"], "--val-fraction: 1"),
        (["profile", "--repeats", "0"], "--repeats: 0"),
        (["lr-find", "--steps", "0"], "--steps: 0"),
    ],
)
def test_numeric_options_out_of_range_name_the_option_and_value(args, named, capsys):
    with pytest.raises(SystemExit) as e:
        main(args)
    err = capsys.readouterr().err
    assert e.value.code == 2 and named in err and err.count("\n") == 1


def test_export_to_a_device_is_refused_before_any_work(capsys):
    assert main(["export", "--format", "onnx", "--out", "/dev/full"]) == 2
    err = capsys.readouterr().err
    assert "/dev/full" in err and "not a regular file" in err
    import os

    assert not os.path.exists("/dev/full.onnx")
