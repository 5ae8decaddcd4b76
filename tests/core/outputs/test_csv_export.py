"""CSV for Excel from downloaded output sets: real sandbox results, the flattening rules, the
formula guard, the BOM, verified downloads only, atomic writing, and a large file streamed."""

from __future__ import annotations

import csv
import io
import json
import os
import tracemalloc
from pathlib import Path

import core_helpers
import pytest
from core_helpers import PROFILE, Core

from runway_desktop.core.outputs.csv_export import (
    CsvExportError,
    convert,
    export_recorded,
    export_set,
    recorded_set,
    verified_set,
)
from runway_desktop.history.store import HistoryStore

anyio_backend = core_helpers.anyio_backend
core = core_helpers.core
BOM = b"\xef\xbb\xbf"


def read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(BOM), data[:10]
    return list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"), newline="")))


def write_jsonl(path: Path, *records: object) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def as_dicts(path: Path) -> list[dict[str, str]]:
    header, *rows = read_csv(path)
    return [dict(zip(header, row, strict=True)) for row in rows]


# -- real sandbox output -------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_real_sandbox_set_becomes_one_readable_csv_per_jsonl(core: Core) -> None:
    result = await core.pipeline().submit(core.map_request(core.csv()))
    assert result.job_uid is not None, result
    (output_set,) = await core.wait_for_sets(result.job_uid)
    download = await core.downloader().download(output_set, core.tmp / "out")
    assert download.ok, download.error
    jsonl = sorted(p for p in download.files if p.suffix == ".jsonl")
    assert jsonl, download.files

    exported = export_set(recorded_set(core.history, PROFILE, output_set.uid))

    assert exported.folder == download.folder
    assert [f.source for f in exported.files] == jsonl
    for made in exported.files:
        assert made.path == made.source.with_suffix(".csv")
        records = [json.loads(line) for line in made.source.read_text().splitlines()]
        rows = as_dicts(made.path)
        assert made.rows == len(rows) == len(records)
        # The CSV's line ends are CRLF, as Excel writes them.
        assert made.path.read_bytes().count(b"\r\n") == len(records) + 1
        if made.source.name != "studentAssessments.jsonl":
            continue
        header = read_csv(made.path)[0]
        assert header == [
            "studentAssessmentIdentifier",
            "assessmentReference.assessmentIdentifier",
            "assessmentReference.namespace",
            "studentReference.studentUniqueId",
            "schoolYearTypeReference.schoolYear",
            "sourceRow",
        ]
        for record, row in zip(records, rows, strict=True):
            assert (
                row["studentReference.studentUniqueId"]
                == record["studentReference"]["studentUniqueId"]
            )
            assert row["schoolYearTypeReference.schoolYear"] == "2026"
            assert row["sourceRow"] == str(record["sourceRow"])
        assert [r["studentReference.studentUniqueId"] for r in rows] == [
            "605000", "605001", "605002"
        ]  # fmt: skip
    # What was downloaded is untouched, and nothing else was left in the folder.
    names = sorted(p.name for p in download.folder.iterdir())
    assert names == sorted([p.name for p in download.files] + [f.path.name for f in exported.files])


# -- the flattening rules ------------------------------------------------------------------


