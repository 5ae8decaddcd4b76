"""Preflight on the real vendor samples and on a corpus of bad files built in tmp_path."""

from __future__ import annotations

import csv
import gzip
import hashlib
import os
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from runway_desktop.base.resources import samples_dir
from runway_desktop.bundles import (
    MAX_UPLOAD_BYTES,
    InputFile,
    PreflightReport,
    file_changed_since,
    inspect_file,
    preflight_file,
    upload_name,
)
from runway_desktop.bundles.registry import load_snapshot

CSV_SLOT = InputFile("Assessment data", "INPUT_FILE", True, ("csv",))
CSV_OR_TXT_SLOT = InputFile("Assessment data", "INPUT_FILE", True, ("csv", "txt"))
HEADER = "StudentID,First Name,Score\r\n"

# samples/README.md: which bundle slot each sample file belongs to.
SAMPLE_SLOTS = {
    "sample_anonymized_file_psat_10.csv": ("PSAT_SAT", "INPUT_FILE"),
    "sample_anonymized_file_sat.csv": ("PSAT_SAT", "INPUT_FILE"),
    "SR_sample_anonymized_file.csv": ("STAR", "INPUT_FILE"),
    "SR_Dashboard_Standards_v2_sample_anonymized_file.csv": ("STAR", "INPUT_FILE_DS"),
    "SR_SkillArea_v1_sample_anonymized_file.csv": ("STAR", "INPUT_FILE_SA"),
    "sample_anonymized_file.csv": ("MAP_Growth", "INPUT_FILE"),
    "sample_anonymized_file_fastbridge_cbmreading.csv": ("FastBridge_CBMreading", "INPUT_FILE"),
    "sample_anonymized_file_fastbridge_comprehension_question.csv": (
        "FastBridge_CBMreading",
        "INPUT_FILE_COMP_QUESTION",
    ),
    "sample_anonymized_file_fastbridge_comprehension_recall.csv": (
        "FastBridge_CBMreading",
        "INPUT_FILE_COMP_RECALL",
    ),
    "sample_anonymized_file_cbmm_auto.csv": ("FastBridge_CBMmath", "INPUT_FILE"),
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
    return path


def _one_error(report: PreflightReport) -> str:
    assert not report.ok
    assert len(report.errors) == 1, report.errors
    return report.errors[0]


def test_every_sample_is_mapped() -> None:
    # Of these five folders; every practice bundle's files: tests/core/test_practice_files.py.
    folders = {folder for folder, _ in SAMPLE_SLOTS.values()}
    on_disk = [p.name for folder in folders for p in (samples_dir() / folder).glob("*.csv")]
    assert sorted(on_disk) == sorted(SAMPLE_SLOTS)


@pytest.mark.parametrize("name", sorted(SAMPLE_SLOTS))
def test_every_real_sample_passes(name: str) -> None:
    bundle_name, env_var = SAMPLE_SLOTS[name]
    path = samples_dir() / bundle_name / name
    bundle = load_snapshot().get(f"assessments/{bundle_name}")
    assert bundle is not None
    slot = bundle.file(env_var)
    assert slot is not None
    report = inspect_file(path, slot)
    assert report.errors == ()
    assert report.ok
    data = path.read_bytes()
    assert report.size == len(data)
    assert report.md5 == hashlib.md5(data).hexdigest()
    assert report.mtime_ns == path.stat().st_mtime_ns
    assert report.delimiter == ","
    expected_encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    assert report.encoding == expected_encoding
    rows = list(csv.reader(data.decode(expected_encoding).splitlines()))
    assert report.header == tuple(rows[0])
    assert not report.header[0].startswith("\ufeff")  # the BOM is not part of the first name
    assert report.row_count == len([r for r in rows[1:] if any(c.strip() for c in r)])
    assert report.preview[0] == tuple(c[:500] for c in rows[1])
    assert len(report.preview) == min(5, report.row_count)
    assert report.upload_name == name
    assert not any("student ID" in w for w in report.warnings)


def test_bom_samples_are_reported_as_such() -> None:
    bom = [inspect_file(p, CSV_SLOT) for p in samples_dir().rglob("*comprehension*.csv")]
    assert [r.encoding_label for r in bom] == ["UTF-8 with BOM", "UTF-8 with BOM"]


def test_blank_header_names_are_a_warning_not_an_error() -> None:
    (path,) = samples_dir().rglob("sample_anonymized_file_cbmm_auto.csv")
    report = inspect_file(path, CSV_SLOT)
    assert report.ok
    assert any("no name (column 16)" in w for w in report.warnings)


def test_xlsx_renamed_as_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    with zipfile.ZipFile(path, "w") as workbook:
        workbook.writestr("[Content_Types].xml", "<Types/>")
        workbook.writestr("xl/workbook.xml", "<workbook/>")
    error = _one_error(inspect_file(path, CSV_SLOT))
    assert "Excel workbook" in error and "File › Save As › CSV" in error


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "older Excel workbook (.xls)"),
        (
            gzip.compress(HEADER.encode(), mtime=0),
            "compressed (gzip)",
        ),  # mtime=0: same id on every xdist worker
        (("\ufeff" + HEADER + "1,Ann,3\r\n").encode("utf-16-le"), "UTF-16"),
        (b"<!DOCTYPE html><html><table><tr><td>1</td></tr></table>", "web page"),
        (b"StudentID,Score\n1,\x00\x00\x00\n", "binary data"),
    ],
)
def test_other_non_csv_formats_are_refused(tmp_path: Path, data: bytes, words: str) -> None:
    error = _one_error(inspect_file(_write(tmp_path, "scores.csv", data), CSV_SLOT))
    assert words in error


