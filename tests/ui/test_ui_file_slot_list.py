"""FileSlotList: slots built from a bundle, and several files dropped at once placed by name."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from pytestqt.qtbot import QtBot
from ui_dnd import drag, drop_files, file_mime, text_mime

from runway_desktop.bundles import Bundle, InputFile
from runway_desktop.bundles.registry import load_snapshot
from runway_desktop.ui.submit.file_slot_list import FileSlotList
from runway_desktop.ui.submit.upload_slot import UploadSlot


def _bundle(name: str) -> Bundle:
    bundle = load_snapshot().get(f"assessments/{name}")
    assert bundle is not None
    return bundle


@pytest.fixture
def slot_list(qtbot: QtBot) -> FileSlotList:
    widget = FileSlotList()
    qtbot.addWidget(widget)
    widget.resize(700, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _free_spot(widget: FileSlotList) -> QPoint:
    """A point on the list that is not on any slot (its hint line)."""
    return widget._hint.geometry().center()


def _wait_checked(qtbot: QtBot, widget: FileSlotList) -> None:
    qtbot.waitUntil(lambda: not widget.is_checking(), timeout=10000)


def _slot(widget: FileSlotList, env_var: str) -> UploadSlot:
    slot = widget.slot(env_var)
    assert slot is not None
    return slot


def test_one_slot_per_input_file_required_first(slot_list: FileSlotList) -> None:
    slot_list.set_bundle(_bundle("STAR"))
    assert [s.env_var for s in slot_list.slots()] == [
        "INPUT_FILE",
        "INPUT_FILE_DS",
        "INPUT_FILE_SA",
    ]
    assert slot_list._hint.isVisible()

    optional_first = Bundle(
        "Made up",
        "assessments/Made_up",
        (
            InputFile("Extra", "INPUT_FILE_X", False, ("csv",)),
            InputFile("Main", "INPUT_FILE", True, ("csv",)),
            InputFile("Other", "INPUT_FILE_Y", False, ("csv",)),
        ),
        (),
    )
    slot_list.set_bundle(optional_first)
    assert [s.env_var for s in slot_list.slots()] == ["INPUT_FILE", "INPUT_FILE_X", "INPUT_FILE_Y"]

    slot_list.set_bundle(_bundle("MAP_Growth"))
    assert [s.env_var for s in slot_list.slots()] == ["INPUT_FILE"]
    assert not slot_list._hint.isVisible()
    slot_list.set_bundle(None)
    assert slot_list.slots() == [] and slot_list.files() == {}


@pytest.mark.parametrize("seed", range(3))
def test_the_three_star_files_dropped_together_land_in_their_slots(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    slot_list: FileSlotList,
    samples_dir: Path,
    seed: int,
) -> None:
    slot_list.set_bundle(_bundle("STAR"))
    files = sorted((samples_dir / "STAR").glob("*.csv"))
    random.Random(seed).shuffle(files)

    with qtbot.waitSignal(slot_list.filesChanged, timeout=1000):
        result = drag(slot_list, file_mime(files), at=_free_spot(slot_list))

    assert result.accepted
    assert slot_list.message_text() == "3 files placed."
    assert slot_list.is_checking()
    _wait_checked(qtbot, slot_list)
    star = samples_dir / "STAR"
    assert slot_list.files() == {
        "INPUT_FILE": star / "SR_sample_anonymized_file.csv",
        "INPUT_FILE_DS": star / "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
        "INPUT_FILE_SA": star / "SR_SkillArea_v1_sample_anonymized_file.csv",
    }
    assert set(slot_list.reports()) == {"INPUT_FILE", "INPUT_FILE_DS", "INPUT_FILE_SA"}
    assert all(report.ok for report in slot_list.reports().values())
    assert slot_list.problems_text() == ""


def test_several_files_dropped_on_a_slot_are_placed_by_the_list(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, slot_list: FileSlotList, samples_dir: Path
) -> None:
    slot_list.set_bundle(_bundle("FastBridge_CBMreading"))
    files = sorted((samples_dir / "FastBridge_CBMreading").glob("*.csv"))
    target = _slot(slot_list, "INPUT_FILE_COMP_RECALL")

    result = drop_files(target, files)

    assert result.accepted
    assert target.refusal_text() == ""  # the slot lets the list handle it, without a complaint
    _wait_checked(qtbot, slot_list)
    assert {env: p.name for env, p in slot_list.files().items()} == {
        "INPUT_FILE": "sample_anonymized_file_fastbridge_cbmreading.csv",
        "INPUT_FILE_COMP_QUESTION": "sample_anonymized_file_fastbridge_comprehension_question.csv",
        "INPUT_FILE_COMP_RECALL": "sample_anonymized_file_fastbridge_comprehension_recall.csv",
    }


def test_what_could_not_be_placed_is_said_in_plain_words(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    slot_list: FileSlotList,
    samples_dir: Path,
    tmp_path: Path,
) -> None:
    slot_list.set_bundle(_bundle("STAR"))
    xlsx = tmp_path / "scores.xlsx"
    xlsx.write_bytes(b"PK\x03\x04" + bytes(100))
    folder = tmp_path / "More results"
    folder.mkdir()
    star = samples_dir / "STAR"
    files = [star / "SR_sample_anonymized_file.csv", xlsx, folder]

    assert drag(slot_list, file_mime(files), at=_free_spot(slot_list)).accepted

    assert slot_list.message_text() == (
        "1 file placed.\n"
        "Could not place More results: That is a folder. Drop the CSV file inside it.\n"
        "Could not place scores.xlsx: This assessment takes CSV files; scores.xlsx is an "
        "Excel workbook. Open it in Excel and use File › Save As › CSV."
    )
    assert slot_list._message.property("kind") == "warning"
    _wait_checked(qtbot, slot_list)
    assert list(slot_list.files()) == ["INPUT_FILE"]


def test_two_psat_files_for_one_slot_are_not_guessed(
    slot_list: FileSlotList, samples_dir: Path
) -> None:
    slot_list.set_bundle(_bundle("PSAT_SAT"))
    files = sorted((samples_dir / "PSAT_SAT").glob("*.csv"))
    assert drop_files(slot_list, files).accepted  # on the slot itself: it hands them on
    assert slot_list.files() == {}
    assert "“Assessment data” takes one file" in slot_list.message_text()


def test_one_file_dropped_beside_the_slots_goes_to_the_required_slot(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, slot_list: FileSlotList, samples_dir: Path
) -> None:
    slot_list.set_bundle(_bundle("STAR"))
    path = samples_dir / "STAR" / "SR_sample_anonymized_file.csv"
    assert drag(slot_list, file_mime([path]), at=_free_spot(slot_list)).accepted
    assert slot_list.files() == {"INPUT_FILE": path}
    assert slot_list.message_text() == "1 file placed."
    _wait_checked(qtbot, slot_list)


def test_one_wrong_file_over_a_slot_is_the_slots_to_refuse(
    slot_list: FileSlotList, tmp_path: Path
) -> None:
    slot_list.set_bundle(_bundle("STAR"))
    xlsx = tmp_path / "scores.xlsx"
    xlsx.write_bytes(b"PK\x03\x04")
    slot = _slot(slot_list, "INPUT_FILE_DS")

    result = drop_files(slot, [xlsx])

    assert not result.enter_accepted
    assert slot.refusal_text().startswith("This slot takes CSV files; scores.xlsx is an Excel")
    assert slot_list.message_text() == ""
    assert slot_list.files() == {}


def test_text_drags_are_refused_with_a_reason(slot_list: FileSlotList) -> None:
    slot_list.set_bundle(_bundle("STAR"))
    result = drag(slot_list, text_mime("hello"), at=_free_spot(slot_list))
    assert not result.enter_accepted
    assert slot_list.message_text().startswith("Only files can be dropped here.")


def test_a_filled_slot_is_not_overwritten_by_a_multi_drop(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, slot_list: FileSlotList, samples_dir: Path
) -> None:
    slot_list.set_bundle(_bundle("STAR"))
    star = samples_dir / "STAR"
    main = star / "SR_sample_anonymized_file.csv"
    _slot(slot_list, "INPUT_FILE").set_file(main)
    skill = star / "SR_SkillArea_v1_sample_anonymized_file.csv"
    other = star / "SR_Dashboard_Standards_v2_sample_anonymized_file.csv"
    drag(slot_list, file_mime([skill, other]), at=_free_spot(slot_list))
    _wait_checked(qtbot, slot_list)
    assert slot_list.files() == {"INPUT_FILE": main, "INPUT_FILE_SA": skill, "INPUT_FILE_DS": other}


def test_problems_text_names_the_slot_and_the_problem(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, slot_list: FileSlotList, tmp_path: Path
) -> None:
    slot_list.set_bundle(_bundle("STAR"))
    header_only = tmp_path / "SR_SkillArea.csv"
    header_only.write_text("StudentIdentifier,SkillArea\n")
    _slot(slot_list, "INPUT_FILE_SA").set_file(header_only)
    _wait_checked(qtbot, slot_list)
    assert slot_list.problems_text().startswith("“Skill area”: This file has no data rows")


def test_set_bundle_again_starts_empty(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, slot_list: FileSlotList, samples_dir: Path
) -> None:
    bundle = _bundle("MAP_Growth")
    slot_list.set_bundle(bundle)
    _slot(slot_list, "INPUT_FILE").set_file(
        samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"
    )
    assert slot_list.is_checking()
    # "Submit another" keeps the assessment and clears the files; a running check is dropped.
    slot_list.set_bundle(bundle)
    assert slot_list.files() == {} and not slot_list.is_checking()
    qtbot.wait(100)
    assert slot_list.reports() == {}


def test_locked_list_takes_no_drops(slot_list: FileSlotList, samples_dir: Path) -> None:
    slot_list.set_bundle(_bundle("STAR"))
    slot_list.set_enabled_for_submit(False)
    files = sorted((samples_dir / "STAR").glob("*.csv"))
    assert not drag(slot_list, file_mime(files), at=_free_spot(slot_list)).enter_accepted
    assert not drop_files(_slot(slot_list, "INPUT_FILE"), files[:1]).enter_accepted
    assert slot_list.files() == {}
    # A bundle chosen while locked comes up locked too.
    slot_list.set_bundle(_bundle("FastBridge_CBMreading"))
    assert not _slot(slot_list, "INPUT_FILE").browse_button.isEnabled()


def test_a_wrong_file_stops_the_submission_with_what_it_looks_like(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, slot_list: FileSlotList, samples_dir: Path
) -> None:
    slot_list.set_bundle(_bundle("STAR"))
    _slot(slot_list, "INPUT_FILE").set_file(
        samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"
    )
    _wait_checked(qtbot, slot_list)
    assert slot_list.problems_text() == (
        "“Overall assessment data”: This looks like a MAP Growth Assessment file, not Star "
        "Assessments. Choose MAP Growth Assessment as the assessment, or pick the Star "
        "Assessments export."
    )


def test_the_school_year_reaches_every_slot_including_new_ones(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, slot_list: FileSlotList, samples_dir: Path
) -> None:
    slot_list.set_school_year("2026")
    slot_list.set_bundle(_bundle("MAP_Growth"))
    _slot(slot_list, "INPUT_FILE").set_file(
        samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"
    )
    _wait_checked(qtbot, slot_list)
    note = _slot(slot_list, "INPUT_FILE").messages().year
    assert note is not None and note.mismatch and "2021–22; you chose 2025–26" in note.message
    slot_list.set_school_year("2022")
    assert _slot(slot_list, "INPUT_FILE").messages().year is None
