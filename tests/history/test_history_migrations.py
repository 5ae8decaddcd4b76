"""A history database made by 0.1.0 opens in this version with every row it had."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runway_desktop.history.migrations import SCHEMA_VERSION, NewerDatabase
from runway_desktop.history.store import HistoryStore

V010 = Path(__file__).resolve().parent / "data" / "history-0.1.0.sqlite3"


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    copy = tmp_path / "history.sqlite3"
    shutil.copyfile(V010, copy)
    return copy


def test_the_fixture_really_is_a_010_database() -> None:
    db = sqlite3.connect(f"{V010.as_uri()}?mode=ro", uri=True)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = {row[1] for row in db.execute("PRAGMA table_info(submissions)")}
    assert "error_code" not in columns
    db.close()


def test_010_database_opens_with_every_submission_job_and_download(old_db: Path) -> None:
    store = HistoryStore(old_db)
    records = {r.id: r for r in store.submissions()}
    assert sorted(records) == [1, 2, 3, 4]
    assert records[1].job_uid == "11111111-1111-4111-8111-111111111111"
    assert [s.set_uid for s in records[1].sets] == ["22222222-2222-4222-8222-222222222222"]
    assert {f.env_var for f in records[1].files} == {"INPUT_FILE", "INPUT_FILE_DS"}
    assert records[2].orphan_job_possible and records[2].error_kind == "ServerError"
    assert records[3].state == "uploading" and records[3].job_uid is not None
    assert store.downloaded_set_uids("Runway") == {"22222222-2222-4222-8222-222222222222"}
    assert store.watch_cursor("Runway", "acme") is not None
    store.close()
    db = sqlite3.connect(old_db)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_reopening_a_migrated_database_changes_nothing(old_db: Path) -> None:
    HistoryStore(old_db).close()
    store = HistoryStore(old_db)  # no migration runs twice (ALTER TABLE would fail)
    assert len(store.submissions()) == 4
    store.close()


def test_a_newer_database_is_refused_in_plain_words(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(NewerDatabase, match="newer Runway Desktop"):
        HistoryStore(path)


OPEN_AT_ONCE = """
import sys, time
from pathlib import Path
from runway_desktop.history.store import HistoryStore
while time.time() < float(sys.argv[2]):  # all start together
    time.sleep(0.001)
HistoryStore(Path(sys.argv[1])).close()
"""


def open_at_once(path: Path, processes: int = 4) -> int:
    """``processes`` real processes open ``path`` in the same instant; its schema version."""
    start = f"{time.time() + 1.0}"
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AT_ONCE, str(path), start],
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    errors = [run.communicate(timeout=60)[1] for run in runs]
    assert [run.returncode for run in runs] == [0] * processes, errors
    db = sqlite3.connect(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def test_processes_opening_an_old_database_at_once_migrate_it_once(old_db: Path) -> None:
    """The app and a scheduled CLI run may open a 0.1.0 file in the same instant."""
    assert open_at_once(old_db) == SCHEMA_VERSION


def test_processes_creating_a_new_database_at_once_make_it_once(tmp_path: Path) -> None:
    """First start of the app and a scheduled CLI run in the same instant: no file yet."""
    assert open_at_once(tmp_path / "history.sqlite3") == SCHEMA_VERSION