def test_nested_objects_lists_and_scalars_follow_the_documented_rules(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "studentAssessments.jsonl",
        {
            "studentReference": {"studentUniqueId": "605000"},
            "scoreResults": [
                {"assessmentReportingMethodDescriptor": "Scale score", "result": "212"},
                {"assessmentReportingMethodDescriptor": "Percentile", "result": "55"},
            ],
            "gradeLevels": ["9", "10"],
            "accommodations": [],
            "extra": {},
            "retest": None,
            "valid": True,
            "score": 1.10,
            "big": 12345678901234567890,
        },
        {
            "studentReference": {"studentUniqueId": "605001"},
            "scoreResults": [{"result": "190"}, {"result": "40"}, {"result": "7"}],
            "valid": False,
            "late": "new column, seen last",
        },
    )
    source.write_text(source.read_text() + "\n  \n" + "[1, 2]\n", encoding="utf-8")
    made = convert(source, tmp_path / "out.csv")

    header, *rows = read_csv(made.path)
    assert header == [
        "studentReference.studentUniqueId",
        "scoreResults.1.assessmentReportingMethodDescriptor",
        "scoreResults.1.result",
        "scoreResults.2.assessmentReportingMethodDescriptor",
        "scoreResults.2.result",
        "gradeLevels",
        "retest",
        "valid",
        "score",
        "big",
        "scoreResults.3.result",
        "late",
        "value",
    ]
    assert made.rows == 3 and made.columns == len(header)  # the blank line is no row
    first, second, bare = (dict(zip(header, r, strict=True)) for r in rows)
    assert first["scoreResults.2.result"] == "55" and first["gradeLevels"] == "9; 10"
    assert first["retest"] == "" and first["valid"] == "true"
    # Numbers exactly as Runway wrote them: no float rounding, no lost digits.
    assert first["score"] == "1.1" and first["big"] == "12345678901234567890"
    assert first["scoreResults.3.result"] == "" and first["late"] == ""
    assert second["scoreResults.3.result"] == "7" and second["valid"] == "false"
    assert second["scoreResults.1.assessmentReportingMethodDescriptor"] == ""
    assert bare["value"] == "1; 2" and bare["studentReference.studentUniqueId"] == ""


def test_numbers_keep_their_digits(tmp_path: Path) -> None:
    source = tmp_path / "n.jsonl"
    source.write_text('{"a": 1.10, "b": -0.5, "c": 1e3}\n', encoding="utf-8")
    assert as_dicts(convert(source, tmp_path / "n.csv").path) == [
        {"a": "1.10", "b": "-0.5", "c": "1e3"}  # a negative number is no formula
    ]


# -- server text is data -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://evil","click")', '\'=HYPERLINK("http://evil","click")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("  =1+1", "'  =1+1"),
        ("\t=1+1", "' =1+1"),  # the tab becomes a space, and the guard still sees the =
        ("\uff1d1+1", "'\uff1d1+1"),  # full-width =
        ("-5", "-5"),  # text that is only a number cannot be a formula: kept sortable
        ("+3.5e2", "+3.5e2"),
        ("Smith-Jones", "Smith-Jones"),
        ("a\x1b[31mred\x1b[0m\x07", "ared"),
        ("line one\r\nline two", "line one line two"),
        ("Zoë 😀 ثلاثة", "Zoë 😀 ثلاثة"),
    ],
)
def test_cells_are_never_formulas_nor_control_characters(
    tmp_path: Path, text: str, cell: str
) -> None:
    source = write_jsonl(tmp_path / "x.jsonl", {"name": text, "list": [text, "b"]})
    [row] = as_dicts(convert(source, tmp_path / "x.csv").path)
    assert row["name"] == cell
    # A joined list is text, never a number: guarded whatever its first item.
    assert row["list"].lstrip(" ")[:1] not in {"=", "+", "-", "@", "\uff1d"}
    assert row["list"].endswith("; b")


def test_field_names_are_guarded_too(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "x.jsonl", {"=cmd()": 1, "ok": {"@x\x00": 2}})
    header = read_csv(convert(source, tmp_path / "x.csv").path)[0]
    assert header == ["'=cmd()", "ok.@x"]  # "ok." first: not a formula


def test_utf8_with_bom_round_trips_every_character(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "x.jsonl", {"name": 'Ñandú, "quoted"; ünïcödé'})
    target = convert(source, tmp_path / "x.csv").path
    data = target.read_bytes()
    assert data.startswith(BOM) and data.count(BOM) == 1
    assert data.decode("utf-8-sig") == 'name\r\n"Ñandú, ""quoted""; ünïcödé"\r\n'


# -- only verified downloads, written atomically -------------------------------------------


