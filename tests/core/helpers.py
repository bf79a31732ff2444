"""Helpers shared by the core tests: random valid specs and shapes seen by forward hooks."""

import torch
from hypothesis import strategies as st
from torch import nn

from resnet_studio import ArchSpec, SpecError


def hooked_shapes(model: nn.Module, x: torch.Tensor) -> dict[str, list[int]]:
    """Each module's output shape from a real forward pass (the last call wins, as in rows)."""
    seen: dict[str, list[int]] = {}
    handles = [
        m.register_forward_hook(
            lambda _m, _i, out, name=name: seen.__setitem__(name, list(out.shape))
        )
        for name, m in model.named_modules()
    ]
    try:
        model.eval()
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return seen


@st.composite
def specs(draw: st.DrawFn) -> ArchSpec:
    """Small random valid specs: 1–5 stages, both blocks, every stem, stem pool and shortcut,
    blur anti-aliasing and DropBlock, odd sizes."""
    block = draw(st.sampled_from(["basic", "bottleneck"]))
    n = draw(st.integers(1, 5))
    layers = tuple(draw(st.lists(st.integers(1, 2), min_size=n, max_size=n)))
    shortcut = draw(st.sampled_from(["conv_bn", "conv", "pad"]))
    widths = draw(st.lists(st.sampled_from([4, 8, 12, 16]), min_size=n, max_size=n))
    if shortcut == "pad":  # option A can only add channels
        widths = sorted(widths)
    groups, wpg, dilation = 1, 64, None
    if block == "bottleneck":
        groups = draw(st.sampled_from([1, 2, 4]))
        wpg = draw(st.sampled_from([16, 32, 64, 128]))
        dilation = tuple(draw(st.lists(st.booleans(), min_size=n - 1, max_size=n - 1)))
    fields = dict(
        block=block,
        layers=layers,
        widths=tuple(widths),
        groups=groups,
        width_per_group=wpg,
        stem=draw(st.sampled_from(["imagenet", "cifar"])),
        stem_pool=draw(st.sampled_from([None, "max", "conv", "none"])),
        shortcut=shortcut,
        conv_bias=draw(st.booleans()),
        in_channels=draw(st.integers(1, 4)),
        input_size=(draw(st.integers(1, 61)), draw(st.integers(1, 61))),
        num_classes=draw(st.integers(1, 12)),
        replace_stride_with_dilation=dilation,
        drop_block_rate=draw(st.sampled_from([0.0, 0.1])),  # training only: eval ignores it
    )
    if not any(dilation or ()) and draw(st.booleans()):
        try:  # a blur pool needs two rows to pad: at the smallest sizes, go without
            return ArchSpec(**fields, aa="blur")
        except SpecError:
            pass
    return ArchSpec(**fields)
