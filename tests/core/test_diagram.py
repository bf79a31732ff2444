"""The diagram's layout against the analysis: a drawn block per block or run of identical
blocks, one arc per drawn block of the right kind, the analysis's shape on every edge, boxes to
scale, and stages aligned in a comparison. Every expectation comes from ``analyze``."""

import pytest

from resnet_studio import ArchSpec, analyze
from resnet_studio.core.diagram import conv_text, diagram
from resnet_studio.core.diagram_items import Fold, Tensor, hit, matching, shape_text
from resnet_studio.core.format import block_runs
from resnet_studio.core.presets import TORCHVISION_PRESETS

CIFAR = ("resnet20", "resnet56", "resnet110", "cifar_resnet18", "cifar_resnet50", "d2l_resnet18")
ODD = {
    "dilated resnext": dict(
        block="bottleneck",
        layers=(2, 3, 4, 2),
        groups=8,
        width_per_group=16,
        replace_stride_with_dilation=(False, True, True),
        input_size=(97, 61),
    ),
    "one stage, 1×1 input": dict(block="basic", layers=(3,), widths=(8,), input_size=1),
    "six stages, conv shortcuts": dict(block="basic", layers=(1, 2, 1, 3, 1, 1), shortcut="conv"),
    "pad bottleneck, cifar stem": dict(
        block="bottleneck", layers=(2, 2), widths=(16, 32), shortcut="pad", stem="cifar"
    ),
    "narrowing widths": dict(block="basic", layers=(2, 2, 2), widths=(64, 32, 32)),
}
SPECS = [(n, ArchSpec.from_preset(n)) for n in (*TORCHVISION_PRESETS, *CIFAR)] + [
    (n, ArchSpec(**f)) for n, f in ODD.items()
]


def expected_kind(a, block_name):
    node = a.by_name[block_name].node
    return a.spec.shortcut if node.shortcut is not None else "identity"


@pytest.mark.parametrize("expand", [False, True], ids=["folded", "expanded"])
@pytest.mark.parametrize("name, spec", SPECS, ids=[n for n, _ in SPECS])
def test_layout_matches_the_analysis(name, spec, expand):
    a = analyze(spec)
    row = diagram([(name, a)], expand_all=expand).rows[0]
    for stage in (s for s in a.stages if s.blocks):
        drawn = [b for b in row.blocks if b.section == stage.name]
        runs = block_runs(a, stage.name)
        if expand:  # one drawn block per block
            assert [b.names for b in drawn] == [(r.name,) for run in runs for r in run.rows]
        else:  # one per run of identical blocks, as the tree folds them
            assert [b.names for b in drawn] == [tuple(r.name for r in run.rows) for run in runs]
            assert [f.count for f in row.folds if f.section == stage.name] == [
                len(run.rows) for run in runs if len(run.rows) > 1
            ]
    for b in row.blocks:  # one arc each, of the kind every block it stands for has
        assert {expected_kind(a, n) for n in b.names} == {b.shortcut.kind}
        skip = a.by_name[b.name].node.shortcut
        assert b.shortcut.name == (skip.name if skip else b.name)
        assert b.shortcut.x0 < b.tensors[0].box.x and b.shortcut.x1 == b.join.add.cx
        assert len(b.tensors) == (2 if spec.block == "basic" else 3)
    assert len(row.shortcuts) == len(row.blocks)

    previous = None
    for e in row.edges:  # the analysis's shape on every edge, labelled where it changes
        source = a.root.in_shape if e.source == "" else a.by_name[e.source].out_shape
        assert e.shape == source
        assert (e.label is not None) == (e.shape != previous)
        if e.label:
            assert e.label.text == shape_text(e.shape)
        previous = e.shape
    assert row.edges[-1].shape == a.root.out_shape
    stage_shapes = {shape_text(s.out_shape) for s in a.stages}
    assert stage_shapes <= {e.label.text for e in row.edges if e.label}

    for t in row.tensors:  # each box is its layer's output, entered by its layer's input
        if t.name:
            assert t.shape == a.by_name[t.name].out_shape
            into = next(e for e in row.edges if e.x1 == t.box.x)
            expected = a.by_name[t.parts[0]].in_shape
            if t.kind == "Linear":  # the flatten before the classifier: C×1×1 becomes C
                assert (into.shape[0], *into.shape[1:]) == (expected[0], 1, 1)
                continue
            assert into.shape == expected
        if t.kind == "Conv2d":
            assert t.text == conv_text(a.by_name[t.name].node)


def test_conv_text_says_kernel_channels_stride_groups_dilation():
    a = analyze(ArchSpec(**ODD["dilated resnext"]))
    texts = {t.name: t.text for t in diagram([("x", a)], expand_all=True).rows[0].tensors}
    for name, text in texts.items():
        node = a.by_name[name].node if name else None
        if node is None or node.kind != "Conv2d":
            continue
        assert text.startswith(f"{node.kernel}×{node.kernel}, {node.out_ch}")
        assert ("/2" in text) == (node.stride == 2)
        assert (f"g{node.groups}" in text) == (node.groups > 1)
        assert (f"d{node.dilation}" in text) == (node.dilation > 1)


