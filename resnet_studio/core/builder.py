"""The builder: instantiates the description as an ``nn.Module`` with torchvision's names.

Each container runs its ``flow`` from the description, so the module computes exactly what the
analysis counted. For torchvision's presets the state_dict keys, shapes, initialisation and
outputs equal torchvision's ``resnet*`` builders. With timm's options the parameters' keys and
shapes equal ``timm.models.resnet.ResNet``'s, so a timm state_dict loads strictly.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

from .describe import FLATTEN, Node, describe
from .spec import ArchSpec


class PadShortcut(nn.Module):
    """Option A of the ResNet paper: strided identity with zero-padded channels, no weights."""

    def __init__(self, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.stride = in_channels, out_channels, stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride > 1:
            x = x[:, :, :: self.stride, :: self.stride]
        extra = self.out_channels - self.in_channels
        if extra:
            x = F.pad(x, (0, 0, 0, 0, extra // 2, extra - extra // 2))
        return x

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, stride={self.stride}"


class _FlowModule(nn.Module):
    """A container that applies its children in the order its description gives."""

    def __init__(self, node: Node) -> None:
        super().__init__()
        for child in node.children:
            self.add_module(child.local, _instantiate(child))
        self._flow = tuple(s if s == FLATTEN else s.local for s in node.flow)

    def _child(self, name: str) -> nn.Module:
        """The child module ``name`` (``_modules`` admits None; the constructor adds none)."""
        module = self._modules[name]
        assert module is not None, name
        return module

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for step in self._flow:
            x = torch.flatten(x, 1) if step == FLATTEN else self._child(step)(x)
        return x


class ResNet(_FlowModule):
    """The whole network: stem, stages ``layer1``…``layerN``, ``avgpool`` and ``fc``.
    ``spec`` is the ArchSpec it was built from (a notebook's ``rs.show(model)`` reads it)."""

    spec: ArchSpec


class _ResidualBlock(_FlowModule):
    """``post(flow(x) + shortcut(x))``; the add is out of place so hooks see each tensor as is."""

    def __init__(self, node: Node) -> None:
        super().__init__(node)
        self._shortcut = node.shortcut.local if node.shortcut else None
        self._post = tuple(s.local for s in node.post)
        self._pre = tuple(s.local for s in node.pre)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pre = x
        for step in self._pre:  # pre-activation: BN and ReLU, on a new tensor
            pre = self._child(step)(pre)
        out = super().forward(pre)
        out = out + (self._child(self._shortcut)(pre) if self._shortcut else x)
        for step in self._post:
            out = self._child(step)(out)
        return out


class SqueezeExcite(_FlowModule):
    """timm's ``SEModule``: ``x * gate(fc2(act(fc1(mean(x)))))``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * super().forward(x.mean((2, 3), keepdim=True))


class EfficientChannelAttention(_FlowModule):
    """timm's ``EcaModule``: a 1-D conv across the pooled channels, then a sigmoid gate."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = super().forward(x.mean((2, 3)).view(x.shape[0], 1, -1))
        return x * y.view(x.shape[0], -1, 1, 1)


class BlurPool2d(nn.Module):
    """timm's ``BlurPool2d`` (anti-aliased downsampling): reflect-pad by 1, then a fixed 3×3
    binomial filter per channel with stride 2. The filter is a buffer outside the state_dict,
    as timm's, so timm's weights load strictly."""

    filt: torch.Tensor

    def __init__(self, channels: int, stride: int = 2) -> None:
        super().__init__()
        self.channels, self.stride = channels, stride
        row = torch.tensor([1.0, 2.0, 1.0]) / 4
        weight = (row[:, None] * row[None, :]).expand(channels, 1, 3, 3).contiguous()
        self.register_buffer("filt", weight, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.pad(x, (1, 1, 1, 1), mode="reflect")
        return F.conv2d(x, self.filt.to(x.dtype), stride=self.stride, groups=self.channels)

    def extra_repr(self) -> str:
        return f"{self.channels}, stride={self.stride}"


class DropPath(nn.Module):
    """Stochastic depth: in training, zero a block's residual branch for a random share of the
    samples (``rate``) and scale the rest by ``1 / (1 - rate)``, as timm's ``DropPath``."""

    def __init__(self, rate: float) -> None:
        super().__init__()
        self.rate = rate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.rate == 0.0:
            return x
        keep = 1.0 - self.rate
        mask = x.new_empty((x.shape[0],) + (1,) * (x.ndim - 1)).bernoulli_(keep)
        return x * mask / keep

    def extra_repr(self) -> str:
        return f"drop_prob={self.rate:.3f}"


class DropBlock2d(nn.Module):
    """timm's ``DropBlock2d`` (its defaults: one mask for all channels, kept values rescaled):
    in training, zero square blocks of ``block_size``; seeds fall at a rate that drops about
    ``rate × scale`` of the map. Takes the random numbers in timm's order, so a seeded run
    equals timm's."""

    def __init__(self, rate: float, block_size: int, scale: float) -> None:
        super().__init__()
        self.rate, self.block_size, self.scale = rate, block_size, scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or not self.rate:
            return x
        b, _, h, w = x.shape
        kh, kw = min(self.block_size, h), min(self.block_size, w)
        gamma = self.scale * self.rate * h * w / (kh * kw) / ((h - kh + 1) * (w - kw + 1))
        with torch.no_grad():
            seeds = torch.empty((b, 1, h, w), dtype=x.dtype, device=x.device).bernoulli_(gamma)
            mask = F.max_pool2d(seeds, (kh, kw), stride=1, padding=(kh // 2, kw // 2))
            if kh % 2 == 0 or kw % 2 == 0:  # an even block overhangs by one: trim it
                mask = mask[..., (kh + 1) % 2 :, (kw + 1) % 2 :]
            keep = 1.0 - mask
            keep.mul_((keep.numel() / keep.to(torch.float32).sum().add(1e-7)).to(x.dtype))
        return x * keep

    def extra_repr(self) -> str:
        return f"drop_prob={self.rate:g}, block_size={self.block_size}, gamma_scale={self.scale:g}"


class BasicBlock(_ResidualBlock):
    expansion = 1


class Bottleneck(_ResidualBlock):
    expansion = 4


def _instantiate(node: Node) -> nn.Module:
    k = node.kind
    if k == "Conv2d":
        return nn.Conv2d(
            node.in_ch,
            node.out_ch,
            node.kernel,
            node.stride,
            node.padding,
            node.dilation,
            node.groups,
            node.bias,
        )
    if k == "BatchNorm2d":
        return nn.BatchNorm2d(node.out_ch)
    if k == "ReLU":
        return nn.ReLU(inplace=True)
    if k == "Sigmoid":
        return nn.Sigmoid()
    if k == "Identity":
        return nn.Identity()
    if k == "Conv1d":
        return nn.Conv1d(
            node.in_ch, node.out_ch, node.kernel, node.stride, node.padding, bias=node.bias
        )
    if k == "AvgPool2d":
        return nn.AvgPool2d(
            node.kernel, node.stride, ceil_mode=node.ceil, count_include_pad=not node.ceil
        )
    if k == "BlurPool2d":
        return BlurPool2d(node.in_ch, node.stride)
    if k == "DropPath":
        return DropPath(node.rate)
    if k == "DropBlock2d":
        return DropBlock2d(node.rate, node.kernel, node.scale)
    if k == "Dropout":
        return nn.Dropout(node.rate)
    if k == "SEModule":
        return SqueezeExcite(node)
    if k == "EcaModule":
        return EfficientChannelAttention(node)
    if k == "MaxPool2d":
        return nn.MaxPool2d(node.kernel, node.stride, node.padding)
    if k == "AdaptiveAvgPool2d":
        return nn.AdaptiveAvgPool2d((1, 1))
    if k == "Linear":
        return nn.Linear(node.in_ch, node.out_ch)
    if k == "PadShortcut":
        return PadShortcut(node.in_ch, node.out_ch, node.stride)
    if k == "Sequential":
        assert node.flow == node.children
        return nn.Sequential(OrderedDict((c.local, _instantiate(c)) for c in node.children))
    if k == "BasicBlock":
        return BasicBlock(node)
    if k == "Bottleneck":
        return Bottleneck(node)
    raise AssertionError(f"no module for {k}")


def build_model(spec: ArchSpec) -> ResNet:
    """The ``nn.Module`` of ``spec``, initialised as torchvision initialises its ResNets."""
    root = describe(spec)
    model = ResNet(root)
    model.spec = spec
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.constant_(m.weight, 1)
            nn.init.constant_(m.bias, 0)
    if spec.zero_init_residual:
        for m in model.modules():
            if isinstance(m, _ResidualBlock):
                bns = [c for s in m._flow if isinstance(c := m._child(s), nn.BatchNorm2d)]
                nn.init.constant_(bns[-1].weight, 0)
    return model
