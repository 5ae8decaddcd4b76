"""outputs/browse.py: server filters, row texts, stored states, plain-words summaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from runway_desktop.api.models import OutputSet
from runway_desktop.core.output_sets import seen_record
from runway_desktop.core.outputs.browse import (
    BrowseFilter,
    download_states,
    empty_text,
    job_partner,
    local_midnight,
    make_rows,
    relative_age,
    root_problem,
)
from runway_desktop.history.store import HistoryStore
from runway_desktop.ui.output_sets.proxy import matches

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def a_set(uid: str = "11111111-2222-3333-4444-555555555555", **changes: object) -> OutputSet:
    data: dict[str, object] = {
        "uid": uid, "files": ["assessments.jsonl", "studentAssessments.jsonl"],
        "sentToOds": True, "createdAt": "2026-03-15T11:30:00.123Z", "jobUid": "job-1",
        "partner": "acme", "tenant": "district-a", "schoolYear": "2026",
        "bundle": "assessments/PSAT_SAT",
    }  # fmt: skip
    data.update(changes)
    return OutputSet.from_json(data)


def test_filter_sends_only_what_is_chosen_and_midnight_in_utc() -> None:
    assert BrowseFilter("acme").to_query().to_params() == {"partner": "acme"}
    chosen = BrowseFilter(
        "acme", tenant=" district-a ", school_year="2026", bundle="assessments/STAR",
        sent_to_ods=False, created_after=date(2026, 3, 1),
    )  # fmt: skip
    params = chosen.to_query().to_params()
    assert params["tenant"] == "district-a" and params["sentToOds"] == "false"
    assert params["createdAfter"] == local_midnight(date(2026, 3, 1)).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z"
    )
    assert local_midnight(date(2026, 3, 1)).astimezone().hour == 0
    assert chosen.narrowed and not BrowseFilter("acme", tenant="  ").narrowed


def test_rows_prepare_every_text_once() -> None:
    (row,) = make_rows([a_set()], lambda path: "PSAT/SAT" if path else "?")
    assert row.school_year == "2025–26" and row.assessment == "PSAT/SAT"
    assert row.files_text == "2 files" and row.files_tip.splitlines()[0] == "assessments.jsonl"
    assert "2026-03-15T11:30:00.123Z" in row.created_exact
    for word in ("district-a", "psat/sat", "job-1", "studentassessments", "2025–26", "11111111"):
        assert word in row.search


def test_search_matches_every_word_in_any_order() -> None:
    searches = ["district-a map 2025–26", "district-b psat 2025–26", "district-a psat 2024–25"]
    assert matches(searches, ("psat",)) == [False, True, True]
    assert matches(searches, ("psat", "district-a")) == [False, False, True]


def test_relative_age_in_plain_words() -> None:
    assert relative_age(NOW - timedelta(seconds=20), NOW) == "just now"
    assert relative_age(NOW - timedelta(minutes=5), NOW) == "5 min ago"
    assert relative_age(NOW - timedelta(hours=3), NOW) == "3 h ago"
    assert relative_age(NOW - timedelta(days=1, hours=2), NOW) == "yesterday"
    assert relative_age(NOW - timedelta(days=12), NOW) == "12 days ago"


def test_stored_states_in_one_read_and_an_interrupted_one_is_failed(tmp_path: Path) -> None:
    history = HistoryStore(tmp_path / "h.sqlite3")
    try:
        history.record_download("p", "a", folder=tmp_path / "a", state="complete", files=["x"])
        history.record_download("p", "b", folder=tmp_path / "b", state="downloading", files=[])
        history.record_download("q", "c", folder=tmp_path / "c", state="complete", files=[])
        states = download_states(history, "p")
        assert set(states) == {"a", "b"}
        assert states["a"].done and states["a"].folder == tmp_path / "a"
        assert states["b"].state == "failed" and "interrupted" in (states["b"].message or "")
    finally:
        history.close()


def test_job_partner_from_sets_seen(tmp_path: Path) -> None:
    history = HistoryStore(tmp_path / "h.sqlite3")
    try:
        assert job_partner(history, "job-1") is None
        history.record_output_sets([seen_record(a_set(partner="ea"))])
        assert job_partner(history, "job-1") == "ea"
    finally:
        history.close()


def test_empty_text_names_the_scope() -> None:
    text = empty_text(BrowseFilter("acme", school_year="2026"), lambda p: str(p))
    assert text == (
        "No processed results yet for acme / 2025–26. Results appear a few minutes after a "
        "submission finishes."
    )


def test_root_problem_names_a_file_in_the_way(tmp_path: Path) -> None:
    assert root_problem(tmp_path / "new" / "Runway") is None
    blocker = tmp_path / "blocker"
    blocker.write_bytes(b"")
    problem = root_problem(blocker / "Runway")
    assert problem is not None and f"{blocker} is a file" in problem.message
    assert "Change…" in problem.next_step
