"""A submission sent as part of a batch names the batch in its History detail, with the
batch's own summary (read off the Qt thread)."""

from __future__ import annotations

import shutil
from pathlib import Path

import history_ui_fixtures
from history_ui_fixtures import WAIT_MS, HistoryUnderTest
from ui_app_helpers import qt_garbage  # noqa: F401  (pytest fixture)
from ui_theme import screenshot

from runway_desktop.core.batch.plan import BatchPlan, PlanItem
from runway_desktop.core.batch.run import BatchRunner, ItemStatus

history = history_ui_fixtures.history


def test_the_detail_names_the_batch_with_its_summary(
    history: HistoryUnderTest, samples_dir: Path, tmp_path: Path
) -> None:
    h = history
    folder = tmp_path / "spring <b>term"  # a folder's name is data: shown as typed
    folder.mkdir()
    math = folder / "math.csv"
    shutil.copyfile(samples_dir / "FastBridge_Math" / "sample_anonymized_file.csv", math)
    item = PlanItem("assessments/FastBridge_Math", "district-b", "2024", {"INPUT_FILE": math})
    runner = BatchRunner(
        h.connection.client, h.services.http, h.services.history, h.connection.profile,
        h.services.registry, record_as=str(folder),
    )  # fmt: skip
    (outcome,) = h.run(runner.run(BatchPlan(folder, "acme", (item,)), "acme"))
    assert outcome.status is ItemStatus.SENT and outcome.submission_id is not None
    alone = h.run(h.make.submit(h.make.map_request("2026")))

    h.refresh()
    assert h.page.select_submission(outcome.submission_id)
    line = h.page.detail.batches
    h.qtbot.waitUntil(line.isVisible, timeout=WAIT_MS)
    assert line.text().startswith(f"Part of Batch #{runner.batch_id}: 1 submission from {folder}")
    assert "1 sent." in line.text()
    assert line.textFormat().name == "PlainText"
    screenshot(h.page, "history-detail-batch")

    assert h.page.select_submission(alone.submission_id)  # in no batch: the line goes
    h.qtbot.waitUntil(lambda: line.reading is not None and line.reading.done(), timeout=WAIT_MS)
    h.qtbot.wait(10)
    assert not line.isVisible()
