"""Answering a modal question box from a test, without ever waiting forever."""

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox

TRIES = 250  # 20 ms apart: five seconds for the box to appear


def answer_box(
    pick: Callable[[QMessageBox], QAbstractButton | None], seen: list[str], tries: int = TRIES
) -> None:
    """Click ``pick(box)`` in the next question box, noting its text in ``seen``.

    If no box with that button shows within the tries, every modal box open is rejected (so a
    test never hangs in a box nobody answers) and ``seen`` gets a line saying so, which the
    test's own assertions on ``seen`` then report."""

    def click(left: int) -> None:
        box = QApplication.activeModalWidget()
        button = pick(box) if isinstance(box, QMessageBox) else None
        if button is not None:
            seen.append(box.text() + "\n" + box.informativeText())
            button.click()
        elif left > 0:
            QTimer.singleShot(20, lambda: click(left - 1))
        else:
            seen.append("no question box with that button was shown")
            while isinstance(w := QApplication.activeModalWidget(), QMessageBox):
                w.reject()

    QTimer.singleShot(0, lambda: click(tries))


def button_named(text: str) -> Callable[[QMessageBox], QAbstractButton | None]:
    return lambda box: next((b for b in box.buttons() if b.text() == text), None)


def standard_button(which: QMessageBox.StandardButton) -> Callable[[QMessageBox], QAbstractButton]:
    return lambda box: box.button(which)
