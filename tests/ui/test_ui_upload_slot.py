"""UploadSlot with real drag-and-drop events, the real preflight and the real vendor samples."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from ui_dnd import drag, drop_files, file_mime, text_mime, url_mime

from runway_desktop.bundles import Bundle, InputFile, PreflightReport, preflight_file
from runway_desktop.bundles.registry import load_snapshot
from runway_desktop.ui.submit import upload_slot as upload_slot_module
from runway_desktop.ui.submit.upload_slot import UploadSlot

CSV_TXT_SLOT = InputFile("Assessment data", "INPUT_FILE", True, ("csv", "txt"))
EXCEL_ADVICE = (
    "This slot takes CSV files; scores.xlsx is an Excel workbook. "
    "Open it in Excel and use File › Save As › CSV."
)


def _bundle(name: str) -> Bundle:
    bundle = load_snapshot().get(f"assessments/{name}")
    assert bundle is not None
    return bundle


def _slot_of(bundle: str, env_var: str) -> InputFile:
    found = _bundle(bundle).file(env_var)
    assert found is not None
    return found


@pytest.fixture
def make_slot(qtbot: QtBot) -> Callable[[InputFile], UploadSlot]:
    def make(input_file: InputFile) -> UploadSlot:
        slot = UploadSlot(input_file)
        qtbot.addWidget(slot)
        slot.resize(640, 300)
        slot.show()
        qtbot.waitExposed(slot)
        return slot

    return make


def _wait_checked(qtbot: QtBot, slot: UploadSlot) -> PreflightReport:
    qtbot.waitUntil(lambda: slot.report() is not None and not slot.is_checking(), timeout=10000)
    report = slot.report()
    assert report is not None
    return report


def _error_text(slot: UploadSlot) -> str:
    return slot._errors.text() if slot._errors.isVisibleTo(slot) else ""


def _warning_text(slot: UploadSlot) -> str:
    return slot._warnings.text() if slot._warnings.isVisibleTo(slot) else ""


def test_an_empty_slot_says_what_it_wants(make_slot: Callable[[InputFile], UploadSlot]) -> None:
    slot = make_slot(_slot_of("STAR", "INPUT_FILE_DS"))
    assert slot._title.text() == "Dashboard standards"
    assert slot._need.text() == "Optional · CSV file"
    assert slot.browse_button.text() == "Browse…"
    assert slot.browse_button.isVisible()
    assert not slot.remove_button.isVisible()
    assert slot.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert slot.path() is None and slot.report() is None and not slot.is_checking()
    assert "Dashboard standards, optional" in slot.accessibleName()

    other = make_slot(CSV_TXT_SLOT)
    assert other._need.text() == "Required · CSV or TXT file"


STAR_FILES = {
    "INPUT_FILE": "SR_sample_anonymized_file.csv",
    "INPUT_FILE_DS": "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
    "INPUT_FILE_SA": "SR_SkillArea_v1_sample_anonymized_file.csv",
}
FASTBRIDGE_FILES = {
    "INPUT_FILE": "sample_anonymized_file_fastbridge_cbmreading.csv",
    "INPUT_FILE_COMP_QUESTION": "sample_anonymized_file_fastbridge_comprehension_question.csv",
    "INPUT_FILE_COMP_RECALL": "sample_anonymized_file_fastbridge_comprehension_recall.csv",
}
DROPS = [("STAR", env, name) for env, name in STAR_FILES.items()] + [
    ("FastBridge_CBMreading", env, name) for env, name in FASTBRIDGE_FILES.items()
]


@pytest.mark.parametrize(("bundle", "env_var", "name"), DROPS)
def test_a_sample_dropped_on_its_slot_is_checked_and_previewed(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    make_slot: Callable[[InputFile], UploadSlot],
    samples_dir: Path,
    bundle: str,
    env_var: str,
    name: str,
) -> None:
    slot = make_slot(_slot_of(bundle, env_var))
    path = samples_dir / bundle / name
    checking: list[bool] = []
    changed: list[str] = []
    slot.checkingChanged.connect(checking.append)
    slot.fileChanged.connect(changed.append)

    result = drop_files(slot, [path])

    assert result.accepted
    assert slot.path() == path
    assert slot.is_checking()
    assert slot._details.text() == "Checking…"
    report = _wait_checked(qtbot, slot)
    assert report.ok, report.errors
    assert checking == [True, False]
    assert changed == [env_var, env_var]
    assert slot._file_name.full_text() == name
    details = slot._details.text()
    assert f"{report.row_count} data rows" in details
    assert "KB" in details
    assert "comma-separated" in details
    assert slot.preview.isVisibleTo(slot)
    assert 1 <= slot.preview.rowCount() <= 5
    assert slot.preview.columnCount() == min(8, len(report.header))
    header_item = slot.preview.horizontalHeaderItem(0)
    assert header_item is not None and header_item.text() == (report.header[0] or "(column 1)")
    assert _error_text(slot) == ""
    assert slot._status.text().startswith("✓")
    assert slot.remove_button.isVisible()


def test_size_and_rows_read_as_people_say_them(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    make_slot: Callable[[InputFile], UploadSlot],
    tmp_path: Path,
) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("StudentID,Score\n" + "".join(f"{i},{i % 40}\n" for i in range(2000)))
    slot = make_slot(CSV_TXT_SLOT)
    slot.set_file(path)
    report = _wait_checked(qtbot, slot)
    assert report.row_count == 2000
    assert path.stat().st_size == 14_406
    assert slot._details.text() == "14.4 KB · 2,000 data rows · UTF-8, comma-separated"


@pytest.mark.parametrize(
    ("make_paths", "message"),
    [
        (lambda d: [d / "Results"], "That is a folder. Drop the CSV file inside it."),
        (lambda d: [d / "a.csv", d / "b.csv"], "Drop one file at a time."),
        (lambda d: [d / "scores.xlsx"], EXCEL_ADVICE),
        (lambda d: [d / "scores.txt"], "This slot takes CSV files; scores.txt is a text file."),
    ],
    ids=["folder", "two-files", "xlsx", "txt-on-csv-slot"],
)
def test_a_wrong_drop_is_refused_while_hovering_and_says_why(
    make_slot: Callable[[InputFile], UploadSlot],
    tmp_path: Path,
    make_paths: Callable[[Path], list[Path]],
    message: str,
) -> None:
    (tmp_path / "Results").mkdir()
    for name in ("a.csv", "b.csv", "scores.txt"):
        (tmp_path / name).write_text("StudentID,Score\n1,2\n")
    (tmp_path / "scores.xlsx").write_bytes(b"PK\x03\x04" + bytes(200))
    slot = make_slot(_slot_of("MAP_Growth", "INPUT_FILE"))

    result = drop_files(slot, make_paths(tmp_path))

    assert not result.enter_accepted
    assert not result.dropped
    assert slot.path() is None
    assert slot.refusal_text().startswith(message)
    assert message in _error_text(slot)
    assert not slot._drop_area.property("dragActive")


def test_links_and_plain_text_are_refused(make_slot: Callable[[InputFile], UploadSlot]) -> None:
    slot = make_slot(CSV_TXT_SLOT)
    assert not drag(slot, url_mime(["https://example.org/scores.csv"])).enter_accepted
    assert "That is a link, not a file on this computer" in slot.refusal_text()
    assert not drag(slot, text_mime("StudentID,Score")).enter_accepted
    assert slot.refusal_text().startswith("Only files can be dropped here.")


def test_a_good_drag_after_a_refusal_clears_the_message_and_highlights(
    make_slot: Callable[[InputFile], UploadSlot], tmp_path: Path
) -> None:
    slot = make_slot(CSV_TXT_SLOT)
    drop_files(slot, [tmp_path / "a.pdf"])
    assert slot.refusal_text()
    good = tmp_path / "good.txt"
    good.write_text("StudentID\n1\n")
    result = drag(slot, file_mime([good]), drop=False)
    assert result.enter_accepted
    assert slot.refusal_text() == ""
    assert slot._drop_area.property("dragActive") is True


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("excel.csv", b"PK\x03\x04" + bytes(300), "This is an Excel workbook (.xlsx)"),
        ("header_only.csv", b"StudentID,Score\r\n", "This file has no data rows"),
        ("empty.csv", b"", "This file is empty (0 bytes)"),
    ],
)
def test_bad_content_shows_the_preflight_error_in_red(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    make_slot: Callable[[InputFile], UploadSlot],
    tmp_path: Path,
    name: str,
    content: bytes,
    expected: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    slot = make_slot(_slot_of("STAR", "INPUT_FILE"))
    assert drop_files(slot, [path]).accepted
    _wait_checked(qtbot, slot)
    report = _wait_checked(qtbot, slot)
    assert not report.ok
    assert expected in _error_text(slot)
    assert _error_text(slot).startswith("✗ ")
    assert slot._errors.objectName() == "SlotError"
    assert not slot._status.isVisibleTo(slot)


def test_warnings_show_in_amber_and_the_file_can_still_be_sent(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    make_slot: Callable[[InputFile], UploadSlot],
    tmp_path: Path,
) -> None:
    path = tmp_path / "semicolons.csv"
    path.write_text("StudentID;Score\n1;2\n3;4\n", encoding="utf-8")
    slot = make_slot(CSV_TXT_SLOT)
    slot.set_file(path)
    report = _wait_checked(qtbot, slot)
    assert report.ok and report.warnings
    assert "separated by semicolons" in _warning_text(slot)
    assert slot._warnings.objectName() == "SlotWarning"
    assert slot._status.text() == "✓ This file can be sent. Please read the notes below."


def test_browse_uses_the_dialog_with_a_type_filter(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    make_slot: Callable[[InputFile], UploadSlot],
    samples_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chosen = samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"
    calls: list[tuple[str, str]] = []
    started_in: list[str] = []

    def fake_choose(parent: object, title: str, filter: str, start_in: str = "") -> str:
        calls.append((title, filter))
        started_in.append(start_in)
        return str(chosen) if len(calls) > 1 else ""  # the first time, the clerk cancels

    monkeypatch.setattr(upload_slot_module, "choose_file", fake_choose)
    slot = make_slot(_slot_of("MAP_Growth", "INPUT_FILE"))
    QTest.mouseClick(slot.browse_button, Qt.MouseButton.LeftButton)
    assert slot.path() is None
    QTest.mouseClick(slot.browse_button, Qt.MouseButton.LeftButton)
    assert calls[0] == (
        "Choose the file for “Assessment data”",
        "CSV files (*.csv *.CSV);;All files (*)",
    )
    assert slot.path() == chosen
    _wait_checked(qtbot, slot)
    assert slot.replace_button.isVisible()
    # Never the folder the app was started from; next time, where the last file came from.
    assert started_in[0] and Path(started_in[0]).resolve() != Path.cwd().resolve()
    QTest.mouseClick(slot.replace_button, Qt.MouseButton.LeftButton)
    assert started_in[-1] == str(chosen.parent)


def test_keyboard_enter_browses_and_delete_removes(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    make_slot: Callable[[InputFile], UploadSlot],
    samples_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chosen = samples_dir / "STAR" / "SR_SkillArea_v1_sample_anonymized_file.csv"
    opened: list[str] = []

    def fake_choose(parent: object, title: str, filter: str, start_in: str = "") -> str:
        opened.append(title)
        return str(chosen)

    monkeypatch.setattr(upload_slot_module, "choose_file", fake_choose)
    slot = make_slot(_slot_of("STAR", "INPUT_FILE_SA"))
    slot.setFocus()
    qtbot.waitUntil(slot.hasFocus)
    QTest.keyClick(slot, Qt.Key.Key_Return)
    assert opened and slot.path() == chosen
    _wait_checked(qtbot, slot)

    with qtbot.waitSignal(slot.fileChanged, timeout=1000) as signal:
        QTest.keyClick(slot, Qt.Key.Key_Delete)
    assert signal.args == ["INPUT_FILE_SA"]
    assert slot.path() is None and slot.report() is None
    assert not slot.preview.isVisibleTo(slot)

    QTest.keyClick(slot, Qt.Key.Key_Space)
    assert len(opened) == 2
    _wait_checked(qtbot, slot)
    QTest.keyClick(slot, Qt.Key.Key_Backspace)
    assert slot.path() is None


def test_remove_button_clears_the_file(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    make_slot: Callable[[InputFile], UploadSlot],
    samples_dir: Path,
) -> None:
    slot = make_slot(_slot_of("MAP_Growth", "INPUT_FILE"))
    slot.set_file(samples_dir / "MAP_Growth" / "sample_anonymized_file.csv")
    _wait_checked(qtbot, slot)
    QTest.mouseClick(slot.remove_button, Qt.MouseButton.LeftButton)
    assert slot.path() is None
    assert slot.browse_button.isVisible()


def test_a_stale_check_is_ignored_when_another_file_was_chosen(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    make_slot: Callable[[InputFile], UploadSlot],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slow, quick = tmp_path / "slow.csv", tmp_path / "quick.csv"
    for path in (slow, quick):
        path.write_text("StudentID\n1\n")
    release = asyncio.Event()

    async def fake_preflight(
        path: Path, input_file: InputFile, progress: Callable[[float], None] | None = None
    ) -> PreflightReport:
        if path == slow:
            await release.wait()  # a 1 GB file, still being read
        return await preflight_file(path, input_file, progress)

    monkeypatch.setattr(upload_slot_module, "preflight_file", fake_preflight)
    slot = make_slot(CSV_TXT_SLOT)
    checking: list[bool] = []
    slot.checkingChanged.connect(checking.append)
    slot.set_file(slow)
    slow_task = slot._task
    slot.set_file(quick)
    report = _wait_checked(qtbot, slot)
    assert report.path == quick
    assert slow_task is not None and slow_task.cancelled()
    release.set()
    qtbot.wait(50)
    assert slot.report() is report
    assert checking == [True, False]


def test_clear_while_checking_stops_checking(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    make_slot: Callable[[InputFile], UploadSlot],
    samples_dir: Path,
) -> None:
    slot = make_slot(_slot_of("MAP_Growth", "INPUT_FILE"))
    checking: list[bool] = []
    slot.checkingChanged.connect(checking.append)
    slot.set_file(samples_dir / "MAP_Growth" / "sample_anonymized_file.csv")
    slot.clear()
    qtbot.wait(100)
    assert checking == [True, False]
    assert slot.report() is None and not slot.is_checking()


def test_a_server_error_shows_until_the_file_changes(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    make_slot: Callable[[InputFile], UploadSlot],
    samples_dir: Path,
) -> None:
    slot = make_slot(_slot_of("PSAT_SAT", "INPUT_FILE"))
    slot.set_file(samples_dir / "PSAT_SAT" / "sample_anonymized_file_sat.csv")
    _wait_checked(qtbot, slot)
    slot.set_server_error("The upload of this file did not finish.")
    assert "Runway said: The upload of this file did not finish." in _error_text(slot)
    assert not slot._status.isVisibleTo(slot)
    slot.set_file(samples_dir / "PSAT_SAT" / "sample_anonymized_file_psat_10.csv")
    assert slot.server_error() is None
    assert _error_text(slot) == ""
    _wait_checked(qtbot, slot)


def test_practice_files_fill_the_slot(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    make_slot: Callable[[InputFile], UploadSlot],
    samples_dir: Path,
) -> None:
    slot = make_slot(_slot_of("PSAT_SAT", "INPUT_FILE"))
    assert not slot._practice_button.isVisible()
    files = sorted((samples_dir / "PSAT_SAT").glob("*.csv"))
    slot.set_practice_files(files)
    assert slot._practice_button.isVisible()
    assert slot._practice_button.text() == "Use practice file ▾"
    actions = slot.practice_menu().actions()
    assert [a.text() for a in actions] == [p.name for p in files]
    actions[1].trigger()
    assert slot.path() == files[1]
    _wait_checked(qtbot, slot)
    slot.set_practice_files([])
    assert not slot._practice_button.isVisible()


def test_locked_while_sending(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    make_slot: Callable[[InputFile], UploadSlot],
    samples_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"
    monkeypatch.setattr(upload_slot_module, "choose_file", lambda *_: pytest.fail("browsed"))
    slot = make_slot(_slot_of("MAP_Growth", "INPUT_FILE"))
    slot.set_file(path)
    _wait_checked(qtbot, slot)
    slot.set_enabled_for_submit(False)
    assert not slot.remove_button.isEnabled() and not slot.replace_button.isEnabled()
    assert not drop_files(slot, [path]).enter_accepted
    slot.setFocus()
    QTest.keyClick(slot, Qt.Key.Key_Delete)
    QTest.keyClick(slot, Qt.Key.Key_Return)
    assert slot.path() == path
    assert slot.refusal_text() == ""
    slot.set_enabled_for_submit(True)
    assert slot.remove_button.isEnabled()
    assert drop_files(slot, [path]).accepted
    _wait_checked(qtbot, slot)


def test_another_bundles_file_is_a_red_error_and_never_reads_can_be_sent(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    make_slot: Callable[[InputFile], UploadSlot],
    samples_dir: Path,
) -> None:
    slot = make_slot(_slot_of("STAR", "INPUT_FILE"))
    assert drop_files(slot, [samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"]).accepted
    report = _wait_checked(qtbot, slot)
    assert not report.ok
    assert _error_text(slot) == (
        "✗ This looks like a MAP Growth Assessment file, not Star Assessments. Choose MAP Growth "
        "Assessment as the assessment, or pick the Star Assessments export."
    )
    assert not slot._status.isVisibleTo(slot)
    assert "can be sent" not in slot._status.text() + _warning_text(slot)
    # Shown as given: column or file names with markup in them stay text.
    assert slot._errors.textFormat() == Qt.TextFormat.PlainText


def test_a_file_from_another_school_year_is_an_amber_warning_naming_both_years(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    make_slot: Callable[[InputFile], UploadSlot],
    samples_dir: Path,
) -> None:
    slot = make_slot(_slot_of("STAR", "INPUT_FILE"))
    slot.set_school_year("2026")
    slot.set_file(samples_dir / "STAR" / "SR_sample_anonymized_file.csv")
    report = _wait_checked(qtbot, slot)
    assert report.ok
    assert _warning_text(slot).startswith(
        "⚠ This file's school year is 2023–24; you chose 2025–26."
    )
    assert slot._status.text() == "⚠ Check the school year before sending this file."
    assert slot._status.objectName() == "SlotWarning"
    # Choosing the file's year takes the warning away and gives the green tick back.
    slot.set_school_year("2024")
    assert _warning_text(slot) == ""
    assert slot._status.text() == "✓ This file looks right and is ready to send."
    assert slot._status.objectName() == "SlotOk"


def test_an_unrecognised_file_asks_for_a_look_instead_of_a_tick(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    make_slot: Callable[[InputFile], UploadSlot],
    tmp_path: Path,
) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("StudentID,Score,Teacher\n1,3,Ms A\n2,4,Mr B\n", encoding="utf-8")
    slot = make_slot(_slot_of("STAR", "INPUT_FILE"))
    slot.set_file(path)
    assert _wait_checked(qtbot, slot).ok
    assert slot._status.text().startswith("⚠ Check this file before sending")
    assert "does not look like the “Overall assessment data” file" in _warning_text(slot)


def test_a_big_file_shows_how_far_its_check_got_and_remove_stops_it(
    make_slot: Callable[[InputFile], UploadSlot],
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    samples_dir: Path,
) -> None:
    # ~150 MB of MAP Growth rows: its scan in the worker process takes about a second.
    sample = samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"
    header, *rows = sample.read_bytes().splitlines(True)
    block = b"".join(rows) * 500
    big = tmp_path / "map_whole_district.csv"
    with big.open("wb") as out:
        out.write(header)
        while out.tell() < 150 * 10**6:
            out.write(block)
    slot = make_slot(_slot_of("MAP_Growth", "INPUT_FILE"))
    try:
        slot.set_file(big)
        assert slot._details.text() == "Checking…"  # nothing measured yet
        qtbot.waitUntil(
            lambda: (
                slot._details.text().startswith("Checking… ")
                and slot._details.text().endswith(" %")
            ),
            timeout=20_000,
        )
        # Remove while it is checked: the scan stops, and nothing of it is shown later.
        slot.remove_button.click()
        assert not slot.is_checking() and slot.path() is None and slot.report() is None
        qtbot.wait(300)
        assert slot.report() is None and slot._details.text() != "Checking…"
    finally:
        big.unlink()