def test_zip_archive_gets_unzip_advice(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("scores.csv", HEADER)
    assert "Unzip it first" in _one_error(inspect_file(path, CSV_SLOT))


def test_empty_file_is_refused(tmp_path: Path) -> None:
    report = inspect_file(_write(tmp_path, "scores.csv", b""), CSV_SLOT)
    assert "empty (0 bytes)" in _one_error(report)
    assert report.size == 0


def test_header_only_file_has_no_data_rows(tmp_path: Path) -> None:
    report = inspect_file(_write(tmp_path, "scores.csv", HEADER), CSV_SLOT)
    assert "has no data rows" in _one_error(report)
    assert report.header == ("StudentID", "First Name", "Score")


def test_only_blank_lines_is_refused(tmp_path: Path) -> None:
    report = inspect_file(_write(tmp_path, "scores.csv", "\r\n\r\n"), CSV_SLOT)
    assert "no column names" in _one_error(report)


def test_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "scores.csv"
    folder.mkdir()
    assert "is a folder" in _one_error(inspect_file(folder, CSV_SLOT))


def test_missing_file_and_broken_shortcut(tmp_path: Path) -> None:
    missing = tmp_path / "gone.csv"
    assert "no longer exists" in _one_error(inspect_file(missing, CSV_SLOT))
    link = tmp_path / "link.csv"
    link.symlink_to(missing)
    assert "shortcut" in _one_error(inspect_file(link, CSV_SLOT))


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file"
)
def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "scores.csv", HEADER + "1,Ann,3\r\n")
    path.chmod(0)
    try:
        assert "permission" in _one_error(inspect_file(path, CSV_SLOT))
    finally:
        path.chmod(0o600)


def test_wrong_extension_names_the_accepted_types(tmp_path: Path) -> None:
    path = _write(tmp_path, "scores.txt", HEADER + "1,Ann,3\r\n")
    error = _one_error(inspect_file(path, CSV_SLOT))
    assert "needs a .csv file" in error and "ends in .txt" in error
    assert inspect_file(path, CSV_OR_TXT_SLOT).ok
    no_extension = _write(tmp_path, "scores", HEADER + "1,Ann,3\r\n")
    assert "has no extension" in _one_error(inspect_file(no_extension, CSV_SLOT))
    upper = _write(tmp_path, "SCORES.CSV", HEADER + "1,Ann,3\r\n")
    assert inspect_file(upper, CSV_SLOT).ok


def test_windows_1252_is_read_and_flagged(tmp_path: Path) -> None:
    text = "StudentID;Prénom;Score\r\n1;José;3\r\n2;Zoë;4\r\n"
    report = inspect_file(_write(tmp_path, "scores.csv", text, encoding="cp1252"), CSV_SLOT)
    assert report.ok
    assert report.encoding == "cp1252" and report.encoding_label == "Windows-1252"
    assert report.delimiter == ";" and report.delimiter_label == "semicolon"
    assert report.header == ("StudentID", "Prénom", "Score")
    assert report.preview[0] == ("1", "José", "3")
    assert any("Windows-1252" in w for w in report.warnings)
    assert any("semicolons" in w for w in report.warnings)


