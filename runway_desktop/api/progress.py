"""Progress of an upload or download: bytes, a smoothed speed, and an honest ETA.

The ETA is withheld until the rate has settled (OnionShare does the same): the first second of
a transfer is dominated by connection set-up and TCP slow start, and an ETA that jumps from
"3 hours" to "4 seconds" is worse than none.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# Show an ETA only after this much time and this share of the file.
ETA_MIN_SECONDS = 2.0
ETA_MIN_FRACTION = 0.05
# Weight of the newest speed sample (exponential moving average, per ~0.5 s window).
RATE_SMOOTHING = 0.3
RATE_WINDOW_SECONDS = 0.5
# At most this many callbacks per second (plus the first and last): a Qt progress bar does
# not need 1,000 updates a second on a fast LAN.
CALLBACKS_PER_SECOND = 10.0


@dataclass(frozen=True)
class TransferProgress:
    """One progress report. ``bytes_total`` is ``None`` when the size is unknown."""

    bytes_done: int
    bytes_total: int | None
    bytes_per_second: float | None  # smoothed; None until measured
    eta_seconds: float | None  # None until the rate is stable
    attempt: int = 1  # > 1 after a retry restarted or resumed the transfer

    @property
    def fraction(self) -> float | None:
        if not self.bytes_total:
            return None
        return min(1.0, self.bytes_done / self.bytes_total)


ProgressCallback = Callable[[TransferProgress], None]


class ProgressMeter:
    """Turns "this many bytes so far" into throttled :class:`TransferProgress` callbacks."""

    def __init__(
        self,
        total: int | None,
        callback: ProgressCallback | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        start_at: int = 0,
    ) -> None:
        self._total = total
        self._callback = callback
        self._clock = clock
        self._started = clock()
        self._start_bytes = start_at  # resumed downloads: bytes already on disk don't count
        self._window_start = self._started
        self._window_bytes = start_at
        self._rate: float | None = None
        self._last_report = float("-inf")
        self.done = start_at
        self.attempt = 1
        # Told every byte count too, unthrottled: the transfer's stall check (bounds.py).
        self.on_bytes: Callable[[int], None] | None = None

    def restart(self, *, start_at: int = 0, attempt: int) -> None:
        """A retry: start counting again (uploads restart at 0, downloads resume)."""
        self.done = start_at
        self.attempt = attempt
        self._window_start = self._clock()
        self._window_bytes = start_at
        self._report(force=True)

    def advance(self, byte_count: int) -> None:
        self.done += byte_count
        if self.on_bytes is not None:
            self.on_bytes(byte_count)
        now = self._clock()
        elapsed = now - self._window_start
        if elapsed >= RATE_WINDOW_SECONDS:
            sample = (self.done - self._window_bytes) / elapsed
            if self._rate is None:
                self._rate = sample
            else:
                self._rate = RATE_SMOOTHING * sample + (1 - RATE_SMOOTHING) * self._rate
            self._window_start, self._window_bytes = now, self.done
        self._report(force=False)

    def finish(self) -> None:
        self._report(force=True)

    def snapshot(self) -> TransferProgress:
        return TransferProgress(
            bytes_done=self.done,
            bytes_total=self._total,
            bytes_per_second=self._rate,
            eta_seconds=self._eta(),
            attempt=self.attempt,
        )

    def _eta(self) -> float | None:
        if self._rate is None or self._rate <= 0 or not self._total:
            return None
        running = self._clock() - self._started
        moved = self.done - self._start_bytes
        if running < ETA_MIN_SECONDS or moved < ETA_MIN_FRACTION * self._total:
            return None
        return max(0.0, (self._total - self.done) / self._rate)

    def _report(self, *, force: bool) -> None:
        if self._callback is None:
            return
        now = self._clock()
        if not force and now - self._last_report < 1.0 / CALLBACKS_PER_SECOND:
            return
        self._last_report = now
        self._callback(self.snapshot())
