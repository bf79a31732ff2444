"""Slots that are safe to connect: they ignore what a signal passes and keep nothing alive.

Two Qt traps meet here. ``triggered`` and ``clicked`` pass ``checked``, which lands in a slot's
first default parameter (``open_spec(path=None)`` gets ``False``). And a lambda or partial that
captures a widget, connected to a child's signal, is a reference cycle through C++ that Python's
collector cannot see: the widget never goes. :class:`Call` calls a method with the arguments
given here only, and holds the method's object by a weak reference.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any


class _Weak:
    """A bound method held by a weak reference to its object."""

    def __init__(self, method: Callable[..., Any]) -> None:
        self._obj = weakref.ref(method.__self__)  # type: ignore[attr-defined]
        # a Python method's function; a Qt method (no __func__) is looked up by name
        self._func = getattr(method, "__func__", None)
        self._name = method.__name__

    def method(self) -> Callable[..., Any] | None:
        obj = self._obj()
        if obj is None:
            return None
        return getattr(obj, self._name) if self._func is None else self._func.__get__(obj)


class Call(_Weak):
    """``Call(obj.method, *args)``: a slot that calls ``obj.method(*args)`` whatever the signal
    passes, while ``obj`` lives; ``obj`` is held weakly."""

    def __init__(self, method: Callable[..., Any], *args: Any) -> None:
        super().__init__(method)
        self._args = args

    def __call__(self, *_signal_args: Any) -> None:
        method = self.method()
        if method is not None:
            method(*self._args)


class Pass(_Weak):
    """``Pass(obj.method, *first, **named)``: a slot that calls
    ``obj.method(*first, *signal_args, **named)`` while ``obj`` lives; ``obj`` is held weakly."""

    def __init__(self, method: Callable[..., Any], *first: Any, **named: Any) -> None:
        super().__init__(method)
        self._first, self._named = first, named

    def __call__(self, *signal_args: Any) -> None:
        method = self.method()
        if method is not None:
            method(*self._first, *signal_args, **self._named)