def test_late_non_utf8_byte_restarts_as_windows_1252(tmp_path: Path) -> None:
    # The é sits far beyond the sniffed start, so only the streaming pass meets it.
    body = HEADER + "".join(f"{i},Ann,{i}\r\n" for i in range(20_000)) + "99,Ren\xe9e,1\r\n"
    path = _write(tmp_path, "scores.csv", body, encoding="cp1252")
    report = inspect_file(path, CSV_SLOT)
    assert report.ok and report.encoding == "cp1252"
    assert report.row_count == 20_001
    assert report.md5 == hashlib.md5(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(("delimiter", "name"), [("\t", "tab"), ("|", "pipe")])
def test_other_delimiters_in_txt_files(tmp_path: Path, delimiter: str, name: str) -> None:
    rows = [["StudentID", "Name", "Score"], ["1", "Ann", "3"], ["2", "Bo", "4"]]
    text = "".join(delimiter.join(r) + "\n" for r in rows)
    report = inspect_file(_write(tmp_path, "scores.txt", text), CSV_OR_TXT_SLOT)
    assert report.ok and report.delimiter_label == name
    assert report.row_count == 2
    assert report.warnings == ()  # not a .csv, so another separator is expected


def test_quoted_newlines_count_as_one_row(tmp_path: Path) -> None:
    text = HEADER + '1,"Ann\r\nMarie",3\r\n2,"Bo ""B"" Li",4\r\n3,"Cy\nD",5\r\n'
    report = inspect_file(_write(tmp_path, "scores.csv", text), CSV_SLOT)
    assert report.ok and report.warnings == ()
    assert report.row_count == 3
    assert report.preview[0] == ("1", "Ann\r\nMarie", "3")
    assert report.preview[1] == ("2", 'Bo "B" Li', "4")


def test_old_mac_line_endings(tmp_path: Path) -> None:
    text = "StudentID,Score\r1,3\r2,4\r"
    report = inspect_file(_write(tmp_path, "scores.csv", text), CSV_SLOT)
    assert report.ok and report.row_count == 2


def test_ragged_rows_empty_rows_and_missing_id_are_warnings(tmp_path: Path) -> None:
    text = "Name,Score,\r\nAnn,3\r\nBo,4,x,y\r\nCy,5,\r\n,,\r\n,,\r\n\r\n"
    report = inspect_file(_write(tmp_path, "scores.csv", text), CSV_SLOT)
    assert report.ok and report.row_count == 3
    warnings = " | ".join(report.warnings)
    # "Ann,3" lacks a trailing cell, which is read as empty; "Bo,4,x,y" has values no
    # column name is there for.
    assert "1 row has more values than there are column names" in warnings
    assert "first at row 3" in warnings
    assert "2 rows with no values" in warnings
    assert "1 column in the first row has no name (column 3)" in warnings
    assert "No column looks like a student ID" in warnings


def test_an_unclosed_quote_that_swallows_the_file_is_an_error(tmp_path: Path) -> None:
    body = HEADER + '1,"Ann,3\r\n' + "".join(f"{i},Bo,{i}\r\n" for i in range(20_000))
    report = inspect_file(_write(tmp_path, "scores.csv", body), CSV_SLOT)
    error = _one_error(report)
    assert "Around row 2" in error and "never closed" in error
    assert report.md5 == hashlib.md5(body.encode()).hexdigest()  # still hashed to the end


def test_file_over_five_gigabytes_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(MAX_UPLOAD_BYTES + 1)  # sparse: takes no disk space
    report = inspect_file(path, CSV_SLOT)
    assert "at most 5 GB" in _one_error(report)
    assert report.md5 == ""


def test_large_file_is_streamed_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    line = "12345," + "x" * 200 + ",3\r\n"
    with path.open("w", newline="") as handle:
        handle.write(HEADER)
        for _ in range(10):
            handle.write(line * 10_000)
    size = path.stat().st_size
    assert size > 20 * 1024 * 1024
    tracemalloc.start()
    try:
        report = inspect_file(path, CSV_SLOT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.ok and report.row_count == 100_000
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes for a {size}-byte file"
    assert report.md5 == hashlib.md5(path.read_bytes()).hexdigest()


def test_changed_file_is_noticed(tmp_path: Path) -> None:
    path = _write(tmp_path, "scores.csv", HEADER + "1,Ann,3\r\n")
    report = inspect_file(path, CSV_SLOT)
    assert not file_changed_since(report)
    path.write_text(HEADER + "1,Ann,3\r\n2,Bo,4\r\n")
    assert file_changed_since(report)
    path.unlink()
    assert file_changed_since(report)


@pytest.mark.anyio
async def test_async_wrapper_gives_the_same_report(tmp_path: Path) -> None:
    path = _write(tmp_path, "scores.csv", HEADER + "1,Ann,3\r\n")
    assert await preflight_file(path, CSV_SLOT) == inspect_file(path, CSV_SLOT)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("scores.csv", "scores.csv"),
        ("PSAT 10 (fall) - final_v2.csv", "PSAT 10 (fall) - final_v2.csv"),
        ("scores?.csv", "scores_.csv"),
        ("a;b\\c.csv", "a_b_c.csv"),
        ("Résultats été.csv", "Resultats ete.csv"),
        ("50% done #1.csv", "50_ done _1.csv"),
        ("???.csv", "file.csv"),
        ("..csv", "file.csv"),
        ("README", "README"),
        ("data.tar.gz", "data.tar.gz"),
        ("学生.csv", "file.csv"),
    ],
)
def test_upload_name_is_safe_for_runway(name: str, expected: str) -> None:
    assert upload_name(Path("/tmp") / name) == expected


def test_upload_name_limits_length_and_keeps_the_extension() -> None:
    result = upload_name(Path("x" * 300 + ".csv"))
    assert len(result) == 200 and result.endswith(".csv")
    for name in ("a?b;c.csv", "/", "", " . "):
        cleaned = upload_name(Path(name))
        assert cleaned and not set(cleaned) & set("?;/\\")
