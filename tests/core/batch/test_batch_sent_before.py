"""Before sending a plan: was each item sent already (its files' MD5s, the same target)?"""

from __future__ import annotations

import os
from pathlib import Path

import core_helpers
import pytest
from core_helpers import PARTNER, Core, md5_of

from runway_desktop.bundles.preflight import inspect_file
from runway_desktop.bundles.registry import load_snapshot
from runway_desktop.core.batch import sent_before as sent_before_module
from runway_desktop.core.batch.plan import PlanItem
from runway_desktop.core.batch.sent_before import (
    HashingStopped,
    file_md5,
    item_md5s,
    recorded_md5,
    sent_before,
)

pytestmark = pytest.mark.anyio
anyio_backend = core_helpers.anyio_backend
core = core_helpers.core


def test_the_md5_is_the_one_the_file_check_records(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_bytes(core_helpers.CSV)
    bundle = load_snapshot().get("assessments/MAP_Growth")
    assert bundle is not None and (input_file := bundle.file("INPUT_FILE")) is not None
    assert file_md5(path) == md5_of(path) == inspect_file(path, input_file).md5
    assert file_md5(tmp_path / "gone.csv") == ""  # unreadable: nothing to compare
    with pytest.raises(HashingStopped):
        file_md5(path, stop=lambda: True)


async def test_an_item_sent_before_says_when(core: Core) -> None:
    path = core.csv("scores.csv")
    item = PlanItem("assessments/MAP_Growth", "district-a", "2026", {"INPUT_FILE": path})
    known: dict[Path, str] = {}
    md5s = item_md5s(item, known)
    assert known == {path: md5_of(path)}
    assert sent_before(core.history, core.registry, PARTNER, item, md5s) is None

    result = await core.pipeline().submit(core.map_request(path))
    assert result.ok
    record = core.history.get(result.submission_id)
    assert record is not None
    text = sent_before(core.history, core.registry, PARTNER, item, md5s, now=record.created_at)
    assert text is not None and text.startswith(
        "These files were already sent for MAP Growth Assessment, district-a, 2025–26 on "
    )
    assert text.endswith(f"(submission #{result.submission_id}).")
    # Another target, or other files: not these.
    elsewhere = PlanItem("assessments/MAP_Growth", "district-b", "2026", {"INPUT_FILE": path})
    assert sent_before(core.history, core.registry, PARTNER, elsewhere, md5s) is None
    assert sent_before(core.history, core.registry, PARTNER, item, ["0" * 32]) is None
    unknown = PlanItem("assessments/Nope", "district-a", "2026", {"INPUT_FILE": path})
    assert sent_before(core.history, core.registry, PARTNER, unknown, md5s) is None


async def test_history_vouches_for_a_sent_file_that_has_not_changed(core: Core) -> None:
    """Sent and started: its MD5 comes from History, the file is not read; touched, or never
    sent, it is read."""
    path = core.csv("scores.csv")
    item = PlanItem("assessments/MAP_Growth", "district-a", "2026", {"INPUT_FILE": path})
    assert recorded_md5(path, core.history.sent_file_md5s()) is None  # never sent
    result = await core.pipeline().submit(core.map_request(path))
    assert result.ok
    sent = core.history.sent_file_md5s()
    assert recorded_md5(path, sent) == md5_of(path)

    def unread(_path: Path, _stop: object = None) -> str:
        raise AssertionError("read, though History vouches for it")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sent_before_module, "file_md5", unread)
        assert item_md5s(item, sent=sent) == [md5_of(path)]
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1))  # to the nanosecond
    assert recorded_md5(path, sent) is None
    assert recorded_md5(core.tmp / "gone.csv", sent) is None
