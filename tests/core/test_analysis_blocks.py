"""The analysis works a residual block out once per (block, input shape) and copies its numbers
to the blocks that are the same (issue 20: the 1202-layer ResNet's 600 blocks are 5)."""

from dataclasses import fields

import pytest

from resnet_studio import ArchSpec
from resnet_studio.core import analysis
from resnet_studio.core.analysis import LayerRow, clear_caches

HUGE = ArchSpec.from_preset("resnet20", layers=(200, 200, 200))


def _worked_out(monkeypatch, spec: ArchSpec) -> list[str]:
    """The blocks whose numbers were worked out (not copied) in analysing ``spec``."""
    names: list[str] = []
    roll_up = analysis._roll_up

    def counting(node, rows, above_blocks):  # noqa: ANN001, ANN202
        if node.key and not above_blocks:
            names.append(node.name)
        return roll_up(node, rows, above_blocks)

    monkeypatch.setattr(analysis, "_roll_up", counting)
    clear_caches()
    analysis.analyze(spec)
    monkeypatch.undo()
    return names


def test_a_block_is_worked_out_once_per_distinct_block_and_input(monkeypatch):
    # layer1: 16 → 16 channels throughout; layer2 and layer3: a first block halves the side and
    # doubles the channels, the 199 after it are alike
    assert _worked_out(monkeypatch, HUGE) == ["layer1.0", "layer2.0", "layer2.1"] + [
        "layer3.0",
        "layer3.1",
    ]
    # resnet50: every stage's first block has a projection shortcut
    r50 = ArchSpec.from_preset("resnet50")
    assert _worked_out(monkeypatch, r50) == [f"layer{i}.{j}" for i in (1, 2, 3, 4) for j in (0, 1)]


def _all_numbers(rows: tuple[LayerRow, ...]) -> list[tuple]:
    return [tuple(getattr(r, f.name) for f in fields(LayerRow) if f.name != "node") for r in rows]


def _without_copies(spec: ArchSpec) -> tuple[LayerRow, ...]:
    """Every block worked out anew: the arithmetic before blocks were copied."""
    root = analysis.describe(spec)
    rows: dict[str, LayerRow] = {}
    blocks = analysis._Blocks({}, {})
    analysis._make_rows(root, 0, "", rows, None, blocks)
    analysis._apply(root, (spec.in_channels, *spec.input_size), rows, None)
    analysis._roll_up(root, rows, False)
    return tuple(rows.values())


@pytest.mark.parametrize(
    "spec",
    [
        HUGE,
        ArchSpec.from_preset("resnet152"),
        ArchSpec.from_preset("resnet50", attention="se", aa="blur", drop_path_rate=0.1),
        ArchSpec.from_preset(
            "resnet50", shortcut="avg_down", stem="deep", stem_width=32, drop_block_rate=0.1
        ),
        ArchSpec.from_preset("resnet34", preact=True, drop_path_rate=0.2, input_size=(97, 131)),
        ArchSpec.from_preset("resnet26", attention="eca", aa="avg", input_size=(64, 96)),
    ],
    ids=["resnet1202", "resnet152", "se-blur-drop-path", "avg-down-drop-block", "preact", "eca-aa"],
)
def test_copied_blocks_have_every_number_of_blocks_worked_out(spec):
    clear_caches()
    assert _all_numbers(analysis.analyze(spec).rows) == _all_numbers(_without_copies(spec))
