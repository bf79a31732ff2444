"""A caption above a large value and a detail line: the Explorer's summary strip and the
profiler's measured figures."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout


class FigureCard(QFrame):
    """One number of the summary strip: a caption above a large value, exact value as tooltip."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color: palette(mid); font-size: 9pt;")
        self.value = QLabel("–")
        self.value.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.detail = QLabel("")
        self.detail.setStyleSheet("color: palette(mid); font-size: 9pt;")
        for w in (self.caption, self.value, self.detail):
            layout.addWidget(w)

    def show_value(self, value: str, detail: str = "", tooltip: str = "") -> None:
        self.value.setText(value)
        self.detail.setText(detail)
        self.setToolTip(tooltip)
