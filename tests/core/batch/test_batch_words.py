"""A batch's words follow the installed language, as the GUI installs it (the command line
keeps English): the status words, each item's outcome sentence and the batch's summary, with
the values in them (ids, paths, state words) filled in unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import core_helpers
import pytest
from core_helpers import Core
from test_batch_run import math_item, runner

from runway_desktop.base.words import install_lookup
from runway_desktop.core.batch.plan import BatchPlan, PlanItem
from runway_desktop.core.batch.run import STATUS_WORDS, ItemOutcome, ItemStatus, outcome_text
from runway_desktop.core.batch.summary import summarize
from runway_desktop.core.submission_state import SubmissionState, state_label
from runway_desktop.history.records import utc_now

pytestmark = pytest.mark.anyio
anyio_backend = core_helpers.anyio_backend
core = core_helpers.core


def marked(context: str, source: str) -> str:
    return f"«{source}»"


@pytest.fixture
def lookup() -> Iterator[None]:
    install_lookup(marked)
    try:
        yield
    finally:
        install_lookup(None)


def test_the_status_words_are_read_in_the_installed_language(lookup: None) -> None:
    assert STATUS_WORDS[ItemStatus.ALREADY_SENT] == "«already sent»"
    assert dict(STATUS_WORDS.items())[ItemStatus.FAILED] == "«failed»"
    assert STATUS_WORDS.source(ItemStatus.FAILED) == "failed"
    install_lookup(None)
    assert STATUS_WORDS[ItemStatus.ALREADY_SENT] == "already sent"  # English again


def test_an_outcome_sentence_fills_its_values_into_the_translated_text(
    lookup: None, tmp_path: Path
) -> None:
    item = PlanItem("assessments/STAR", "district-a", "2024", {"INPUT_FILE": tmp_path / "a.csv"})
    resumed = ItemOutcome(
        1, item, ItemStatus.RESUMED, submission_id=7, job_uid="j-1", already_started=True
    )
    assert outcome_text(resumed) == (
        "««job {job} (submission #{number})»; Runway had already started it, so it was not "
        "started again.»"
    ).replace("{job}", "j-1").replace("{number}", "7")
    skipped = ItemOutcome(
        2, item, ItemStatus.ALREADY_SENT, reason="Sent on 2 Dec.", state=SubmissionState.PROCESSED
    )
    assert outcome_text(skipped) == f"«Sent on 2 Dec. {state_label(SubmissionState.PROCESSED)}.»"
    assert state_label(SubmissionState.PROCESSED) == "«Processed»"


async def test_a_run_and_its_summary_speak_the_installed_language(core: Core, lookup: None) -> None:
    unknown = PlanItem("assessments/Nope", "district-a", "2026", {"INPUT_FILE": core.tmp / "x"})
    batch = runner(core)
    batch.record_as = str(core.tmp)
    outcomes = await batch.run(BatchPlan(core.tmp, "acme", (math_item(core.tmp), unknown)), "acme")
    assert outcome_text(outcomes[0]).startswith("«job ")
    refused = outcome_text(outcomes[1])
    assert refused == "«There is no assessment {path!r} in the bundle registry.»".format(
        path="assessments/Nope"
    )
    (record,) = core.history.batches()
    summary = summarize(record, core.history, utc_now())
    assert summary.outcomes == {"«sent»": 1, "«failed»": 1}
    assert summary.title.startswith(f"«Batch #{record.id}: ")
    assert str(core.tmp) in summary.title  # the folder, as it is
    assert summary.state_text.startswith("«Now: ")


async def test_without_a_language_the_words_are_english(core: Core) -> None:
    outcomes = await runner(core).run(BatchPlan(core.tmp, "acme", (math_item(core.tmp),)), "acme")
    assert outcome_text(outcomes[0]) == (
        f"job {outcomes[0].job_uid} (submission #{outcomes[0].submission_id})"
    )
    assert STATUS_WORDS[outcomes[0].status] == "sent"
