"""Errors that matter, kept until read: a failed run, a failed export, a missing dataset.

A status-bar message vanishes; :class:`Notices` is a status-bar button that counts the
sentences not yet read ("⚠ 2 unread") and lists each one whole, wrapped, with its time. It
stays until the user clears the list. :func:`open_folder` shows a folder in the desktop's file
manager, or, where there is none, says where the folder is.
"""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QLabel, QMenu, QToolButton, QWidgetAction

from resnet_studio.gui import theme

WIDTH = 480  # the list's sentences wrap at this width


class Notices(QToolButton):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.messages: list[tuple[str, str]] = []  # (time, sentence), oldest first
        self.unread = 0
        self.setAutoRaise(True)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.list_menu = QMenu(self)
        self.setMenu(self.list_menu)
        self.list_menu.aboutToShow.connect(self._fill)
        self.list_menu.aboutToHide.connect(self.mark_read)
        self.hide()

    def add(self, sentence: str) -> None:
        self.messages.append((time.strftime("%H:%M:%S"), sentence))
        self.unread += 1
        self._update()

    def mark_read(self) -> None:
        self.unread = 0
        self._update()

    def clear(self) -> None:
        self.messages.clear()
        self.mark_read()

    def _update(self) -> None:
        n = len(self.messages)
        self.setVisible(n > 0)
        if self.unread:
            self.setText(f"⚠ {self.unread} unread")
            self.setStyleSheet(f"color: {theme.ERROR}; font-weight: 600;")
        else:
            self.setText(f"{n} message{'s' if n != 1 else ''}")
            self.setStyleSheet("")
        last = self.messages[-1][1] if self.messages else ""
        self.setToolTip(f"<p>{html.escape(last)}</p><p>Click to read them all.</p>" if last else "")

    def _fill(self) -> None:
        self.list_menu.clear()
        for stamp, sentence in reversed(self.messages):  # the newest first
            label = QLabel(f"<b>{stamp}</b>&nbsp; {html.escape(sentence)}")
            label.setWordWrap(True)
            label.setFixedWidth(WIDTH)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setContentsMargins(8, 4, 8, 4)
            action = QWidgetAction(self.list_menu)
            action.setDefaultWidget(label)
            self.list_menu.addAction(action)
        self.list_menu.addSeparator()
        self.list_menu.addAction("Clear the messages", self.clear)


def open_folder(folder: Path) -> str | None:
    """Show ``folder`` in the desktop's file manager. Where none opens it (no file manager, a
    remote session, a folder gone), copy its path to the clipboard and return the sentence to
    tell: the user can always reach it by its path."""
    if folder.is_dir() and QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        return None
    QGuiApplication.clipboard().setText(str(folder))
    if not folder.is_dir():
        return f"The folder {folder} is not there any more (its path is copied to the clipboard)."
    return (
        f"No file manager could open the folder; it is {folder} (the path is copied to the "
        "clipboard)."
    )
