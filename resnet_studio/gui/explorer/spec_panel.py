"""The spec panel: every field of the spec document as a control, live, with no Apply button.

The controls are made, read, filled and marked from one table (:mod:`.spec_fields`). Every edit
goes to the :class:`~resnet_studio.core.document.SpecDocument`, which validates and analyses
it once; the panel listens to the document: a change from elsewhere (a preset, an opened spec)
fills the controls, and an invalid edit marks every wrong field, in the panel's words.
``changed`` fires after each edit the document took (valid or not).
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

from resnet_studio.core import ArchSpec, SpecError
from resnet_studio.core.document import SpecDocument
from resnet_studio.core.presets import (
    PRESETS,
    describe_preset,
    preset_of,
    preset_spec,
    spec_label,
)
from resnet_studio.core.spec import (
    DEEP_STEM_WIDTH,
    DEEP_STEMS,
    MAX_BLOCKS_PER_STAGE,
    MAX_STAGES,
    MAX_WIDTH,
    own_stem_pool,
)
from resnet_studio.gui import theme
from resnet_studio.gui.explorer.spec_fields import FIELDS, GROUPS, STAGE_COLUMNS, Field, spoken
from resnet_studio.gui.widgets.limit_spin import LimitSpinBox
from resnet_studio.gui.widgets.widget_values import put_value, value_of

INVALID_TINT = QColor(theme.INVALID_TINT)  # a tint, not a style sheet: controls keep arrows
INVALID_TEXT = QColor(theme.INVALID_TEXT)
NOTE_LINES = 2  # the preset note's height, in lines
FOURTH_STAGE = 3  # its row keeps its room when hidden: 3-stage and 4-stage nets lay out alike


def _spin(low: int, high: int, tip: str, value: int = 1, why: str = "") -> LimitSpinBox:
    return LimitSpinBox(low, high, tip, value, why)


def _combo(items: list[str] | tuple[str, ...], tip: str) -> QComboBox:
    c = QComboBox()
    c.addItems(list(items))
    c.setToolTip(tip)
    return c


def _control(f: Field) -> QWidget:
    if f.kind == "combo":
        return _combo(f.choices, f.tip)
    if f.kind == "count":
        return _spin(f.low, f.high, f.tip, f.default or f.low, f.why)
    if f.kind == "rate":
        return _rate_spin(f.tip)
    box = QCheckBox(f.label)
    box.setToolTip(f.tip)
    return box


def _signal(w: QWidget) -> Any:
    if isinstance(w, QComboBox):
        return w.currentIndexChanged
    if isinstance(w, QCheckBox):
        return w.toggled
    assert isinstance(w, (QSpinBox, QDoubleSpinBox))
    return w.valueChanged


class SpecPanel(QWidget):
    changed = Signal()
    # the controls, made from FIELDS: each under its row's ``attr``
    block: QComboBox
    groups: LimitSpinBox
    width_per_group: LimitSpinBox
    stem: QComboBox
    shortcut: QComboBox
    conv_bias: QCheckBox
    zero_init: QCheckBox
    stem_width: LimitSpinBox
    stem_pool: QComboBox
    attention: QComboBox
    aa: QComboBox
    preact: QCheckBox
    drop_path_rate: QDoubleSpinBox
    drop_rate: QDoubleSpinBox
    drop_block_rate: QDoubleSpinBox
    in_channels: LimitSpinBox
    num_classes: LimitSpinBox
    batch: LimitSpinBox
    dtype: QComboBox

    def __init__(self, document: SpecDocument | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.doc = document or SpecDocument()
        self._filling = False
        self._pushing = False  # the document is taking this panel's edit
        outer = QVBoxLayout(self)

        self.preset = _combo(list(PRESETS), "Fill every control from a preset")
        self.preset_note = QLabel()
        self.preset_note.setWordWrap(True)
        self.preset_note.setStyleSheet("color: palette(mid);")
        # two lines high whatever it says (every preset's note fits in two at the panel's
        # narrowest; a test holds them to it): an edit turns a one-line or a two-line note into
        # "resnet50 (edited)", and a note that changed height moved every field below it, so
        # the whole panel was laid out and repainted, twice, on each edit (issue 20)
        self.preset_note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.preset_note.setFixedHeight(NOTE_LINES * self.preset_note.fontMetrics().lineSpacing())
        top = QFormLayout()
        top.addRow("Preset", self.preset)
        top.addRow("", self.preset_note)
        outer.addLayout(top)

        self.controls: dict[str, list[QWidget]] = {}  # field -> its controls, from FIELDS
        forms: dict[str, QFormLayout] = {}
        for group in GROUPS:
            box = QGroupBox(group)
            forms[group] = QFormLayout(box)
            outer.addWidget(box)
        for f in FIELDS:
            form = forms[f.group]
            if f.kind == "stages":
                self._make_stages(form)
                continue
            if f.kind == "size":
                self._make_size(form, f)
                continue
            w = _control(f)
            setattr(self, f.attr, w)
            self.controls[f.name] = [w]
            form.addRow("" if f.kind == "check" else f.label, w)
            if f.name != "stem":  # the stem brings its own pool first (_stem_changed)
                _signal(w).connect(self._edited)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.ERROR_TEXT};")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.message)
        outer.addStretch()

        self.input_height.valueChanged.connect(self._height_edited)
        self.input_width.valueChanged.connect(self._width_edited)
        self.square.toggled.connect(self._square_toggled)
        self.stem.currentTextChanged.connect(self._stem_changed)
        self._stem_shown = self.stem.currentText()
        self.preset.currentTextChanged.connect(self.load_preset)
        self.preset.activated.connect(self._preset_chosen)
        self.add_stage.clicked.connect(self._add_stage)
        self.remove_stage.clicked.connect(self._remove_stage)
        self.doc.changed.connect(self._document_changed)
        self.doc.invalid.connect(self._document_invalid)
        self._fill(self.doc.spec)
        self._show_name()

    # --- made from the table -------------------------------------------------------------------
    def _make_stages(self, form: QFormLayout) -> None:
        self.stage_box = QWidget()
        self.stage_grid = QGridLayout(self.stage_box)
        self.stage_grid.setContentsMargins(0, 0, 0, 0)
        for col, text in enumerate(("", "Blocks", "Width", "Dilate")):
            label = QLabel(text)
            label.setStyleSheet("color: palette(mid);")
            self.stage_grid.addWidget(label, 0, col)
        self.stages: list[tuple[QLabel, QSpinBox, QSpinBox, QCheckBox]] = []
        self._spare_stages: list[tuple[QLabel, QSpinBox, QSpinBox, QCheckBox]] = []  # hidden
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

    def _make_size(self, form: QFormLayout, f: Field) -> None:
        self.input_height = _spin(1, f.high, "Input height in pixels", f.default)
        self.input_width = _spin(1, f.high, "Input width in pixels", f.default)
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
        form.addRow(f.label, _wrap(size))
        self.controls[f.name] = [self.input_height, self.input_width]

    # --- stages ------------------------------------------------------------------------------
    def _set_stage_count(self, n: int) -> None:
        """Show ``n`` stage rows. A removed row is hidden and kept, and shown again as it was
        made (2 blocks, width 64, not dilated, untinted) when a stage comes back: making four
        widgets and laying them out cost a change from a 3-stage to a 4-stage net ~5 ms."""
        while len(self.stages) < n:
            if self._spare_stages:
                row = self._spare_stages.pop()
                _, blocks, width, dilate = row
                for control, value in ((blocks, 2), (width, 64), (dilate, False)):
                    control.blockSignals(True)  # as made: no edit
                    put_value(control, value)
                    control.blockSignals(False)
                    if control.property("invalid"):
                        _tint(control, False, "")
                for shown in row:
                    shown.show()
                self.stages.append(row)
                continue
            i = len(self.stages)
            label = QLabel(f"layer{i + 1}")
            blocks = _spin(
                1,
                MAX_BLOCKS_PER_STAGE,
                f"Blocks in layer{i + 1}",
                2,
                "He et al.'s 1202-layer CIFAR ResNet has 200 per stage",
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
                if i == FOURTH_STAGE:
                    policy = w.sizePolicy()
                    policy.setRetainSizeWhenHidden(True)
                    w.setSizePolicy(policy)
            blocks.valueChanged.connect(self._edited)
            width.valueChanged.connect(self._edited)
            dilate.toggled.connect(self._edited)
            self.stages.append((label, blocks, width, dilate))
        while len(self.stages) > n:
            row = self.stages.pop()
            for hidden in row:
                hidden.hide()  # its grid row takes no room while hidden
            self._spare_stages.append(row)  # the next stage to come back is on top
        buttons = (self.add_stage, self.remove_stage)
        focused = any(b.hasFocus() for b in buttons)
        self.add_stage.setEnabled(n < MAX_STAGES)
        self.remove_stage.setEnabled(n > 1)
        if focused and not any(b.hasFocus() for b in buttons):
            # Qt hands a disabled button's focus to the next field (Groups), whose text the
            # next key would then replace: the other button keeps it
            (self.add_stage if self.add_stage.isEnabled() else self.remove_stage).setFocus()

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
    @property
    def base_preset(self) -> str:
        return self.doc.base_preset

    def load_preset(self, name: str) -> None:
        if name in PRESETS:
            self.doc.load_preset(name)
            self.changed.emit()

    def _preset_chosen(self, index: int) -> None:
        """A preset picked in the list, the one shown too: an edited spec goes back to it (the
        text does not change then, so ``currentTextChanged`` says nothing)."""
        name = self.preset.itemText(index)
        if self.doc.errors or self.doc.spec != preset_spec(name):
            self.load_preset(name)

    def set_spec(self, spec: ArchSpec, base_preset: str | None = None) -> None:
        """Show ``spec`` (one ``changed``): the document takes it, and the controls follow."""
        self.doc.set_spec(spec, base_preset)
        self._fill(self.doc.spec)  # also when it was already the document's spec
        self.changed.emit()

    def _fill(self, spec: ArchSpec) -> None:
        """The controls from ``spec``, the batch size and dtype from the document; no edit."""
        self._filling = True
        try:
            self._set_stage_count(len(spec.layers))
            dil = (False, *spec.replace_stride_with_dilation)
            for (_, blocks, width, dilate), n, w, d in zip(
                self.stages, spec.layers, spec.widths, dil, strict=True
            ):
                blocks.setValue(n)
                width.setValue(w)
                dilate.setChecked(d)
            own = {  # what the controls show that the spec does not hold as such
                "batch_size": self.doc.batch_size,
                "dtype": self.doc.dtype,
                "stem_width": spec.stem_width or DEEP_STEM_WIDTH,
            }
            for f in FIELDS:
                if f.kind not in ("stages", "size"):
                    value = own[f.name] if f.name in own else getattr(spec, f.name)
                    put_value(getattr(self, f.attr), value)
            self._stem_shown = spec.stem
            self.input_height.setValue(spec.input_size[0])
            self.input_width.setValue(spec.input_size[1])
            self.square.setChecked(spec.input_size[0] == spec.input_size[1])  # per spec
        finally:
            self._filling = False
        self.stem_width.setEnabled(spec.stem in DEEP_STEMS)

    def fields_dict(self) -> dict[str, Any]:
        """The spec's fields as the controls hold them (perhaps wrong)."""
        deep = self.stem.currentText() in DEEP_STEMS  # stem_width applies to these only
        self.stem_width.setEnabled(deep)
        out = {
            f.name: value_of(getattr(self, f.attr))
            for f in FIELDS
            if f.kind not in ("stages", "size") and f.group != "Memory figures"
        }
        out.update(
            layers=tuple(s[1].value() for s in self.stages),
            widths=tuple(s[2].value() for s in self.stages),
            replace_stride_with_dilation=tuple(s[3].isChecked() for s in self.stages[1:]),
            input_size=(self.input_height.value(), self.input_width.value()),
            stem_width=self.stem_width.value() if deep else None,
        )
        return out

    def current(self) -> ArchSpec | SpecError:
        """The document's spec, or the first wrong field's error in the panel's words."""
        return spoken(self.doc.errors[0]) if self.doc.errors else self.doc.spec

    def errors(self) -> list[SpecError]:
        """Every wrong field's error, in the panel's words."""
        return [spoken(e) for e in self.doc.errors]

    def label(self, spec: ArchSpec) -> str:
        return spec_label(spec, self.base_preset)

    def mark_invalid(self, error: SpecError | list[SpecError] | None) -> None:
        """Tint the control of every wrong field and show their sentences, on each control's
        tooltip too (None or [] clears). Of several controls for one field (a stage column,
        height and width), the one holding the wrong value."""
        errors = [error] if isinstance(error, SpecError) else list(error or [])
        bad: dict[QWidget, str] = {}
        for e in errors:
            for w in self._controls_of(e):
                bad.setdefault(w, str(e))
        for group in [*self.controls.values(), *[list(s[1:]) for s in self.stages]]:
            for w in group:
                if bool(w.property("invalid")) != (w in bad) or w in bad:
                    _tint(w, w in bad, bad.get(w, ""))
        text = " ".join(str(e) for e in errors)
        self.message.setText(text)
        self.message.setToolTip(text)

    def _controls_of(self, e: SpecError) -> list[QWidget]:
        if e.field in STAGE_COLUMNS:
            col = STAGE_COLUMNS[e.field][0]
            widgets: list[QWidget] = [s[col] for s in self.stages]
        else:
            widgets = list(self.controls.get(e.field, []))
        if e.index is not None and e.field in STAGE_COLUMNS:
            i = e.index + (e.field == "replace_stride_with_dilation")
            return widgets[i : i + 1] or widgets
        if e.index is not None and e.field == "input_size":
            return widgets[e.index : e.index + 1]
        if isinstance(e.value, int) and not isinstance(e.value, bool):
            holding: list[QWidget] = [
                w for w in widgets if isinstance(w, QSpinBox) and w.value() == e.value
            ]
            return holding or widgets
        return widgets

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
        """A user's edit: the document validates and analyses it once, then tells everyone."""
        if self._filling:
            return
        self._pushing = True
        try:
            self.doc.set_fields(self.fields_dict(), self.batch.value(), self.dtype.currentText())
        finally:
            self._pushing = False
        if self.doc.valid:
            self.mark_invalid(None)
        self.changed.emit()

    # --- the document's events -----------------------------------------------------------------
    def _document_changed(self, doc: SpecDocument) -> None:
        if not self._pushing:  # a preset, an opened or adapted spec: the controls follow
            self._fill(doc.spec)
        self.mark_invalid(None)
        self._show_name()

    def _document_invalid(self, doc: SpecDocument) -> None:
        self.mark_invalid(self.errors())

    def _show_name(self) -> None:
        self.preset.blockSignals(True)
        self.preset.setCurrentText(self.doc.base_preset)
        self.preset.blockSignals(False)
        name = preset_of(self.doc.spec)
        self.preset_note.setText(describe_preset(name) if name else self.doc.label)


def _tint(w: QWidget, bad: bool, sentence: str) -> None:
    """Mark ``w`` wrong with ``sentence`` as its tooltip, or put it back as it was."""
    if bad:
        if not w.property("invalid"):  # keep the control's own tip, not a sentence before it
            w.setProperty("plain_tip", w.toolTip())
        tip = str(w.property("plain_tip") or "")
        palette = w.palette()
        for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Button):
            palette.setColor(role, INVALID_TINT)
        palette.setColor(QPalette.ColorRole.Text, INVALID_TEXT)
        w.setPalette(palette)
        w.setToolTip(f"<p>{sentence}</p><p>{tip}</p>")  # rich text: it wraps
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
