"""DownloadQueue against the sandbox: one lane, de-dup, the root check, failures kept apart,
events in order, and watch mode's polls, cursors and notices. No Qt: the core on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import core_helpers
import httpx
import pytest
from core_helpers import PARTNER, PROFILE, Core

from runway_desktop.api.errors import FolderNotWritable
from runway_desktop.api.models import OutputSet, OutputSetFilter
from runway_desktop.core.outputs.download_queue import (
    DownloadEvent,
    DownloadQueue,
    QueueEmptied,
    SetFinished,
    SetStarted,
    SetStateChanged,
    WatchingChanged,
    WatchPolled,
    WatchProblem,
)
from runway_desktop.settings.preferences import PreferencesStore

pytestmark = pytest.mark.anyio
# Fixtures shared with the other core suites (assigned, not imported: ruff F811).
anyio_backend = core_helpers.anyio_backend
core = core_helpers.core
FILES = {"assessments.jsonl": b'{"a":1}\n', "studentAssessments.jsonl": b'{"s":1}\n' * 2000}


async def inject(core: Core, count: int = 1, **kwargs: object) -> list[OutputSet]:
    args: dict[str, object] = {
        "partner": PARTNER, "tenant": "district-a", "school_year": "2026",
        "bundle": "assessments/MAP_Growth", "count": count, "sent_to_ods": True,
        "files": FILES, "created_on": datetime.now(UTC) - timedelta(minutes=1),
    }  # fmt: skip
    args.update(kwargs)
    uids = core.sandbox.inject_output_sets(**args)
    listed = await core.client.list_output_sets(OutputSetFilter(partner=str(args["partner"])))
    by_uid = {s.uid: s for s in listed}
    return [by_uid[uid] for uid in uids]


def queue_for(
    core: Core, root: Path, events: list[DownloadEvent], *, check_root: bool = True
) -> DownloadQueue:
    queue = DownloadQueue(events.append, root=root, check_root=check_root)
    queue.configure(core.downloader(), [PARTNER])
    return queue


def link_requests(core: Core) -> list[str]:
    """The uid of every download-links request this test's client sends (one per set try)."""
    seen: list[str] = []

    async def hook(request: httpx.Request) -> None:
        if request.url.path.endswith("/download-links"):
            seen.append(request.url.path.rsplit("/", 2)[-2])

    core.http.event_hooks["request"].append(hook)
    return seen


def on_disk(root: Path) -> dict[str, bytes]:
    return {p.name + "@" + p.parent.name[-8:]: p.read_bytes() for p in root.rglob("*.jsonl")}


async def test_two_adds_share_one_lane_and_a_uid_queued_twice_downloads_once(
    core: Core,
) -> None:
    a, b, c = await inject(core, count=3)
    root = core.tmp / "out"
    active, peak, order = 0, 0, []

    def listen(event: DownloadEvent) -> None:
        nonlocal active, peak
        if isinstance(event, SetStarted):
            active += 1
            peak = max(peak, active)
            order.append(event.output_set.uid)
            # What ran before has been recorded complete before the next set begins.
            for uid in order[:-1]:
                assert core.history.download_state(PROFILE, uid)[0] == "complete"  # type: ignore[index]
        elif isinstance(event, SetFinished):
            active -= 1

    queue = DownloadQueue(listen, root=root)
    queue.configure(core.downloader(), [PARTNER])
    requests = link_requests(core)
    # Every links answer comes late, so the second add() lands while the first set runs.
    core.sandbox.faults.set("api_delay", {"seconds": 0.1})
    assert queue.add([a, a]) == 1
    assert queue.add([a, b]) == 1  # a is still waiting: only b is new
    assert queue.state_of(b.uid) is not None and queue.is_busy()
    assert queue.add([c]) == 1
    downloads = await queue.join()
    core.sandbox.faults.clear()

    assert peak == 1, "two sets downloaded at once"
    assert order == [a.uid, b.uid, c.uid]
    assert [d.output_set.uid for d in downloads] == order and all(d.ok for d in downloads)
    assert sorted(requests) == sorted([a.uid, b.uid, c.uid])  # a once, though queued thrice
    assert len(on_disk(root)) == 3 * len(FILES)
    assert not queue.is_busy() and queue.state_of(a.uid) is None