def test_only_complete_and_verified_downloads_are_converted(tmp_path: Path) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    write_jsonl(folder / "checked.jsonl", {"a": 1})
    write_jsonl(folder / "unchecked.jsonl", {"a": 2})  # in the folder, not in the record
    history = HistoryStore(tmp_path / "history.sqlite3")
    try:
        with pytest.raises(CsvExportError, match="not downloaded completely"):
            recorded_set(history, PROFILE, "never")
        for state in ("downloading", "failed"):
            history.record_download(PROFILE, "s1", folder=folder, state=state, files=[])
            with pytest.raises(CsvExportError, match="not downloaded completely"):
                recorded_set(history, PROFILE, "s1")
        history.record_download(
            PROFILE, "s1", folder=folder, state="complete", files=["checked.jsonl"]
        )  # no verification recorded: an old record, or one not to trust
        with pytest.raises(CsvExportError, match="no checked JSONL"):
            recorded_set(history, PROFILE, "s1")
        history.record_download(
            PROFILE, "s1", folder=folder, state="complete",
            files=["checked.jsonl", "unchecked.jsonl"], verification={"checked.jsonl": "size"},
        )  # fmt: skip
        saved = export_recorded(history, PROFILE, ["s1", "never"])
    finally:
        history.close()
    assert [f.path.name for f in saved.results[0].export.files] == ["checked.csv"]  # type: ignore[union-attr]
    assert not (folder / "unchecked.csv").exists()
    assert saved.results[1].error is not None and saved.folder == folder
    text = saved.text()
    assert text.startswith("Could not save 1 output set as CSV: This output set is not")
    assert text.endswith(f"Saved 1 CSV file for Excel (1 rows) in {folder}")


def test_a_missing_file_is_said_plainly(tmp_path: Path) -> None:
    source = verified_set(tmp_path, {"gone.jsonl": "md5"})
    with pytest.raises(CsvExportError, match=r"gone\.jsonl is no longer in"):
        export_set(source)


def test_a_set_file_of_the_csv_name_is_never_replaced(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", {"x": 1})
    (tmp_path / "a.csv").write_bytes(b"the server's own file")
    exported = export_set(verified_set(tmp_path, {"a.jsonl": "md5", "a.csv": "md5"}))
    assert [f.path.name for f in exported.files] == ["a.jsonl.csv"]
    assert (tmp_path / "a.csv").read_bytes() == b"the server's own file"
    into = export_set(verified_set(tmp_path, {"a.jsonl": "md5"}), into=tmp_path / "chosen")
    assert into.folder == tmp_path / "chosen"
    assert as_dicts(tmp_path / "chosen" / "a.csv") == [{"x": "1"}]


def test_a_bad_line_leaves_the_previous_csv_and_no_temporary_file(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", {"x": 1})
    target = convert(source, tmp_path / "a.csv").path
    before = target.read_bytes()
    with source.open("a", encoding="utf-8") as handle:
        handle.write('{"x": 2}\n{"x": \n')
    with pytest.raises(CsvExportError, match=r"Line 3 of a\.jsonl is not a JSON record"):
        convert(source, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.jsonl"]


def test_the_csv_may_be_read_by_whoever_may_read_the_jsonl(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", {"x": 1})
    source.chmod(0o644)
    target = convert(source, tmp_path / "a.csv").path
    if os.name == "posix":
        assert target.stat().st_mode & 0o777 == 0o644


# -- large files stream ---------------------------------------------------------------------


def test_a_large_file_is_streamed_with_flat_memory(tmp_path: Path) -> None:
    lines = 50_000
    source = tmp_path / "studentAssessments.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for n in range(lines):
            record = {
                "studentReference": {"studentUniqueId": f"{600000 + n}"},
                "scoreResults": [{"result": str(n % 300)}, {"result": "=1+1"}],
                "sourceRow": n + 1,
            }
            handle.write(json.dumps(record) + "\n")
    size = source.stat().st_size
    tracemalloc.start()
    try:
        made = convert(source, tmp_path / "big.csv")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert made.rows == lines and made.fits_excel
    # The file is ~6 MB; holding it (or its rows) would take far more than this.
    assert size > 5_000_000 and peak < 2_000_000, (size, peak)
    with made.path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        assert next(reader) == [
            "studentReference.studentUniqueId", "scoreResults.1.result",
            "scoreResults.2.result", "sourceRow",
        ]  # fmt: skip
        last: list[str] = []
        for last in reader:  # noqa: B007 (the last row is the one checked)
            pass
    assert last == [str(600000 + lines - 1), str((lines - 1) % 300), "'=1+1", str(lines)]
