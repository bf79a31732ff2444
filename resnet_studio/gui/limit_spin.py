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
from PySide6.QtWidgets import QAbstractSpinBox, QSpinBox

TYPING_PAUSE_MS = 700  # typed digits count once the keyboard has been still this long


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