async def test_watched_and_queued_downloads_share_the_lane(core: Core) -> None:
    watched = await inject(core, count=2)
    (clicked,) = await inject(core, partner="ea", tenant="ea-tenant")
    active, peak = 0, 0

    def listen(event: DownloadEvent) -> None:
        nonlocal active, peak
        if isinstance(event, SetStarted):
            active += 1
            peak = max(peak, active)
        elif isinstance(event, SetFinished):
            active -= 1

    queue = DownloadQueue(listen, root=core.tmp / "out")
    queue.configure(core.downloader(), [PARTNER])  # watch mode polls acme only
    core.sandbox.faults.set("api_delay", {"seconds": 0.1})
    poll = queue.poll_all()  # no cursor yet: every acme set is new
    queue.add([clicked])
    await poll
    await queue.join()
    core.sandbox.faults.clear()

    assert peak == 1, "a watched and a clicked set downloaded at once"
    assert core.history.downloaded_set_uids(PROFILE) == {s.uid for s in [*watched, clicked]}


async def test_a_root_problem_fails_every_queued_set_with_its_message(core: Core) -> None:
    sets = await inject(core, count=2)
    root = core.tmp / "a-file"
    root.write_text("a file where the download folder should be")
    events: list[DownloadEvent] = []
    queue = queue_for(core, root, events)
    requests = link_requests(core)

    downloads = await queue.download_all(sets)

    assert [d.output_set.uid for d in downloads] == [s.uid for s in sets]
    for download in downloads:
        assert isinstance(download.error, FolderNotWritable)
        assert f"{root} is a file, not a folder" in download.error.message
    failed = [e for e in events if isinstance(e, SetStateChanged) and e.state.state == "failed"]
    assert [e.uid for e in failed] == [s.uid for s in sets]
    for event in failed:
        assert event.state.message is not None
        assert event.state.message.startswith(f"The download folder cannot be created: {root}")
        assert "Choose another download folder" in event.state.message
    assert requests == [] and not any(isinstance(e, SetStarted) for e in events)
    assert core.history.downloaded_set_uids(PROFILE) == set()
    assert isinstance(events[-1], QueueEmptied) and events[-1].downloads == downloads


async def test_without_the_root_check_each_set_keeps_its_own_error(core: Core) -> None:
    (output_set,) = await inject(core)
    root = core.tmp / "a-file"
    root.write_text("not a folder")
    queue = queue_for(core, root, [], check_root=False)  # the CLI's way
    (download,) = await queue.download_all([output_set])
    assert download.error is not None
    assert "Change…" not in f"{download.error.message} {download.error.next_step}"


async def test_a_failure_in_one_set_does_not_stop_the_others(core: Core) -> None:
    first, *others = await inject(core, count=3)
    root = core.tmp / "out"
    events: list[DownloadEvent] = []
    queue = queue_for(core, root, events)
    core.sandbox.faults.set("s3_error", {"status": 400, "count": 1})  # the first file asked for

    downloads = await queue.download_all([first, *others])

    assert [d.ok for d in downloads] == [False, True, True]
    assert core.history.downloaded_set_uids(PROFILE) == {s.uid for s in others}
    finished = [e.download.output_set.uid for e in events if isinstance(e, SetFinished)]
    assert finished == [first.uid, *(s.uid for s in others)]
    last = {e.uid: e.state for e in events if isinstance(e, SetStateChanged)}
    assert last[first.uid].state == "failed" and last[first.uid].message
    assert {last[s.uid].state for s in others} == {"complete"}
    # Tried again later, the failed one arrives too.
    (again,) = await queue.download_all([first])
    assert again.ok and core.history.downloaded_set_uids(PROFILE) == {first.uid} | {
        s.uid for s in others
    }


