"""The one error type a user can cause with an architecture spec."""

from __future__ import annotations

from typing import Any


class SpecError(ValueError):
    """An invalid architecture spec: one plain sentence naming the field, the value and a fix.

    ``str(err)`` is the sentence shown to the user (in the window, or on stderr by the CLI).
    """

    def __init__(self, field: str, value: Any, message: str, hint: str = "") -> None:
        self.field = field
        self.value = value
        self.message = message
        self.hint = hint
        text = message.rstrip(".")
        if hint:
            text = f"{text}; {hint.rstrip('.')}"
        super().__init__(text if text.endswith("?") else text + ".")
