"""The spec panel: every field of an ArchSpec as a control, live, with no Apply button.

``changed`` fires on every edit; :meth:`current` returns the spec (or the SpecError with the
field to mark red), the batch size and the dtype. Picking a preset fills the controls.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core import ArchSpec, SpecError
from ..core.analysis import DTYPE_BYTES
from ..core.presets import PRESETS, closest_preset, describe_preset, preset_of, spec_label
from ..core.spec import (
    ANTI_ALIASING,
    ATTENTIONS,
    DEEP_STEM_WIDTH,
    DEEP_STEMS,
    MAX_BLOCKS_PER_STAGE,
    MAX_INPUT_SIDE,
    MAX_STAGES,
    MAX_WIDTH,
    SHORTCUTS,
    STEM_POOLS,
    STEMS,
    own_stem_pool,
)
from . import theme
from .limit_spin import LimitSpinBox

INVALID_TINT = QColor(
    theme.INVALID_TINT
)  # a tint, not a style sheet: the controls keep their arrows
INVALID_TEXT = QColor(theme.INVALID_TEXT)


def _spin(low: int, high: int, tip: str, value: int = 1, why: str = "") -> LimitSpinBox:
    return LimitSpinBox(low, high, tip, value, why)


def _combo(items: list[str] | tuple[str, ...], tip: str) -> QComboBox:
    c = QComboBox()
    c.addItems(list(items))
    c.setToolTip(tip)
    return c


class SpecPanel(QWidget):
    changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.base_preset = "resnet18"
        self._filling = False
        outer = QVBoxLayout(self)

        self.preset = _combo(list(PRESETS), "Fill every control from a preset")
        self.preset_note = QLabel()
        self.preset_note.setWordWrap(True)
        self.preset_note.setStyleSheet("color: palette(mid);")
        top = QFormLayout()
        top.addRow("Preset", self.preset)
        top.addRow("", self.preset_note)
        outer.addLayout(top)

        arch = QGroupBox("Architecture")
        form = QFormLayout(arch)
        self.block = _combo(
            ("basic", "bottleneck"),
            "basic: two 3×3 convs (×1); bottleneck: 1×1, 3×3, 1×1 (×4 wider out)",
        )
        form.addRow("Block", self.block)
        self.stage_box = QWidget()
        self.stage_grid = QGridLayout(self.stage_box)
        self.stage_grid.setContentsMargins(0, 0, 0, 0)
        for col, text in enumerate(("", "Blocks", "Width", "Dilate")):
            label = QLabel(text)
            label.setStyleSheet("color: palette(mid);")
            self.stage_grid.addWidget(label, 0, col)
        self.stages: list[tuple[QLabel, QSpinBox, QSpinBox, QCheckBox]] = []
        buttons = QHBoxLayout()
        self.add_stage = QPushButton("+ stage")
        self.add_stage.setToolTip("Add a stage after the last (its width doubles)")
        self.remove_stage = QPushButton("− stage")
        self.remove_stage.setToolTip("Remove the last stage")
        buttons.addWidget(self.add_stage)
        buttons.addWidget(self.remove_stage)
        buttons.addStretch()
        form.addRow("Stages", self.stage_box)
        form.addRow("", _wrap(buttons))
        self.groups = _spin(1, MAX_WIDTH, "Groups of the bottleneck's 3×3 conv (ResNeXt: 32)")
        self.width_per_group = _spin(
            1,
            MAX_WIDTH,
            "Channels per group at width 64 (ResNeXt 4 or 8, Wide ResNet 128, ResNet 64)",
            64,
        )
        form.addRow("Groups", self.groups)
        form.addRow("Width per group", self.width_per_group)
        self.stem = _combo(
            STEMS,
            "imagenet: 7×7 stride-2 conv, then the stem pool (¼ the size); "
            "cifar: 3×3 stride-1 conv, no pool; deep: three 3×3 convs (timm's ResNet-C/D); "
            "deep_tiered: the same, 24-32-64 wide (timm's 't' variants)",
        )
        self.shortcut = _combo(
            SHORTCUTS,
            "Where a block changes shape: conv_bn (1×1 conv + BN), "
            "conv (1×1 conv with bias), pad (zero-padded identity), "
            "avg_down (2×2 average pool, then 1×1 conv + BN: ResNet-D)",
        )
        form.addRow("Stem", self.stem)
        form.addRow("Shortcut", self.shortcut)
        self.conv_bias = QCheckBox("Conv biases")
        self.conv_bias.setToolTip("Give every conv of the stem and blocks a bias")
        self.zero_init = QCheckBox("Zero-init residual")
        self.zero_init.setToolTip("Start each block's last batch norm at zero")
        form.addRow("", self.conv_bias)
        form.addRow("", self.zero_init)
        outer.addWidget(arch)

        timm = QGroupBox("Advanced (timm's options)")
        tform = QFormLayout(timm)
        self.stem_width = _spin(
            1, MAX_WIDTH, "Width of a deep stem's first convs; it outputs twice it", DEEP_STEM_WIDTH
        )
        self.attention = _combo(
            ATTENTIONS,
            "Channel attention after each block's last BN: se (squeeze-and-excitation, 1/16), "
            "eca (efficient channel attention, a 1-D conv)",
        )
        self.stem_pool = _combo(
            STEM_POOLS,
            "After the stem: max (3×3 stride-2 max-pool), conv (3×3 stride-2 conv + BN + "
            "ReLU, timm's replace_stem_pool) or none; changing the stem picks its own",
        )
        self.aa = _combo(
            ANTI_ALIASING,
            "Anti-aliased downsampling: avg moves each stride into a 2×2 average pool "
            "(timm's resnetaa; the input's sides must then divide by the total stride), "
            "blur into a 3×3 binomial blur pool (timm's resnetblur)",
        )
        self.preact = QCheckBox("Pre-activation blocks (ResNet v2)")
        self.preact.setToolTip("BN and ReLU before each conv, a final BN before the pool")
        self.drop_path_rate = _rate_spin("Stochastic depth: rising to this rate at the last block")
        self.drop_rate = _rate_spin("Dropout before the classifier")
        self.drop_block_rate = _rate_spin(
            "timm's DropBlock after the 3×3 conv's BN in layer3 (5×5 blocks, ¼ the rate) and "
            "layer4 (3×3)"
        )
        tform.addRow("Deep stem width", self.stem_width)
        tform.addRow("Stem pool", self.stem_pool)
        tform.addRow("Attention", self.attention)
        tform.addRow("Anti-aliasing", self.aa)
        tform.addRow("", self.preact)
        tform.addRow("Drop path rate", self.drop_path_rate)
        tform.addRow("Dropout", self.drop_rate)
        tform.addRow("DropBlock rate", self.drop_block_rate)
        outer.addWidget(timm)

        data = QGroupBox("Input and output")
        dform = QFormLayout(data)
        self.in_channels = _spin(1, MAX_WIDTH, "Input channels: 1 for gray, 3 for RGB", 3)
        self.input_height = _spin(1, MAX_INPUT_SIDE, "Input height in pixels", 224)
        self.input_width = _spin(1, MAX_INPUT_SIDE, "Input width in pixels", 224)
        self.square = QCheckBox("Square")
        self.square.setToolTip(
            "Keep height = width: the width follows the height, and a different width turns "
            "this off (on for square presets)"
        )
        size = QHBoxLayout()
        size.addWidget(self.input_height)
        size.addWidget(QLabel("×"))
        size.addWidget(self.input_width)
        size.addWidget(self.square)
        self.num_classes = _spin(1, 1_000_000, "Outputs of the classifier", 1000)
        dform.addRow("Channels", self.in_channels)
        dform.addRow("Height × width", _wrap(size))
        dform.addRow("Classes", self.num_classes)
        outer.addWidget(data)

        mem = QGroupBox("Memory figures")
        mform = QFormLayout(mem)
        self.batch = _spin(1, 1 << 20, "Batch size for shapes, MACs and memory", 1)
        self.dtype = _combo(tuple(DTYPE_BYTES), "Number format for the memory figures")
        mform.addRow("Batch size", self.batch)
        mform.addRow("Dtype", self.dtype)
        outer.addWidget(mem)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.ERROR_TEXT};")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.message)
        outer.addStretch()

        self.fields: dict[str, list[QWidget]] = {
            "block": [self.block],
            "groups": [self.groups],
            "width_per_group": [self.width_per_group],
            "stem": [self.stem],
            "shortcut": [self.shortcut],
            "in_channels": [self.in_channels],
            "input_size": [self.input_height, self.input_width],
            "num_classes": [self.num_classes],
            "conv_bias": [self.conv_bias],
            "stem_width": [self.stem_width],
            "stem_pool": [self.stem_pool],
            "attention": [self.attention],
            "aa": [self.aa],
            "preact": [self.preact],
            "drop_path_rate": [self.drop_path_rate],
            "drop_rate": [self.drop_rate],
            "drop_block_rate": [self.drop_block_rate],
            "batch_size": [self.batch],
            "dtype": [self.dtype],
        }
        self.input_height.valueChanged.connect(self._height_edited)
        self.input_width.valueChanged.connect(self._width_edited)
        self.square.toggled.connect(self._square_toggled)
        self.stem.currentTextChanged.connect(self._stem_changed)
        for spin in (
            self.groups,
            self.width_per_group,
            self.in_channels,
            self.num_classes,
            self.batch,
            self.stem_width,
        ):
            spin.valueChanged.connect(self._edited)
        for rate in (self.drop_path_rate, self.drop_rate, self.drop_block_rate):
            rate.valueChanged.connect(self._edited)
        combos = (self.block, self.shortcut, self.dtype, self.attention, self.aa, self.stem_pool)
        for combo in combos:
            combo.currentIndexChanged.connect(self._edited)
        for check in (self.conv_bias, self.zero_init, self.preact):
            check.toggled.connect(self._edited)
        self._stem_shown = self.stem.currentText()
        self.preset.currentTextChanged.connect(self.load_preset)
        self.add_stage.clicked.connect(self._add_stage)
        self.remove_stage.clicked.connect(self._remove_stage)
        self.load_preset("resnet18")

    # --- stages ------------------------------------------------------------------------------
    def _set_stage_count(self, n: int) -> None:
        while len(self.stages) < n:
            i = len(self.stages)
            label = QLabel(f"layer{i + 1}")
            blocks = _spin(
                1,
                MAX_BLOCKS_PER_STAGE,
                f"Blocks in layer{i + 1}",
                2,
                "resnet1202, the deepest preset, has 200 per stage",
            )
            width = _spin(
                1, MAX_WIDTH, f"Base width of layer{i + 1} (outputs × the block's expansion)", 64
            )
            dilate = QCheckBox()
            dilate.setToolTip(
                f"Keep layer{i + 1}'s resolution and dilate instead of striding (bottleneck only)"
            )
            dilate.setEnabled(i > 0)
            for col, w in enumerate((label, blocks, width, dilate)):
                self.stage_grid.addWidget(w, i + 1, col)
            blocks.valueChanged.connect(self._edited)
            width.valueChanged.connect(self._edited)
            dilate.toggled.connect(self._edited)
            self.stages.append((label, blocks, width, dilate))
        while len(self.stages) > n:
            for w in self.stages.pop():
                self.stage_grid.removeWidget(w)
                w.hide()  # gone at once, even before the event loop deletes it
                w.deleteLater()
        self.add_stage.setEnabled(n < MAX_STAGES)
        self.remove_stage.setEnabled(n > 1)

    def _add_stage(self) -> None:
        last = self.stages[-1][2].value()
        self._filling = True
        self._set_stage_count(len(self.stages) + 1)
        self.stages[-1][2].setValue(min(MAX_WIDTH, last * 2))
        self._filling = False
        self._edited()

    def _remove_stage(self) -> None:
        self._set_stage_count(len(self.stages) - 1)
        self._edited()

    # --- spec in and out -----------------------------------------------------------------------
    def load_preset(self, name: str) -> None:
        if name not in PRESETS:
            return
        self.base_preset = name
        self.set_spec(ArchSpec.from_preset(name))

    def set_spec(self, spec: ArchSpec) -> None:
        """Fill the controls from ``spec`` (one ``changed`` at the end)."""
        self._filling = True
        try:
            name = preset_of(spec) or closest_preset(spec)
            if name:
                self.base_preset = name
            self.preset.blockSignals(True)
            self.preset.setCurrentText(self.base_preset)
            self.preset.blockSignals(False)
            self.block.setCurrentText(spec.block)
            self._set_stage_count(len(spec.layers))
            dil = (False, *spec.replace_stride_with_dilation)
            for (_, blocks, width, dilate), n, w, d in zip(
                self.stages, spec.layers, spec.widths, dil, strict=True
            ):
                blocks.setValue(n)
                width.setValue(w)
                dilate.setChecked(d)
            self.groups.setValue(spec.groups)
            self.width_per_group.setValue(spec.width_per_group)
            self.stem.setCurrentText(spec.stem)
            self._stem_shown = spec.stem
            self.stem_pool.setCurrentText(spec.stem_pool)
            self.shortcut.setCurrentText(spec.shortcut)
            self.conv_bias.setChecked(spec.conv_bias)
            self.zero_init.setChecked(spec.zero_init_residual)
            self.stem_width.setValue(spec.stem_width or DEEP_STEM_WIDTH)
            self.attention.setCurrentText(spec.attention)
            self.aa.setCurrentText(spec.aa)
            self.preact.setChecked(spec.preact)
            self.drop_path_rate.setValue(spec.drop_path_rate)
            self.drop_rate.setValue(spec.drop_rate)
            self.drop_block_rate.setValue(spec.drop_block_rate)
            self.in_channels.setValue(spec.in_channels)
            self.input_height.setValue(spec.input_size[0])
            self.input_width.setValue(spec.input_size[1])
            self.square.setChecked(spec.input_size[0] == spec.input_size[1])  # per spec
            self.num_classes.setValue(spec.num_classes)
        finally:
            self._filling = False
        self._edited()

    def fields_dict(self) -> dict[str, Any]:
        deep = self.stem.currentText() in DEEP_STEMS  # stem_width applies to these only
        self.stem_width.setEnabled(deep)
        return dict(
            block=self.block.currentText(),
            layers=tuple(s[1].value() for s in self.stages),
            widths=tuple(s[2].value() for s in self.stages),
            groups=self.groups.value(),
            width_per_group=self.width_per_group.value(),
            stem=self.stem.currentText(),
            shortcut=self.shortcut.currentText(),
            conv_bias=self.conv_bias.isChecked(),
            in_channels=self.in_channels.value(),
            input_size=(self.input_height.value(), self.input_width.value()),
            num_classes=self.num_classes.value(),
            zero_init_residual=self.zero_init.isChecked(),
            replace_stride_with_dilation=tuple(s[3].isChecked() for s in self.stages[1:]),
            stem_width=deep and self.stem_width.value() or None,
            stem_pool=self.stem_pool.currentText(),
            attention=self.attention.currentText(),
            aa=self.aa.currentText(),
            preact=self.preact.isChecked(),
            drop_path_rate=self.drop_path_rate.value(),
            drop_rate=self.drop_rate.value(),
            drop_block_rate=self.drop_block_rate.value(),
        )

    def current(self) -> ArchSpec | SpecError:
        """The spec, or the error of the first field that is wrong (the batch size last)."""
        try:
            spec = ArchSpec(**self.fields_dict())
        except SpecError as e:
            return e
        bad = self.batch.problem("the batch size")
        return SpecError("batch_size", self.batch.value(), bad) if bad else spec

    def label(self, spec: ArchSpec) -> str:
        return spec_label(spec, self.base_preset)

    def mark_invalid(self, error: SpecError | None) -> None:
        """Tint the control of ``error.field`` and show its sentence, on the control's tooltip
        too (None clears). Of several controls for one field (a stage column, height and
        width), only those holding the wrong value, where that tells them apart."""
        widgets: list[QWidget] = self.fields.get(error.field, []) if error else []
        if error and error.field in ("layers", "widths", "replace_stride_with_dilation"):
            col = {"layers": 1, "widths": 2, "replace_stride_with_dilation": 3}[error.field]
            widgets = [s[col] for s in self.stages]
        if error and isinstance(error.value, int) and not isinstance(error.value, bool):
            holding: list[QWidget] = [
                w for w in widgets if isinstance(w, QSpinBox) and w.value() == error.value
            ]
            widgets = holding or widgets
        for group in [*self.fields.values(), *[list(s[1:]) for s in self.stages]]:
            for w in group:
                bad = w in widgets
                if bool(w.property("invalid")) != bad:
                    _tint(w, bad, str(error) if bad and error else "")
        self.message.setText(str(error) if error else "")
        self.message.setToolTip(str(error) if error else "")

    # --- linked controls ---------------------------------------------------------------------
    def _height_edited(self, height: int) -> None:
        """With the square lock on, the width follows a height within the limits."""
        width = self.input_width
        if self.square.isChecked() and not self._filling and width.low <= height <= width.high:
            self._filling = True
            width.setValue(height)
            self._filling = False
        self._edited()

    def _width_edited(self, width: int) -> None:
        """A width unlike the height means a non-square input: the lock goes off."""
        if not self._filling and width != self.input_height.value():
            self._filling = True
            self.square.setChecked(False)
            self._filling = False
        self._edited()

    def _square_toggled(self, on: bool) -> None:
        if on and not self._filling and self.input_width.value() != self.input_height.value():
            self._height_edited(self.input_height.value())

    def _stem_changed(self, stem: str) -> None:
        """A new stem brings its own pool (none after cifar, max after the others), unless the
        user chose another pool for the old one."""
        old, self._stem_shown = self._stem_shown, stem
        if not self._filling and self.stem_pool.currentText() == own_stem_pool(old):
            self._filling = True
            self.stem_pool.setCurrentText(own_stem_pool(stem))
            self._filling = False
        self._edited()

    def _edited(self, *_: Any) -> None:
        if self._filling:
            return
        spec = self.current()
        if isinstance(spec, ArchSpec):
            name = preset_of(spec)
            self.preset_note.setText(describe_preset(name) if name else self.label(spec))
        self.changed.emit()


def _tint(w: QWidget, bad: bool, sentence: str) -> None:
    """Mark ``w`` wrong with ``sentence`` as its tooltip, or put it back as it was."""
    if bad:
        w.setProperty("plain_tip", w.toolTip())
        palette = w.palette()
        for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Button):
            palette.setColor(role, INVALID_TINT)
        palette.setColor(QPalette.ColorRole.Text, INVALID_TEXT)
        w.setPalette(palette)
        w.setToolTip(f"<p>{sentence}</p><p>{w.toolTip()}</p>")  # rich text: it wraps
    else:
        w.setPalette(QPalette())
        w.setToolTip(str(w.property("plain_tip") or w.toolTip()))
    w.setProperty("invalid", bad)


def _rate_spin(tip: str) -> QDoubleSpinBox:
    """A probability from 0 to 0.99 (training-only rates: no parameters, no shapes)."""
    spin = QDoubleSpinBox()
    spin.setRange(0.0, 0.99)
    spin.setSingleStep(0.05)
    spin.setDecimals(2)
    spin.setToolTip(tip + " (training only: no parameters)")
    return spin


def _wrap(layout: QHBoxLayout) -> QWidget:
    w = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    w.setLayout(layout)
    return w
