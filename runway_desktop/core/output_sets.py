"""Output sets, listed and recorded: the one way either front end asks Runway for sets.

Every listing is also told to History (idempotent by set uid), because History derives "got a
result" from the sets seen, whichever screen or command happened to list them. The write goes
to a worker thread, so a GUI caller's loop never waits on SQLite.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Iterable

from runway_desktop.api.client import RunwayClient
from runway_desktop.api.errors import RunwayError
from runway_desktop.api.models import OutputSet, OutputSetFilter
from runway_desktop.history.store import HistoryStore


def seen_record(output_set: OutputSet) -> dict[str, object]:
    """The row History keeps of a listed set."""
    return {
        "uid": output_set.uid,
        "job_uid": output_set.job_uid,
        "partner": output_set.partner,
        "tenant": output_set.tenant,
        "school_year": output_set.school_year,
        "bundle": output_set.bundle,
        "sent_to_ods": output_set.sent_to_ods,
        "created_at": output_set.created_at_text,
    }


async def record_sets(history: HistoryStore, sets: Iterable[OutputSet]) -> int:
    """Tell History about listed sets; returns how many it had not seen."""
    rows = [seen_record(s) for s in sets]
    if not rows:
        return 0
    return await asyncio.to_thread(history.record_output_sets, rows)


async def list_and_record(
    client: RunwayClient, history: HistoryStore, query: OutputSetFilter
) -> list[OutputSet]:
    """``GET /output-sets`` for the query, with every listed set recorded in History."""
    listed = await client.list_output_sets(query)
    await record_sets(history, listed)
    return listed


class RunwayLook(enum.Enum):
    """What a listing of the partner's output sets said about one job."""

    NOT_LOOKED = "not looked"
    HAS_OUTPUT = "has output"  # a set with the job's uid: a run took and succeeded
    NO_OUTPUT = "no output"  # listed fine, no set for the job (yet)
    COULD_NOT_TELL = "could not tell"  # the listing failed: says nothing either way


async def look_for_job(
    client: RunwayClient, history: HistoryStore, partner: str, job_uid: str
) -> RunwayLook:
    """Whether Runway lists an output set of this job. A failed listing (5xx, timeout, an
    unreadable answer) is COULD_NOT_TELL, never "no output"."""
    try:
        listed = await list_and_record(client, history, OutputSetFilter(partner=partner))
    except RunwayError:
        return RunwayLook.COULD_NOT_TELL
    if any(s.job_uid == job_uid for s in listed):
        return RunwayLook.HAS_OUTPUT
    return RunwayLook.NO_OUTPUT
