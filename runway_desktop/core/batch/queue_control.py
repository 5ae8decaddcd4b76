"""Pause, resume and stop for the rest of a batch's queue, from any front end.

Only items that have not begun are held or left out: one under way always runs to its end,
so no upload is cut off half-way and no start is left in doubt. A stopped item is "not sent",
and the next run of the plan sends it (what was sent is skipped).
"""

from __future__ import annotations

import asyncio

from runway_desktop.base.words import QT_TRANSLATE_NOOP

# Per-upload cap for a whole batch: with DEFAULT_JOBS submissions of up to three files each,
# more uploads at once would only split the same bandwidth and hold more sockets and links.
MAX_UPLOADS = 4

# Marked for translation (context "BatchOutcome", as the run's other words): localized where used.
NOT_SENT_TEXT = QT_TRANSLATE_NOOP(
    "BatchOutcome", "Not sent: the batch was stopped before it began."
)
NOT_SENT_NEXT = QT_TRANSLATE_NOOP(
    "BatchOutcome", "Send the plan again to send it; what was sent is skipped."
)


class QueueControl:
    """A switch the runner consults before each item begins."""

    def __init__(self) -> None:
        self._go = asyncio.Event()
        self._go.set()
        self._stopped = False

    @property
    def paused(self) -> bool:
        return not self._go.is_set() and not self._stopped

    @property
    def stopped(self) -> bool:
        return self._stopped

    def pause(self) -> None:
        """Items not yet begun wait; the ones under way finish."""
        if not self._stopped:
            self._go.clear()

    def resume(self) -> None:
        self._go.set()

    def stop(self) -> None:
        """Items not yet begun are not sent (a paused queue stops too)."""
        self._stopped = True
        self._go.set()

    async def may_begin(self) -> bool:
        """Waits while paused; False once stopped."""
        await self._go.wait()
        return not self._stopped
