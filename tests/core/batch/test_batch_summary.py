"""A batch run is kept in History with each item's outcome; its summary says what the run did
and what became of its submissions since, in the words of the one state model."""

from __future__ import annotations

import core_helpers
import pytest
from core_helpers import Core
from test_batch_run import math_item, runner, star_item, statuses

from runway_desktop.core.batch.plan import BatchPlan, PlanItem
from runway_desktop.core.batch.run import ItemStatus
from runway_desktop.core.batch.summary import summarize
from runway_desktop.core.submission_state import SubmissionState
from runway_desktop.history.records import utc_now

pytestmark = pytest.mark.anyio
anyio_backend = core_helpers.anyio_backend
core = core_helpers.core


async def test_a_run_is_kept_as_a_batch_with_its_summary(core: Core) -> None:
    unknown = PlanItem("assessments/Nope", "district-a", "2026", {"INPUT_FILE": core.tmp / "x"})
    items = (star_item(core.tmp), math_item(core.tmp), unknown)
    plan = BatchPlan(core.tmp, "acme", items)
    batch = runner(core)
    batch.record_as = str(core.tmp)
    first = await batch.run(plan, "acme")
    assert statuses(first) == [ItemStatus.SENT, ItemStatus.SENT, ItemStatus.FAILED]

    (record,) = core.history.batches()
    assert record.id == batch.batch_id and record.finished_at is not None
    assert [i.submission_id for i in record.items] == [first[0].submission_id,
                                                      first[1].submission_id, None]  # fmt: skip
    assert record.items[0].label == "Star Assessments, district-a, 2023–24"
    assert record.items[2].message and "no assessment" in record.items[2].message
    summary = summarize(record, core.history, utc_now())
    assert summary.outcomes == {"sent": 2, "failed": 1}
    assert summary.states == {SubmissionState.WAITING: 2}
    text = summary.text()
    assert text.startswith(f"Batch #{record.id}: 3 submissions from {core.tmp}, ")
    assert "2 sent, 1 failed. Now: Started — waiting for Runway (2)." in text

    # Sent again: a batch of its own, whose items name the submissions sent the first time.
    again = runner(core)
    again.record_as = str(core.tmp)
    await again.run(plan, "acme")
    newest, oldest = core.history.batches()
    assert oldest.id == record.id and newest.id == again.batch_id
    assert [i.submission_id for i in newest.items][:2] == [i.submission_id for i in record.items][
        :2
    ]
    assert summarize(newest, core.history, utc_now()).outcomes == {"already sent": 2, "failed": 1}
    assert [b.id for b in core.history.batches_of(first[0].submission_id or 0)] == [
        newest.id, oldest.id
    ]  # fmt: skip


async def test_without_a_source_no_batch_is_kept(core: Core) -> None:
    await runner(core).run(BatchPlan(core.tmp, "acme", (math_item(core.tmp),)), "acme")
    assert core.history.batches() == []