async def test_events_come_in_order(core: Core) -> None:
    a, b = await inject(core, count=2)
    events: list[DownloadEvent] = []
    queue = queue_for(core, core.tmp / "out", events)

    downloads = await queue.download_all([a, b])

    def step(event: DownloadEvent) -> str:
        if isinstance(event, SetStateChanged):
            return f"{event.state.state} {event.uid[:4]}"
        if isinstance(event, SetStarted):
            return f"started {event.output_set.uid[:4]}"
        if isinstance(event, SetFinished):
            return f"finished {event.download.output_set.uid[:4]}"
        return type(event).__name__

    steps = [step(e) for e in events]
    # Progress repeats "downloading": one line for each run of them.
    steps = [s for i, s in enumerate(steps) if i == 0 or s != steps[i - 1]]
    x, y = a.uid[:4], b.uid[:4]
    assert steps == [
        f"queued {x}", f"queued {y}",
        f"started {x}", f"downloading {x}", f"complete {x}", f"finished {x}",
        f"started {y}", f"downloading {y}", f"complete {y}", f"finished {y}",
        "QueueEmptied",
    ]  # fmt: skip
    done = [e for e in events if isinstance(e, SetStateChanged) and e.state.state == "complete"]
    assert [e.state.folder for e in done] == [d.folder for d in downloads]
    fractions = [
        e.state.fraction
        for e in events
        if isinstance(e, SetStateChanged) and e.uid == a.uid and e.state.state == "downloading"
    ]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


async def test_watch_mode_starts_cursors_polls_every_partner_and_notifies(core: Core) -> None:
    old = await inject(core, created_on=datetime.now(UTC) - timedelta(days=2))
    events: list[DownloadEvent] = []
    prefs = PreferencesStore(core.tmp / "preferences.json")
    root = core.tmp / "out"
    queue = DownloadQueue(events.append, root=root, preferences=prefs)
    queue.configure(core.downloader(), [PARTNER, "ea"])

    assert queue.set_watching(True) and not queue.set_watching(True)
    assert prefs.load().download_new_automatically
    first = queue.poll_now()
    assert first is not None and queue.poll_now() is first  # one poll at a time
    await first
    assert core.history.watch_cursor(PROFILE, PARTNER) is not None
    assert core.history.watch_cursor(PROFILE, "ea") is not None
    assert isinstance(events[0], WatchingChanged) and events[0].on
    polled = [e for e in events if isinstance(e, WatchPolled)]
    assert polled == [WatchPolled((), ())]  # the set from before switching on is not "new"

    new = await inject(core, count=2)
    (other,) = await inject(core, partner="ea", tenant="ea-tenant")
    events.clear()
    await queue.poll_all()
    assert events[-2] == WatchProblem("")
    last = events[-1]
    assert isinstance(last, WatchPolled)
    assert {d.output_set.uid for d in last.downloads} == {s.uid for s in [*new, other]}
    (notice,) = last.notices
    assert notice.title == "New results downloaded" and not notice.error
    assert notice.text == f"3 output sets saved in {root}"
    assert old[0].uid not in core.history.downloaded_set_uids(PROFILE)

    core.sandbox.faults.set("api_error", {"status": 503})
    events.clear()
    await queue.poll_all()
    core.sandbox.faults.clear()
    problem = events[0]
    assert isinstance(problem, WatchProblem)
    assert problem.text.startswith("Could not check for new results: ")
    assert events[-1] == WatchPolled((), ())

    events.clear()
    assert queue.set_watching(False) and not prefs.load().download_new_automatically
    assert events == [WatchingChanged(False)]  # switching off polls nothing


async def test_a_failed_watched_download_is_notified_and_fetched_next_time(core: Core) -> None:
    events: list[DownloadEvent] = []
    queue = queue_for(core, core.tmp / "out", events)
    (output_set,) = await inject(core)
    core.sandbox.faults.set("s3_error", {"status": 400, "count": 1})
    await queue.poll_all()
    last = events[-1]
    assert isinstance(last, WatchPolled)
    (notice,) = last.notices
    assert notice.error and notice.title == "1 new result could not be downloaded"
    assert notice.text.endswith("The next check tries again.")
    await queue.poll_all()
    last = events[-1]
    assert isinstance(last, WatchPolled) and last.notices[0].title == "New result downloaded"
    assert output_set.uid in core.history.downloaded_set_uids(PROFILE)
