"""The analysis works a residual block out once per (block, input shape) and copies its numbers
to the blocks that are the same (issue 20: the 1202-layer ResNet's 600 blocks are 5)."""

from collections import Counter
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
    analysis._make_rows(root, 0, "", rows, [], True)
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


def _deferred(spec: ArchSpec) -> list:
    """The blocks of ``spec``'s description whose modules are not made yet (not by walk(),
    which makes them)."""
    stages = [c for c in analysis.describe(spec).children if c.name.startswith("layer")]
    return [b for s in stages for b in s.children if b.make is not None]


def test_an_edit_makes_the_modules_of_the_distinct_blocks_only():
    """What an edit computes (the analysis's totals, stages and note, the block runs, the
    diagram) reads the modules of the 5 distinct blocks of resnet1202, not of all 600."""
    from resnet_studio.core.diagram import diagram
    from resnet_studio.core.format import summary_table

    clear_caches()
    a = analysis.analyze(HUGE)
    a.totals, a.stages, a.training_only  # noqa: B018 (what the summary strip shows)
    summary_table(a)
    diagram([("resnet1202", a)])
    assert len(_deferred(HUGE)) == 600 - 5
    # asking for one module's row makes that block's modules only
    assert a.row("layer2.7.conv1").in_shape == a.row("layer2.1.conv1").in_shape
    assert len(_deferred(HUGE)) == 600 - 6
    # every row: every block
    assert len(a.rows) == len(_without_copies(HUGE))
    assert _deferred(HUGE) == []


SAME_FIELDS = ("name", "kind", "in_ch", "out_ch", "kernel", "stride", "padding", "dilation")
SAME_FIELDS += ("groups", "bias", "ceil", "scale")


@pytest.mark.parametrize(
    "spec",
    [
        HUGE,
        ArchSpec.from_preset("resnet50", replace_stride_with_dilation=(False, True, True)),
        ArchSpec.from_preset("resnet34", preact=True, drop_path_rate=0.2),
        ArchSpec.from_preset("resnet50", attention="se", aa="blur", drop_block_rate=0.1),
    ],
    ids=["resnet1202", "dilated", "preact-drop-path", "se-blur-drop-block"],
)
def test_a_deferred_block_is_the_block_made_at_once(spec):
    clear_caches()
    for block in _deferred(spec):
        made = block.make(block.name, block.rate)  # the block made as the first of its key is
        assert [getattr(block, f) for f in SAME_FIELDS] == [getattr(made, f) for f in SAME_FIELDS]
        assert block.rate == (made.flow[-1].rate if made.flow[-1].kind == "DropPath" else 0.0)
        mine, theirs = block.walk()[1:], made.walk()[1:]  # the body, made now
        assert [[getattr(n, f) for f in SAME_FIELDS] for n in mine] == [
            [getattr(n, f) for f in SAME_FIELDS] for n in theirs
        ]
        assert block.make is None


def test_threads_reading_a_deferred_block_get_one_body():
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    clear_caches()
    blocks = _deferred(HUGE)[:50]
    start = Barrier(4)

    def read(_: int) -> list[int]:
        start.wait()
        return [id(b.children) for b in blocks]

    with ThreadPoolExecutor(4) as pool:
        seen = list(pool.map(read, range(4)))
    assert seen[0] == seen[1] == seen[2] == seen[3]


@pytest.mark.parametrize(
    "spec",
    [
        HUGE,
        ArchSpec.from_preset("resnet152", drop_block_rate=0.1),
        ArchSpec.from_preset("resnet50", stem="deep", stem_width=32, aa="blur", attention="eca"),
    ],
    ids=["resnet1202", "resnet152-drop-block", "deep-blur-eca"],
)
def test_the_distinct_rows_weighted_are_every_row(spec):
    """Sums over every row (the totals' batch norms and max-pool indices, the DropBlock count)
    come from the distinct rows, each weighted by how many rows have its numbers."""
    clear_caches()
    a = analysis.analyze(spec)
    weighted: Counter = Counter()
    for r, k in a.distinct:
        weighted[r.kind, r.section, r.out_shape, r.params, r.macs] += k
    every = Counter((r.kind, r.section, r.out_shape, r.params, r.macs) for r in a.rows)
    assert weighted == every
