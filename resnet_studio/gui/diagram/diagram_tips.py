"""What the diagram's tooltips say: a box's layers, shapes, parameters and MACs, from the
analysis (the same numbers as the layer tree)."""

from __future__ import annotations

from resnet_studio.core.analysis import Analysis
from resnet_studio.core.diagram_items import Fold, Hit, Join, Label, Shortcut, Tensor
from resnet_studio.core.format import human, shape_text

SHORTCUT_WORDS = {
    "identity": "identity shortcut (no parameters)",
    "conv_bn": "1×1 conv + BN shortcut",
    "conv": "1×1 conv shortcut (with bias, no BN)",
    "pad": "zero-padded shortcut: strided identity, extra channels zero (no parameters)",
}


def _numbers(a: Analysis, names: tuple[str, ...] | list[str], times: int = 1) -> str:
    rows = []
    for n in dict.fromkeys(names):
        try:
            rows.append(a.row(n))
        except KeyError:  # a name drawn that is no module of its own
            continue
    params = sum(r.params for r in rows) * times
    macs = sum(r.macs for r in rows) * a.batch_size * times
    return f"params {params:,} ({human(params)}) · MACs {macs:,} ({human(macs)})"


def _shapes(a: Analysis, before: tuple[int, ...], after: tuple[int, ...]) -> str:
    return f"{shape_text(a.shape(before))} → {shape_text(a.shape(after))}"


def _fold_note(repeat: int, first: str, last: str) -> str:
    return (
        f"<br><i>Stands for {repeat} identical blocks ({first} … {last}); the numbers are one "
        "block's. Click the ×N badge to unfold.</i>"
    )


def tooltip(hit: Hit, a: Analysis, names: tuple[str, ...] = ()) -> str:
    """Rich text for what the mouse is on; ``names`` are the blocks a folded block stands for."""
    item = hit.item
    folded = len(names) > 1
    note = _fold_note(len(names), names[0], names[-1]) if folded else ""
    if isinstance(item, Tensor):
        if not item.name:
            return f"<b>input</b><br>{shape_text(a.shape(item.shape))}"
        first = a.row(item.parts[0])
        kinds = " → ".join(dict.fromkeys(a.row(n).kind for n in item.parts))
        node = first.node
        lines = [f"<b>{item.name}</b> · {kinds}"]
        if node.kind in ("Conv2d", "MaxPool2d", "AvgPool2d", "BlurPool2d"):
            lines.append(
                f"kernel {node.kernel}×{node.kernel}, stride {node.stride}, padding {node.padding}"
                + (f", dilation {node.dilation}" if node.dilation > 1 else "")
                + (f", groups {node.groups}" if node.groups > 1 else "")
                + (", bias" if node.bias else "")
            )
        lines.append(_shapes(a, first.in_shape, item.shape))
        lines.append(_numbers(a, item.parts))
        return "<br>".join(lines) + note
    if isinstance(item, Shortcut):
        words = SHORTCUT_WORDS[item.kind]
        block = a.row(item.name if item.kind == "identity" else item.name.rpartition(".")[0])
        lines = [f"<b>{item.name}</b> · {words}", _shapes(a, block.in_shape, item.shape)]
        if item.kind != "identity":
            skip = a.row(item.name)
            lines.append(_numbers(a, [c.name for c in skip.node.children] or [skip.name]))
        return "<br>".join(lines) + note
    if isinstance(item, Join):
        block = a.row(item.name)
        if hit.name.endswith(".relu"):
            head = f"<b>{hit.name}</b> · ReLU after the add"
        else:
            head = f"<b>{item.name}</b> · add: main path + shortcut, then ReLU"
        return (
            "<br>".join(
                [
                    head,
                    f"block {_shapes(a, block.in_shape, block.out_shape)}",
                    "block: " + _numbers(a, [item.name]),
                ]
            )
            + note
        )
    if isinstance(item, Fold):
        action = "click to unfold" if item.folded else "click to fold them into one"
        return (
            f"<b>{item.count} identical blocks</b> from {item.key}; {action}<br>"
            f"all of them: {_numbers(a, [item.key], item.count)}"
        )
    if isinstance(item, Label) and item.name:
        s = next((x for x in a.stages if x.name == item.name), None)
        if s is None:
            return ""
        lines = [f"<b>{s.name}</b>" + (f" · {s.blocks} blocks" if s.blocks else "")]
        lines.append(_shapes(a, s.in_shape, s.out_shape))
        lines.append(
            f"params {s.params:,} ({human(s.params)}) · MACs {human(s.macs * a.batch_size)}"
        )
        return "<br>".join(lines)
    t = a.totals
    return (
        f"<b>depth {a.spec.depth}</b> · params {t.params:,} ({human(t.params)}) · "
        f"MACs {human(t.macs)}"
    )
