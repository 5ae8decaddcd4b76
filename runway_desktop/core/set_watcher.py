"""Finding the output sets not yet downloaded, without ever missing one.

A set becomes visible later than its ``createdAt`` (CONTRACT §5.5), so "since my last poll"
would skip sets for good. The cursor therefore lags: each poll asks for sets created after
(cursor − lag), de-duplicates by uid against what was already downloaded, and moves the
cursor no further than the oldest set still waiting. Cursor and downloads are kept in the
history store, so a restart neither repeats nor misses a set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from runway_desktop.api.client import RunwayClient
from runway_desktop.api.models import OutputSet, OutputSetFilter
from runway_desktop.core.output_sets import list_and_record
from runway_desktop.core.outputs.downloader import SetDownload, SetDownloader, SetProgressCallback
from runway_desktop.history.store import HistoryStore

DEFAULT_LAG = timedelta(minutes=30)


@dataclass(frozen=True)
class PollResult:
    listed: int
    downloads: tuple[SetDownload, ...]

    @property
    def failed(self) -> tuple[SetDownload, ...]:
        return tuple(d for d in self.downloads if not d.ok)


class NewSetWatcher:
    def __init__(
        self,
        client: RunwayClient,
        downloader: SetDownloader,
        history: HistoryStore,
        *,
        profile_name: str,
        partner: str,
        root: Path,
        lag: timedelta = DEFAULT_LAG,
    ) -> None:
        self.client = client
        self.downloader = downloader
        self.history = history
        self.profile_name = profile_name
        self.partner = partner
        self.root = root
        self.lag = lag

    async def pending(self) -> list[OutputSet]:
        """Sets of the partner this profile has not downloaded completely yet."""
        cursor = self.history.watch_cursor(self.profile_name, self.partner)
        query = OutputSetFilter(
            partner=self.partner,
            created_after=None if cursor is None else cursor - self.lag,
        )
        listed = await list_and_record(self.client, self.history, query)
        done = self.history.downloaded_set_uids(self.profile_name)
        return [s for s in listed if s.uid not in done]

    async def poll_once(self, *, on_progress: SetProgressCallback | None = None) -> PollResult:
        waiting = await self.pending()
        downloads = []
        for output_set in waiting:
            downloads.append(
                await self.downloader.download(output_set, self.root, on_progress=on_progress)
            )
        self._advance_cursor(downloads)
        return PollResult(listed=len(waiting), downloads=tuple(downloads))

    def _advance_cursor(self, downloads: list[SetDownload]) -> None:
        if not downloads:
            return
        failed = [d.output_set.created_at for d in downloads if not d.ok]
        newest = max(d.output_set.created_at for d in downloads)
        # Never move past a set that still has to be fetched: it must stay in the window.
        cursor = min(failed) if failed else newest
        current = self.history.watch_cursor(self.profile_name, self.partner)
        if current is None or cursor > current:
            self.history.set_watch_cursor(self.profile_name, self.partner, cursor)
