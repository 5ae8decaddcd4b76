"""NewSetWatcher: downloads each new set once, misses none (lagging cursor), survives restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import core_helpers
import pytest
from core_helpers import PARTNER, PROFILE, Core

from runway_desktop.core.set_watcher import PollResult
from runway_desktop.history.store import HistoryStore

pytestmark = pytest.mark.anyio
# Fixtures shared with the other core suites (assigned, not imported: ruff F811).
anyio_backend = core_helpers.anyio_backend
core = core_helpers.core
FILES = {"assessments.jsonl": b'{"a":1}\n', "studentAssessments.jsonl": b'{"s":1}\n'}


def inject(core: Core, created: datetime, count: int = 1, **kwargs: object) -> list[str]:
    args: dict[str, object] = {
        "partner": PARTNER, "tenant": "district-a", "school_year": "2026",
        "bundle": "assessments/MAP_Growth", "count": count, "sent_to_ods": True,
        "files": FILES, "created_on": created,
    }  # fmt: skip
    args.update(kwargs)
    return core.sandbox.inject_output_sets(**args)


def got(result: PollResult) -> set[str]:
    assert not result.failed, [d.error for d in result.failed]
    return {d.output_set.uid for d in result.downloads}


def on_disk(root: Path) -> int:
    return sum(1 for p in root.rglob("*.jsonl") if p.is_file())


async def test_polls_download_each_set_exactly_once(core: Core) -> None:
    root = core.tmp / "out"
    now = datetime.now(UTC)
    first = set(inject(core, now - timedelta(hours=3), count=2))
    first |= set(inject(core, now - timedelta(minutes=1), tenant="district-b"))
    watcher = core.watcher(root)

    assert got(await watcher.poll_once()) == first
    assert on_disk(root) == 2 * len(first)
    assert got(await watcher.poll_once()) == set()
    newer = set(inject(core, datetime.now(UTC)))
    assert got(await watcher.poll_once()) == newer
    assert got(await watcher.poll_once()) == set()
    assert core.history.downloaded_set_uids(PROFILE) == first | newer
    assert on_disk(root) == 2 * len(first | newer)


async def test_a_set_that_appears_late_with_an_older_created_at_is_still_fetched(
    core: Core,
) -> None:
    watcher = core.watcher(core.tmp / "out")
    inject(core, datetime.now(UTC))
    await watcher.poll_once()
    cursor = core.history.watch_cursor(PROFILE, PARTNER)
    assert cursor is not None
    # Runway stamps createdAt before the run is marked success (CONTRACT §5.5): this set
    # becomes visible after the poll that moved the cursor past its createdAt.
    late = set(inject(core, cursor - timedelta(minutes=10)))
    assert got(await watcher.poll_once()) == late


async def test_restart_downloads_nothing_again_and_misses_nothing(core: Core) -> None:
    root = core.tmp / "out"
    before = set(inject(core, datetime.now(UTC) - timedelta(minutes=5), count=2))
    assert got(await core.watcher(root).poll_once()) == before

    # App restart: a new store on the same database file, a new watcher.
    history = HistoryStore(core.history.path)
    try:
        watcher = core.watcher(root, history)
        assert got(await watcher.poll_once()) == set()
        late = set(inject(core, datetime.now(UTC) - timedelta(minutes=7)))  # older than all
        after = set(inject(core, datetime.now(UTC)))
        assert got(await watcher.poll_once()) == late | after
        assert got(await watcher.poll_once()) == set()
    finally:
        history.close()


async def test_a_failed_download_is_retried_on_the_next_poll(core: Core) -> None:
    root = core.tmp / "out"
    now = datetime.now(UTC)
    uids = inject(core, now - timedelta(minutes=2), count=2)
    watcher = core.watcher(root)
    core.sandbox.faults.set("s3_error", {"status": 400, "count": 1})

    first = await watcher.poll_once()
    assert len(first.failed) == 1 and len(first.downloads) == 2
    failed_uid = first.failed[0].output_set.uid
    state = core.history.download_state(PROFILE, failed_uid)
    assert state is not None and state[0] == "failed"
    # Newer sets arrive meanwhile: the cursor must not move past the failed one.
    newer = set(inject(core, now))
    second = await watcher.poll_once()
    assert got(second) == {failed_uid} | newer
    assert core.history.downloaded_set_uids(PROFILE) == set(uids) | newer
    assert got(await watcher.poll_once()) == set()


async def test_a_submitted_job_s_output_is_downloaded(core: Core) -> None:
    result = await core.pipeline().submit(core.map_request(core.csv()))
    assert result.ok and result.job_uid is not None
    (output_set,) = await core.wait_for_sets(result.job_uid)
    root = core.tmp / "out"

    polled = await core.watcher(root).poll_once()
    assert got(polled) == {output_set.uid}
    (download,) = polled.downloads
    assert "MAP Growth Assessment" in str(download.folder)
    names = {p.name for p in download.files}
    assert names == set(output_set.files)
    record = core.history.get(result.submission_id)
    assert record is not None and [s.set_uid for s in record.sets] == [output_set.uid]
