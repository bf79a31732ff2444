"""The one error type a user can cause with an architecture spec."""

from __future__ import annotations

from typing import Any

_NONE = object()  # "no nearest value": None is a value some fields take


class SpecError(ValueError):
    """An invalid architecture spec: one plain sentence naming the field, the value and a fix.

    ``str(err)`` is the sentence shown to the user (in the window, or on stderr by the CLI).
    ``subject`` is the words that name the field in the sentence ("layers[1]", "num_classes");
    :meth:`spoken` puts a face's own words there ("layer2 blocks", "Classes"). ``index`` is the
    item of a list field that is wrong (a stage; 0 or 1 for the input's height or width), and
    ``nearest`` a value the field's own check accepts, where there is one: the window finds
    every wrong field by trying the spec again with it.
    """

    def __init__(
        self,
        field: str,
        value: Any,
        message: str,
        hint: str = "",
        *,
        subject: str = "",
        index: int | None = None,
        nearest: Any = _NONE,
    ) -> None:
        self.field = field
        self.value = value
        self.message = message
        self.hint = hint
        self.subject = subject
        self.index = index
        self._nearest = nearest
        text = message.rstrip(".")
        if hint:
            text = f"{text}; {hint.rstrip('.')}"
        super().__init__(text if text.endswith("?") else text + ".")

    @property
    def has_nearest(self) -> bool:
        return self._nearest is not _NONE

    @property
    def nearest(self) -> Any:
        return None if self._nearest is _NONE else self._nearest

    def spoken(self, name: str) -> SpecError:
        """The same error with ``name`` where the sentence names the field by its code word."""
        if not self.subject or self.subject not in self.message:
            return self
        return SpecError(
            self.field,
            self.value,
            self.message.replace(self.subject, name, 1),
            self.hint,
            subject=name,
            index=self.index,
            nearest=self._nearest,
        )
