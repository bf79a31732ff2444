"""A spin box that never changes what the user typed, and waits for them to finish typing.

Qt's QSpinBox clamps or refuses a value outside its range without a word: typing 0 as an input
size reverts to the old value on focus-out, typing 600 blocks stops at 60. :class:`LimitSpinBox`
takes any whole number up to one digit longer than its limit, so the spec's own check (or
:meth:`LimitSpinBox.problem`) can say on the control what the limit is. Its arrows and wheel stay
inside the limits and act at once; typed text is taken on Enter, on focus-out or after a short
pause, so a half-typed 100000 is never analysed as 1000.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QSpinBox

TYPING_PAUSE_MS = 700  # typed digits count once the keyboard has been still this long
# learning rates the Train panel and the LR finder both take, so that a rate the finder suggests
# is one the panel accepts as it is
RATE_LOW, RATE_HIGH = 1e-12, 1e6


class LimitSpinBox(QSpinBox):
    def __init__(self, low: int, high: int, tip: str, value: int = 1, why: str = "") -> None:
        super().__init__()
        self.low, self.high = low, high
        self.setRange(0, min(10 * high + 9, 2**31 - 1))  # one digit more: typed, then judged
        self.setValue(value)
        self.setToolTip(f"{tip} ({low:,} to {high:,}{': ' + why if why else ''})")
        self.setAccelerated(True)
        self.setKeyboardTracking(False)  # valueChanged on Enter, focus-out and arrows
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(TYPING_PAUSE_MS)
        self._pause.timeout.connect(self.interpretText)
        self.lineEdit().textEdited.connect(lambda _: self._pause.start())

    def stepBy(self, steps: int) -> None:  # noqa: N802 (Qt's name)
        """Arrows, page keys and the wheel move within the limits (back into them, if out)."""
        self.setValue(max(self.low, min(self.high, self.value() + steps * self.singleStep())))
        self.selectAll()

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:  # noqa: N802
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if self.value() < self.high:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        if self.value() > self.low:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return flags

    def problem(self, name: str) -> str:
        """A sentence if the value is outside the limits (for values no spec checks)."""
        v = self.value()
        if v < self.low:
            return f"{name} is {v:,}; it must be at least {self.low:,}."
        if v > self.high:
            return f"{name} is {v:,}; it can be at most {self.high:,}."
        return ""


class RateSpinBox(QDoubleSpinBox):
    """A learning rate typed in any notation (1e-7, 0.001), kept to 12 decimals (not rounded to
    a panel's few), and shown in the shortest notation."""

    def __init__(self, value: float, low: float = RATE_LOW, high: float = RATE_HIGH) -> None:
        super().__init__()
        self.setDecimals(12)
        self.setRange(low, high)
        self.setValue(value)

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt's name)
        return f"{value:g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 (Qt's name)
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        try:
            float(text)
            return QValidator.State.Acceptable, text, pos
        except ValueError:
            return QValidator.State.Intermediate, text, pos
