"""Upload links of this app session, kept in memory only.

Presigned URLs are credentials (DESIGN.md): they are never written to disk. A resumed
submission can re-use them while they are still valid in this session; after a restart, or
once they are about to expire, resuming creates a new job instead (there is no way to get new
links for an existing job, CONTRACT §4.2).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

# Runway signs upload URLs for 3600 s; leave room for a slow upload to finish inside that.
LINK_LIFETIME_SECONDS = 3600
LINK_SAFETY_MARGIN_SECONDS = 600


class UploadLinkCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._links: dict[str, tuple[float, dict[str, str]]] = {}

    def put(self, job_uid: str, links: Mapping[str, str]) -> None:
        self._links[job_uid] = (self._clock(), dict(links))

    def usable(self, job_uid: str) -> dict[str, str] | None:
        """The job's links if they will stay valid long enough for an upload, else None."""
        entry = self._links.get(job_uid)
        if entry is None:
            return None
        created, links = entry
        if self._clock() - created > LINK_LIFETIME_SECONDS - LINK_SAFETY_MARGIN_SECONDS:
            del self._links[job_uid]
            return None
        return dict(links)

    def forget(self, job_uid: str) -> None:
        self._links.pop(job_uid, None)
