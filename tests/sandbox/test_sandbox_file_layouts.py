"""The sandbox reads a file the way its bundle does: the column names on the rows the source's
``header_rows`` names (below group labels), joined when there are several, and a fixed-width
text file as records without a header. Its executor finds the bundle's own student-ID column."""

from __future__ import annotations

import io
from pathlib import Path

from runway_desktop.sandbox.bundle_inputs import SlotNeeds, bundle_needs, column_names
from runway_desktop.sandbox.executor import PLAIN, read_table, student_id_column_for

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


def _slot(bundle: str) -> SlotNeeds:
    needs = bundle_needs(f"assessments/{bundle}")
    assert needs is not None
    return needs.slots["INPUT_FILE"]


def _read(path: Path, layout: SlotNeeds) -> tuple[list[str] | None, list[list[str]]]:
    with path.open("rb") as handle:
        return read_table(handle, layout)


def test_names_below_group_labels_are_read_from_the_row_the_bundle_names() -> None:
    circle = _slot("CIRCLE")
    assert circle.header_rows == (2,)  # CIRCLE's earthmover.yaml: header_rows: 3
    header, rows = _read(SAMPLES / "CIRCLE" / "sample_anonymized_file.csv", circle)
    assert header is not None and header[:2] == ["Wave", "School_Year"]
    assert rows and all(row[0].startswith("Wave ") for row in rows)
    assert circle.problem(header) is None
    assert header[student_id_column_for(header, circle) or 0] == "Student_State_ID"
    # Read as a plain file, the group labels would be taken for the names.
    plain_header, _ = _read(SAMPLES / "CIRCLE" / "sample_anonymized_file.csv", PLAIN)
    assert plain_header is not None and student_id_column_for(plain_header, circle) is None


def test_several_header_rows_are_joined_with_their_filled_labels() -> None:
    assert column_names([["", "Reading", "", "Math"], ["ID", "Score", "Date", "Score"]]) == [
        "ID",
        "Reading__Score",
        "Reading__Date",
        "Math__Score",
    ]
    kea = _slot("TX_KEA")
    assert kea.header_rows == (0, 2)
    header, rows = _read(SAMPLES / "TX_KEA" / "sample_anonymized_file.csv", kea)
    assert header is not None and "Student_State_ID" in header
    assert any(name.startswith("KEA_Literacy_Screening Results__") for name in header)
    assert rows and kea.problem(header) is None


def test_a_fixed_width_file_has_no_header_to_judge() -> None:
    cogat = _slot("CogAT")
    assert cogat.fixed_width
    text_file = SAMPLES / "CogAT" / "sample_anonymized_file.txt"
    header, rows = _read(text_file, cogat)
    assert header is None and cogat.problem(header) is None
    lines = [line for line in text_file.read_text(encoding="utf-8-sig").splitlines() if line]
    assert len(rows) == len(lines)
    # The same bundle's CSV export is judged by its columns.
    csv_header, _ = _read(SAMPLES / "CogAT" / "sample_anonymized_file.csv", cogat)
    assert csv_header is not None and cogat.problem(csv_header) is None
    assert cogat.problem(["Student_ID", "Score"]) == "columns not present: Battery, Form, Level"


def test_the_bundles_own_student_id_column_is_preferred() -> None:
    # "stateid" does not look like an ID column to the generic rule; the bundle names it.
    layout = _slot("SC_Performance_Task_Assessment")
    header, _ = read_table(io.BytesIO(b"testadmin,stateid,districtid\nSP25,604821,1234\n"), layout)
    assert header is not None and student_id_column_for(header, layout) == 1
    assert student_id_column_for(header, PLAIN) is None
