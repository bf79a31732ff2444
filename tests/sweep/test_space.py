"""Space files: what they mean, and one sentence naming the key and its line when they are wrong
(no torch needed)."""

from __future__ import annotations

import optuna
import pytest

from resnet_studio.core.analysis import analyze
from resnet_studio.core.spec import ArchSpec
from resnet_studio.sweep.errors import SweepError
from resnet_studio.sweep.space import Range, Space, key_line

GOOD = """\
[fixed]
preset = "resnet20"   # a CIFAR ResNet
in_channels = 1
input_size = 8
dataset = "digits"
epochs = 2

[vary]
layers = [[1, 1, 1], [2, 2, 2]]
"widths" = [[8, 16, 32], [16, 32, 64]]
lr = { low = 0.01, high = 0.3, log = true }
batch_size = { low = 32, high = 128, step = 32 }

[sweep]
sampler = "tpe"
seeds = 2
macs_max = 1e6
"""


def test_a_space_file_reads_into_fixed_ranges_and_choices():
    s = Space.parse(GOOD)
    assert s.fixed["preset"] == "resnet20" and s.seeds == 2 and s.sampler == "tpe"
    assert s.vary["lr"] == Range(0.01, 0.3, log=True)
    assert s.vary["batch_size"].integer and not s.vary["lr"].integer
    trial = optuna.trial.FixedTrial(
        {"layers": "[2, 2, 2]", "widths": "[8, 16, 32]", "lr": 0.1, "batch_size": 64}
    )
    params = s.suggest(trial)
    assert params == {"layers": [2, 2, 2], "widths": [8, 16, 32], "lr": 0.1, "batch_size": 64}
    spec, config = s.configure(params)
    assert spec == ArchSpec.from_preset(
        "resnet20", in_channels=1, input_size=8, layers=(2, 2, 2), widths=(8, 16, 32)
    )
    assert (config.dataset, config.epochs, config.lr, config.batch_size) == ("digits", 2, 0.1, 64)


def test_the_band_is_the_apps_own_arithmetic():
    s = Space.parse(GOOD)
    big, _ = s.configure({"layers": [2, 2, 2], "widths": [16, 32, 64]})
    macs = analyze(big).totals.macs
    assert macs > 1e6
    assert s.band_reason(macs, 0) == f"{macs:,} MACs is above macs_max 1,000,000"
    small, _ = s.configure({"layers": [1, 1, 1], "widths": [8, 16, 32]})
    assert s.band_reason(analyze(small).totals.macs, 0) is None


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("epochs = 2", "epoch = 2"), ["line 6", "fixed.epoch", "'epochs'"]),
        (
            ("lr = { low = 0.01, high = 0.3, log = true }", "lr = { low = 0.3, high = 0.01 }"),
            ["line 11", "vary.lr", "low 0.3 above high 0.01"],
        ),
        (
            ("[[1, 1, 1], [2, 2, 2]]", "[[1, 1, 1], [0, 2, 2]]"),
            ["line 9", "vary.layers", "[0, 2, 2]"],
        ),
        (("macs_max = 1e6", "macs_max = 1000"), ["line 17", "sweep.macs_max", "no configuration"]),
        (("seeds = 2", "seeds = 0"), ["line 16", "sweep.seeds", "at least 1"]),
        (('sampler = "tpe"', 'sampler = "grid"'), ["line 15", "sweep.sampler", "'random'"]),
        (('"widths" =', '"widht" ='), ["line 10", "vary.widht", "'widths'"]),
        (("[sweep]", "[swep]"), ["line 14", "[swep]"]),
        (('dataset = "digits"', 'dataset = "digitz"'), ["line 5", "fixed.dataset"]),
    ],
)
def test_a_bad_space_file_is_one_sentence_naming_the_key_and_line(change, words):
    with pytest.raises(SweepError) as e:
        Space.parse(GOOD.replace(*change), "s.toml")
    text = str(e.value)
    assert text.startswith("s.toml, line") and "\n" not in text, text
    for w in words:
        assert w in text, text


def test_not_toml_at_all():
    with pytest.raises(SweepError, match="not valid TOML"):
        Space.parse("[fixed\n")


def test_key_line_finds_quoted_keys_in_their_own_table_only():
    text = '[a]\nx = 1\n[b]\n# x = 0\n"x" = 2\n'
    assert key_line(text, "a", "x") == 2
    assert key_line(text, "b", "x") == 5
    assert key_line(text, "b", "y") == 3  # the table's header when the key is not there
