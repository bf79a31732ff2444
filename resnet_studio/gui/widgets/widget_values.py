"""A form control's value read and written alike for every kind the panels use (combo box, check
box, line edit, spin box), so the spec panel and the Train panel bind their tables the same way."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox, QWidget


def value_of(w: QWidget) -> Any:
    if isinstance(w, QComboBox):
        return w.currentText()
    if isinstance(w, QCheckBox):
        return w.isChecked()
    if isinstance(w, QLineEdit):
        return w.text()
    assert isinstance(w, (QSpinBox, QDoubleSpinBox))
    return w.value()


def put_value(w: QWidget, value: Any) -> None:
    if isinstance(w, QComboBox):
        w.setCurrentText(str(value))
    elif isinstance(w, QCheckBox):
        w.setChecked(bool(value))
    elif isinstance(w, QLineEdit):
        w.setText(str(value or ""))
    else:
        assert isinstance(w, (QSpinBox, QDoubleSpinBox))
        w.setValue(value)
