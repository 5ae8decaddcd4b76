"""One progress figure for all the files of a submission, fed by each file's own reports."""

from __future__ import annotations

from collections.abc import Mapping

from runway_desktop.api.progress import ProgressCallback, ProgressMeter, TransferProgress


class TotalProgressMeter:
    def __init__(self, sizes: Mapping[str, int], callback: ProgressCallback) -> None:
        self._done = dict.fromkeys(sizes, 0)
        self._total = sum(sizes.values())
        self._meter = ProgressMeter(self._total, callback)

    def update(self, key: str, progress: TransferProgress) -> None:
        # A retried upload restarts at 0: the delta is negative and the total goes back too.
        delta = progress.bytes_done - self._done.get(key, 0)
        self._done[key] = progress.bytes_done
        if delta:
            self._meter.advance(delta)
        # The per-file reports are throttled; make sure the total ends on exactly 100 %.
        if sum(self._done.values()) >= self._total:
            self._meter.finish()