@pytest.mark.parametrize("linear", [False, True])
def test_boxes_are_to_scale(linear):
    a18, a50 = analyze(ArchSpec.from_preset("resnet18")), analyze(ArchSpec.from_preset("resnet50"))
    d = diagram([("resnet18", a18), ("resnet50", a50)], linear=linear)
    tensors = [t for r in d.rows for t in r.tensors]
    for t in tensors:
        side = t.shape[1] if len(t.shape) == 3 else 1
        assert t.box.h == pytest.approx(d.scale.height(side))
        assert t.box.w == pytest.approx(d.scale.width(t.shape[0]))
    by_channels = {}
    for t in tensors:
        by_channels.setdefault(t.shape[0], t.box.w)
    if linear:  # one scale for both networks: the widest tensor of either sets it
        widest = max(t.shape[0] for t in tensors)
        assert max(t.box.w for t in tensors) == pytest.approx(d.scale.LINEAR_W)
        assert by_channels[256] / by_channels[64] == pytest.approx(4)
        assert d.scale.max_channels == widest
    else:  # every doubling is the same step: 64→256 looks like 512→2048
        assert by_channels[256] - by_channels[64] == pytest.approx(
            by_channels[2048] - by_channels[512]
        )
        assert by_channels[256] > by_channels[64]
    heights = [t.box.h for t in d.rows[0].tensors if t.name.startswith("layer")]
    assert heights == sorted(heights, reverse=True)  # the funnel: never taller further on


def test_a_comparison_aligns_stages():
    labelled = [(n, analyze(ArchSpec.from_preset(n))) for n in ("resnet18", "resnet50", "resnet20")]
    d = diagram(labelled)
    assert [c.name for c in d.columns] == ["stem", "layer1", "layer2", "layer3", "layer4", "head"]
    for c in d.columns:
        starts = set()
        for row in d.rows:
            inside = [t for t in row.tensors if t.section == c.name]
            if not inside:
                assert c.name == "layer4" and row.label == "resnet20"  # 3 stages only
                continue
            assert all(c.x <= t.box.x and t.box.right <= c.x + c.w for t in inside)
            starts.add(round(min(t.box.x for t in inside), 6))
        assert len(starts) == 1, c.name  # stem under stem, layer3 under layer3
    rows = d.rows
    assert all(x.box.bottom <= y.box.y for x, y in zip(rows, rows[1:], strict=False))


def test_folding_follows_expanded_runs():
    a = analyze(ArchSpec.from_preset("resnet50"))
    folded = diagram([("r", a)]).rows[0]
    one = diagram([("r", a)], expanded={(0, "layer3.1")}).rows[0]
    assert len(one.blocks) == len(folded.blocks) + 4  # layer3.1–5 drawn one by one
    bracket = next(f for f in one.folds if not f.folded)
    assert (bracket.key, bracket.count) == ("layer3.1", 5)
    assert {f.key for f in one.folds if f.folded} == {f.key for f in folded.folds} - {"layer3.1"}


def test_hit_and_matching_find_what_is_drawn():
    a = analyze(ArchSpec.from_preset("resnet50"))
    row = diagram([("r", a)]).rows[0]
    conv = next(t for t in row.tensors if t.name == "layer3.1.conv2")
    h = hit(diagram_of(row), conv.box.cx, conv.box.y + conv.box.h / 2)
    assert isinstance(h.item, Tensor) and h.name == "layer3.1.conv2"
    badge = next(f for f in row.folds if f.key == "layer3.1")
    h = hit(diagram_of(row), badge.box.cx, badge.box.y + badge.box.h / 2)
    assert isinstance(h.item, Fold)
    assert matching(row, ["layer3.4.conv2"]) == [conv]  # a folded block's layer: the run's
    stage = matching(row, ["layer2"])
    assert stage and {i.section for i in stage} == {"layer2"}
    assert {i.name for i in matching(row, ["bn1"])} == {"conv1"}  # the stem's BN is its box


def diagram_of(row):
    class One:
        rows = [row]

    return One


def test_the_1202_layer_resnet_stays_small():
    """Folded, 600 blocks are 5 boxes (its speed: bench/diagram_layout.py)."""
    spec = ArchSpec.from_preset("resnet20", layers=(200, 200, 200))
    a = analyze(spec)
    d = diagram([("resnet1202", a)])
    assert spec.depth == 1202
    assert len(d.rows[0].blocks) == sum(len(block_runs(a, f"layer{i}")) for i in (1, 2, 3)) == 5
    assert d.width < 2000
    expanded = diagram([("resnet1202", a)], expand_all=True)
    assert len(expanded.rows[0].blocks) == 600


@pytest.mark.parametrize("several", [False, True], ids=["one", "comparison"])
def test_each_block_is_laid_out_once(monkeypatch, several):
    """A diagram places every drawn block once (it used to lay a network out twice: once to
    measure its stages, again at the columns' places), and a row's stages end where its
    column's next begins or before."""
    import resnet_studio.core.diagram as layout

    laid: list[str] = []
    block = layout._RowLayout._block

    def counting(self, rows, run, section):
        laid.append(rows[0].name)
        return block(self, rows, run, section)

    monkeypatch.setattr(layout._RowLayout, "_block", counting)
    names = ("resnet18", "resnet152") if several else ("resnet152",)
    labelled = [(n, analyze(ArchSpec.from_preset(n))) for n in names]
    d = diagram(labelled)
    drawn = [b.name for r in d.rows for b in r.blocks]
    assert sorted(laid) == sorted(drawn) and len(drawn) == sum(
        len(block_runs(a, s.name)) for _, a in labelled for s in a.stages if s.blocks
    )
    for row in d.rows:
        for c in d.columns:
            inside = [b for b in row.blocks if b.section == c.name]
            assert all(c.x <= b.box.x and b.box.right <= c.x + c.w + 1e-9 for b in inside)


def test_the_legend_names_the_kernels_in_one_order():
    """Kernels of one length in text order, whatever the run's string hashing."""
    d = diagram([("r", analyze(ArchSpec.from_preset("resnet18")))])
    texts = [e.label.text for e in d.legend]
    assert "3×3 or 7×7 conv + BN + ReLU" in texts
