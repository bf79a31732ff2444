"""Start the window: a clear sentence instead of a Qt abort when there is no display."""

from __future__ import annotations

import os
import sys


def display_problem() -> str | None:
    """Why Qt could not open a window here, or None."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    ):
        return (
            "resnet-studio: no display found (DISPLAY and WAYLAND_DISPLAY are unset); run it "
            "on a desktop, under `xvfb-run resnet-studio`, or with QT_QPA_PLATFORM=offscreen "
            "for a headless window, or use `resnet-studio summary` in a terminal."
        )
    return None


def run_app(argv: list[str] | None = None) -> int:
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setOrganizationName("ResNet Studio")
    app.setApplicationName("ResNet Studio")
    app.setStyle("Fusion")
    window = MainWindow()
    window.show()
    return app.exec()
