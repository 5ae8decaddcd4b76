"""How a view listens to a thin adapter: one ``events = Signal(object)`` carrying the core's
event values, and a table from event type to handler.

A table instead of an ``isinstance`` chain: a new event type is one more entry where it is
handled, and a view lists only the events it cares about (the others pass it by).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import SignalInstance

Handlers = Mapping[type[Any], Callable[[Any], object]]


def dispatcher(handlers: Handlers) -> Callable[[object], None]:
    """The slot that calls the handler registered for the event's exact type, if any."""
    table = dict(handlers)

    def dispatch(event: object) -> None:
        handler = table.get(type(event))
        if handler is not None:
            handler(event)

    return dispatch


def connect_handlers(signal: SignalInstance, handlers: Handlers) -> Callable[[object], None]:
    """Connect ``signal`` (an adapter's ``events``) to ``handlers``; returns the slot, so that
    it can be disconnected again."""
    slot = dispatcher(handlers)
    signal.connect(slot)
    return slot
