"""Waiting for a batch's output: the sets of every job it started, one listing per poll.

Runway has no job-status endpoint (CONTRACT §5.5): a job is known to have run only when an
output set with its uid is listed, and a failed run never makes one. So waiting polls the
partner's sets (recorded in History, as every listing is) until each started job has some,
or the time is up; a job without sets by then is "no result yet", never "failed".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from runway_desktop.api.client import RunwayClient
from runway_desktop.api.errors import RunwayError
from runway_desktop.api.models import OutputSet, OutputSetFilter
from runway_desktop.core.batch.run import ItemOutcome, ItemStatus
from runway_desktop.core.output_sets import list_and_record
from runway_desktop.history.records import utc_now
from runway_desktop.history.store import HistoryStore

# Poll soon (small files finish in seconds), then settle at a gentle pace.
POLL_DELAYS = (1.0, 2.0, 3.0)
POLL_SECONDS = 5.0
# Sets are stamped before they become visible, and clocks differ: look back a little.
LOOKBACK = timedelta(minutes=10)


def awaited(outcome: ItemOutcome) -> bool:
    """Started by this run (or found started by its resume): its output is worth waiting for."""
    return outcome.status in (ItemStatus.SENT, ItemStatus.RESUMED) and outcome.job_uid is not None


async def wait_for_outputs(
    client: RunwayClient,
    history: HistoryStore,
    partner: str,
    outcomes: Sequence[ItemOutcome],
    wait_seconds: float,
    *,
    started_at: datetime | None = None,
) -> list[ItemOutcome]:
    """The outcomes again, each started one with its output sets (``waited`` set); the others
    unchanged. ``started_at``: when the run began (sets older than that, less a margin, are
    not this run's; a resumed job may be older, so then every set of the partner is read)."""
    wanted = {o.job_uid for o in outcomes if awaited(o) and o.job_uid is not None}
    resumed = any(o.status is ItemStatus.RESUMED for o in outcomes if awaited(o))
    since = None if resumed else (started_at or utc_now()) - LOOKBACK
    query = OutputSetFilter(partner=partner, created_after=since)
    found: dict[str, dict[str, OutputSet]] = {}
    deadline = time.monotonic() + wait_seconds
    polls = 0
    while wanted and not wanted <= found.keys():
        try:
            listed = await list_and_record(client, history, query)
        except RunwayError:
            listed = []  # a failed look says nothing: look again until the time is up
        for output_set in listed:
            if output_set.job_uid in wanted:
                found.setdefault(output_set.job_uid, {})[output_set.uid] = output_set
        remaining = deadline - time.monotonic()
        if wanted <= found.keys() or remaining <= 0:
            break
        delay = POLL_DELAYS[polls] if polls < len(POLL_DELAYS) else POLL_SECONDS
        polls += 1
        await asyncio.sleep(min(delay, remaining))
    return [
        replace(o, output_sets=tuple(found.get(o.job_uid or "", {}).values()), waited=True)
        if awaited(o)
        else o
        for o in outcomes
    ]
