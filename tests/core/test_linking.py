"""Linking sets to submissions, and "already sent": real submissions through the real pipeline
against the sandbox, read back from the real SQLite history."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import core_helpers
import pytest
from core_helpers import PARTNER, PROFILE, Core, assessment_namer, md5_of

from runway_desktop.api.models import OutputSetFilter
from runway_desktop.core.history_actions import already_sent, already_sent_text, resubmit_values
from runway_desktop.core.history_view import sent_text
from runway_desktop.core.output_sets import record_sets
from runway_desktop.core.outputs.browse import prepare_listing
from runway_desktop.core.outputs.linking import short_when, submission_links
from runway_desktop.core.submit.events import FileProgress, PipelineEvent
from runway_desktop.core.submit.pipeline import SubmissionPipeline
from runway_desktop.history.store import HistoryStore

pytestmark = pytest.mark.anyio
anyio_backend = core_helpers.anyio_backend
core = core_helpers.core


async def test_a_listing_links_each_set_of_ours_to_its_submission(core: Core) -> None:
    path = core.csv("spring_scores_lincoln.csv")
    result = await core.pipeline().submit(core.map_request(path))
    assert result.ok and result.job_uid
    (ours,) = await core.wait_for_sets(result.job_uid)
    (theirs,) = core.sandbox.inject_output_sets(  # a job from the web UI: not one of ours
        partner=PARTNER, tenant="district-a", school_year="2026", count=1,
        bundle="assessments/MAP_Growth", sent_to_ods=True, files={"a.jsonl": b"{}\n"},
        created_on=datetime.now(UTC),
    )  # fmt: skip
    listed = await core.client.list_output_sets(OutputSetFilter(partner=PARTNER))
    await record_sets(core.history, listed)
    record = core.history.get(result.submission_id)
    assert record is not None

    links = submission_links(core.history)
    assert set(links) == {result.job_uid}  # one entry per job of ours, none for the other
    link = links[result.job_uid]
    assert (link.submission_id, link.created_at) == (record.id, record.created_at)
    assert link.file_count == 1
    assert "spring_scores_lincoln.csv" in link.file_names
    when = short_when(record.created_at)
    assert link.text == f"from your submission of {when} (MAP Growth, 1 file)"

    namer = assessment_namer(core.registry)
    listing = prepare_listing(listed, namer, core.history, PROFILE, known=None, recorded=set(),
                              link_submissions=True)  # fmt: skip
    rows = {row.uid: row for row in listing.rows}
    found = rows[ours.uid].link
    assert found is not None and (found.submission_id, found.text) == (record.id, link.text)
    assert rows[theirs].link is None
    # Searching by the uploaded file's name finds its set, and only it.
    assert [u for u, row in rows.items() if "spring_scores_lincoln" in row.search] == [ours.uid]
    # Not asked for, not looked up: the listing stays as it was.
    plain = prepare_listing(listed, namer, core.history, PROFILE, known=None, recorded=set())
    assert all(row.link is None for row in plain.rows)


async def test_each_submission_with_a_job_is_linked_by_that_job(core: Core) -> None:
    first = await core.pipeline().submit(core.map_request(core.csv("one.csv")))
    second = await core.pipeline().submit(
        core.request("assessments/MAP_Growth", {"INPUT_FILE": core.csv("two.csv")},
                     tenant="district-b")
    )  # fmt: skip
    assert first.job_uid and second.job_uid
    links = submission_links(core.history)
    assert {j: (k.submission_id, k.file_names) for j, k in links.items()} == {
        first.job_uid: (first.submission_id, ("one.csv",)),
        second.job_uid: (second.submission_id, ("two.csv",)),
    }


def test_times_are_said_as_people_say_them() -> None:
    moment = datetime(2025, 12, 2, 7, 11).astimezone()
    assert short_when(moment, now=moment) == "2 Dec, 07:11"
    assert short_when(moment, now=datetime(2026, 1, 5).astimezone()) == "2 Dec 2025, 07:11"


def test_history_and_output_sets_write_one_moment_alike(tmp_path: Path) -> None:
    """History's list and detail, its linked sets ("Made …") and Output sets' "from your
    submission of …" all say a time by one rule (base.formatting)."""
    history = HistoryStore(tmp_path / "history.sqlite3")
    try:
        sid = history.create_submission(
            profile="p", api_base_url="http://x/api/v1", partner="acme", tenant="district-a",
            school_year="2026", bundle="assessments/MAP_Growth", bundle_name="MAP Growth",
            params={}, files=[],
        )  # fmt: skip
        record = history.get(sid)
    finally:
        history.close()
    assert record is not None
    now = record.created_at.astimezone()
    expected = f"{now.day} {now:%b}, {now:%H:%M}"
    assert sent_text(record, short=True) == short_when(record.created_at) == expected
    assert sent_text(record) == f"{now.day} {now:%b} {now.year}, {now:%H:%M}"


async def test_already_sent_finds_these_exact_files_for_the_same_place_and_year(core: Core) -> None:
    path = core.csv("scores.csv")
    request = core.map_request(path)
    md5 = md5_of(path)
    assert already_sent(core.history, request, [md5]) is None  # nothing sent yet
    result = await core.pipeline().submit(request)
    assert result.ok

    found = already_sent(core.history, request, [md5])
    assert found is not None and found.id == result.submission_id
    # The form's values (Resubmit, the Submit screen) ask the same question.
    assert already_sent(core.history, resubmit_values(found, core.registry), [md5]) == found
    other = md5_of(core.csv("other.csv", core_helpers.CSV + b"\n"))
    assert already_sent(core.history, request, [other]) is None  # other contents
    assert already_sent(core.history, request, [md5, other]) is None  # not these exact files
    assert already_sent(core.history, request, []) is None
    assert already_sent(core.history, request, [""]) is None  # a check not finished
    elsewhere = core.map_request(path, school_year="2025")
    assert already_sent(core.history, elsewhere, [md5]) is None  # another year
    district_b = core.request("assessments/MAP_Growth", {"INPUT_FILE": path}, tenant="district-b")
    assert already_sent(core.history, district_b, [md5]) is None  # another district

    again = await core.pipeline().submit(request)
    latest = already_sent(core.history, request, [md5])
    assert latest is not None and latest.id == again.submission_id  # the newest is named
    local = latest.created_at.astimezone()
    assert already_sent_text(latest, "MAP Growth Assessment", now=latest.created_at) == (
        "These files were already sent for MAP Growth Assessment, district-a, 2025–26 on "
        f"{local.day} {local:%b} at {local:%H:%M} (submission #{latest.id})."
    )


async def test_files_never_started_were_not_sent(core: Core) -> None:
    """An upload cancelled before the start: Runway has a job but never ran the files."""
    path = core.csv("scores.csv")
    request = core.request("assessments/MAP_Growth", {"INPUT_FILE": path}, tenant="district-b")
    holder: list[SubmissionPipeline] = []

    def cancel_on_upload(event: PipelineEvent) -> None:
        if isinstance(event, FileProgress):
            holder[0].cancel()

    holder.append(core.pipeline(listener=cancel_on_upload))
    result = await holder[0].submit(request)
    assert not result.ok and result.job_uid  # the job exists, nothing was started
    assert core.runs(result.job_uid) == []
    assert already_sent(core.history, request, [md5_of(path)]) is None
