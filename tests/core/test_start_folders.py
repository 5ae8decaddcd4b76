"""Where a file dialog starts (core/start_folders.py)."""

from __future__ import annotations

from pathlib import Path

from runway_desktop.core.start_folders import StartFolders


def test_documents_first_then_the_slots_own_folder_then_the_last_one(tmp_path: Path) -> None:
    documents, spring, star = tmp_path / "Documents", tmp_path / "spring", tmp_path / "star"
    for folder in (documents, spring, star):
        folder.mkdir()
    folders = StartFolders(documents)
    assert folders.start_for("INPUT_FILE") == documents
    folders.remember("INPUT_FILE", spring / "map.csv")
    assert folders.start_for("INPUT_FILE") == spring
    assert folders.start_for("INPUT_FILE_DS") == spring  # the last folder used, for any slot
    folders.remember("INPUT_FILE_DS", star / "dashboard.csv")
    assert folders.start_for("INPUT_FILE") == spring  # each slot keeps its own
    assert folders.start_for("INPUT_FILE_SA") == star


def test_without_a_documents_folder_it_is_home(tmp_path: Path) -> None:
    assert StartFolders().documents().is_dir()


def test_kept_across_restarts_and_a_folder_gone_since_is_skipped(tmp_path: Path) -> None:
    documents, spring, star = tmp_path / "Documents", tmp_path / "spring", tmp_path / "star"
    for folder in (documents, spring, star):
        folder.mkdir()
    kept = tmp_path / "config" / "start_folders.json"
    kept.parent.mkdir()
    first = StartFolders(documents, path=lambda: kept)
    first.remember("INPUT_FILE", spring / "map.csv")
    first.remember("INPUT_FILE_DS", star / "dashboard.csv")
    first.flush()

    again = StartFolders(documents, path=lambda: kept)  # the next start of the app
    again.preload()
    again.flush()
    assert again.start_for("INPUT_FILE") == spring
    assert again.start_for("INPUT_FILE_SA") == star
    star.rmdir()
    assert again.start_for("INPUT_FILE_DS") == documents  # gone: the last one is gone too


def test_a_damaged_file_means_documents(tmp_path: Path) -> None:
    kept = tmp_path / "start_folders.json"
    kept.write_text("{not json", encoding="utf-8")
    folders = StartFolders(tmp_path, path=lambda: kept)
    folders.preload()
    folders.flush()
    assert folders.start_for("INPUT_FILE") == tmp_path
