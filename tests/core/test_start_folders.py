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
