"""Identification of vendor files by header: every sample the bundle authors ship, as given and
as districts' exports vary it (renamed, reordered, re-cased, BOM, other delimiters and
encodings, quoted, columns dropped), must be recognised as its own bundle and slot, and no file
may be judged to fit another bundle's slot. Run with -s to see the accuracy summary."""

from __future__ import annotations

import csv
import io
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest

from runway_desktop.bundles.identify import (
    MATCH_THRESHOLD,
    HeaderSample,
    Verdict,
    column_key,
    detect_school_years,
    identify,
    judge_slot,
    parse_date,
    parse_school_year,
    read_header_sample,
    school_year_of_date,
)
from runway_desktop.bundles.signatures import (
    SignatureIndex,
    SlotSignature,
    default_index_path,
    load_index,
)

SNAPSHOT = Path(__file__).resolve().parents[2].parent / "shared/bundles/earthmover_edfi_bundles"
needs_snapshot = pytest.mark.skipif(
    not (SNAPSHOT / "assessments").is_dir(),
    reason=f"the bundle snapshot ({SNAPSHOT}) is not beside the repository",
)
FITTING = {Verdict.FITS, Verdict.FITS_BUT_MISSING}


@dataclass(frozen=True)
class Sample:
    slot: SlotSignature
    path: Path

    @property
    def label(self) -> str:
        return f"{self.slot.bundle}:{self.slot.env_var}:{self.path.name}"


@pytest.fixture(scope="module")
def index() -> SignatureIndex:
    return load_index(default_index_path())


@pytest.fixture(scope="module")
def samples(index: SignatureIndex) -> list[Sample]:
    found = []
    for slot in index.iter_slots():
        folder = SNAPSHOT / "assessments" / slot.bundle.split("/", 1)[1] / "data"
        found += [Sample(slot, folder / layout.file) for layout in slot.layouts]
    return found


def _write(
    path: Path,
    header: HeaderSample,
    columns: list[int],
    *,
    names: Callable[[str], str],
    delimiter: str,
    encoding: str,
    quoting: Literal[0, 1, 2, 3] = csv.QUOTE_MINIMAL,
) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    writer.writerow([names(header.columns[i]) for i in columns])
    for row in header.rows[:5]:
        writer.writerow([row[i] if i < len(row) else "" for i in columns])
    path.write_bytes(out.getvalue().encode(encoding, errors="replace"))
    return path


def _recase(name: str) -> str:
    # Vendors' and spreadsheet tools' ways of writing the same name.
    styles = (str.upper, str.lower, lambda n: f"  {n.replace(' ', '   ')} ", str.title)
    return styles[len(name) % len(styles)](name)


def _droppable(slot: SlotSignature, header: HeaderSample) -> list[int]:
    """Up to three columns the bundle uses but can do without (others if it has none)."""
    keep = {column_key(c) for c in (*slot.required, *slot.student_id_columns)}
    used = {column_key(c) for c in slot.used}
    free = [i for i, c in enumerate(header.columns) if column_key(c) and column_key(c) not in keep]
    return sorted(free, key=lambda i: (column_key(header.columns[i]) not in used, i))[:3]


def variants(sample: Sample, header: HeaderSample, folder: Path) -> dict[str, Path]:
    """The sample as districts may send it, written to `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    renamed = folder / f"export (3){sample.path.suffix}"
    shutil.copyfile(sample.path, renamed)
    out = {"given": sample.path, "renamed": renamed}
    if header.fixed_width:
        return out
    everything = list(range(len(header.columns)))
    shuffled = everything[1::2] + everything[::2]
    dropped = set(_droppable(sample.slot, header))
    same: Callable[[str], str] = str
    out["reordered+recased+BOM"] = _write(
        folder / "a.csv", header, shuffled[::-1], names=_recase, delimiter=",", encoding="utf-8-sig"
    )
    out["tab+UTF-16"] = _write(
        folder / "b.txt", header, everything, names=same, delimiter="\t", encoding="utf-16"
    )
    out["semicolon+cp1252"] = _write(
        folder / "c.csv", header, shuffled, names=same, delimiter=";", encoding="cp1252"
    )
    out["quoted+pipe"] = _write(
        folder / "d.csv",
        header,
        everything,
        names=same,
        delimiter="|",
        encoding="utf-8",
        quoting=csv.QUOTE_ALL,
    )
    out["columns dropped"] = _write(
        folder / "e.csv",
        header,
        [i for i in everything if i not in dropped],
        names=same,
        delimiter=",",
        encoding="utf-8",
    )
    return out


@needs_snapshot
def test_every_sample_is_identified_as_its_own_bundle_and_slot(
    index: SignatureIndex, samples: list[Sample], tmp_path: Path
) -> None:
    started = time.perf_counter()
    tried: Counter[str] = Counter()
    right: Counter[str] = Counter()
    wrong: list[str] = []
    for number, sample in enumerate(samples):
        given = read_header_sample(sample.path)
        for kind, path in variants(sample, given, tmp_path / str(number)).items():
            header = read_header_sample(path)
            best = identify(index, header.columns, include_unlisted=True)[0]
            tried[kind] += 1
            if (best.bundle, best.env_var) == (sample.slot.bundle, sample.slot.env_var):
                right[kind] += 1
                assert best.confidence >= MATCH_THRESHOLD
            else:
                wrong.append(f"{sample.label} [{kind}] -> {best.bundle}:{best.env_var}")
            verdict = judge_slot(index, sample.slot.bundle, sample.slot.env_var, header.columns)
            assert verdict.verdict in FITTING, (sample.label, kind, verdict)
            if kind == "columns dropped" and verdict.verdict is Verdict.FITS_BUT_MISSING:
                assert verdict.missing_optional
    total, hits = sum(tried.values()), sum(right.values())
    per_kind = ", ".join(f"{k} {right[k]}/{n}" for k, n in tried.items())
    print(
        f"\nidentify: {hits}/{total} = {hits / total:.1%} of {len(samples)} samples in "
        f"{len(tried)} variants ({per_kind}) in {time.perf_counter() - started:.2f} s"
    )
    # Every sample, registry or not, has distinguishing columns: no exceptions are needed.
    assert wrong == []


@needs_snapshot
def test_a_file_in_another_slot_is_never_judged_to_fit(
    index: SignatureIndex, samples: list[Sample]
) -> None:
    verdicts: Counter[str] = Counter()
    fitted = []
    slots = list(index.iter_slots())
    for sample in samples:
        header = read_header_sample(sample.path).columns
        for slot in slots:
            if slot is sample.slot:
                continue
            judged = judge_slot(index, slot.bundle, slot.env_var, header)
            verdicts[judged.verdict.value] += 1
            if judged.verdict in FITTING:
                fitted.append(f"{sample.label} fits {slot.bundle}:{slot.env_var}")
            if judged.verdict is Verdict.OTHER_BUNDLE:
                assert judged.other is not None and judged.message
                assert (judged.other.bundle, judged.other.env_var) == (
                    sample.slot.bundle,
                    sample.slot.env_var,
                )
    print(
        f"\nwrong slot: {sum(verdicts.values())} judgements, "
        + ", ".join(f"{k} {n}" for k, n in sorted(verdicts.items()))
    )
    assert fitted == []


@needs_snapshot
def test_judgements_name_what_is_missing(index: SignatureIndex, samples: list[Sample]) -> None:
    star = next(
        s for s in samples if s.slot.bundle == "assessments/STAR" and s.slot.env_var == "INPUT_FILE"
    )
    header = list(read_header_sample(star.path).columns)
    required = star.slot.required[0]
    without = [c for c in header if column_key(c) != column_key(required)]
    judged = judge_slot(index, "assessments/STAR", "INPUT_FILE", without)
    assert judged.verdict is Verdict.MISSING_REQUIRED
    assert judged.missing_required == (required,) and required in judged.message
    no_ids = {column_key(c) for c in star.slot.student_id_columns}
    judged = judge_slot(
        index, "assessments/STAR", "INPUT_FILE", [c for c in header if column_key(c) not in no_ids]
    )
    assert judged.verdict is Verdict.MISSING_REQUIRED
    assert judged.missing_student_id == star.slot.student_id_columns
    map_growth = next(s for s in samples if s.slot.bundle == "assessments/MAP_Growth")
    judged = judge_slot(
        index, "assessments/STAR", "INPUT_FILE", read_header_sample(map_growth.path).columns
    )
    assert judged.verdict is Verdict.OTHER_BUNDLE and judged.other is not None
    assert judged.message.startswith("This looks like a MAP Growth Assessment file, not")


def test_unknown_headers_and_slots(index: SignatureIndex) -> None:
    none = identify(index, ["Name", "Favourite colour", "Shoe size"])[0]
    assert (none.bundle, none.env_var) == (None, None)
    assert identify(index, [])[0].bundle is None
    judged = judge_slot(index, "assessments/STAR", "INPUT_FILE", ["Name", "Favourite colour"])
    assert judged.verdict is Verdict.UNKNOWN
    assert judge_slot(index, "assessments/Nope", "INPUT_FILE", ["a"]).verdict is Verdict.UNKNOWN


@needs_snapshot
def test_school_years_are_read_from_each_sample(
    index: SignatureIndex, samples: list[Sample]
) -> None:
    # The years the samples' own year and date columns show (checked by hand once).
    expected = {
        "assessments/STAR:INPUT_FILE:SR_sample_anonymized_file.csv": {2024},
        "assessments/MAP_Growth:INPUT_FILE:sample_anonymized_file.csv": {2022},
        "assessments/MVPA:INPUT_FILE:sample_anonymized_file.csv": {2025},
        "assessments/CIRCLE:INPUT_FILE:sample_anonymized_file.csv": {2024},
        "assessments/EOCEP:INPUT_FILE:sample_anonymized_file_EOCEP.csv": {2024},
        "assessments/Beacon:INPUT_FILE:sample_anonymized_file_25_26.csv": {2026},
        "assessments/KRA:INPUT_FILE:KRA_sample_file_deidentified.csv": {2023},
    }
    with_years = 0
    for sample in samples:
        header = read_header_sample(sample.path)
        years = detect_school_years(
            index, sample.slot.bundle, sample.slot.env_var, header.columns, header.rows
        )
        with_years += bool(years)
        assert all(1990 < y < 2030 for y in years), sample.label
        if sample.label in expected:
            assert years == expected[sample.label], sample.label
    print(f"\nschool years found in {with_years}/{len(samples)} samples")
    assert with_years >= len(samples) * 2 // 3


@pytest.mark.parametrize(
    ("value", "year"),
    [
        ("2023-2024", 2024),
        ("2023-24", 2024),
        ("23-24", 2024),
        ("Fall 2023-2024", 2024),
        ("2024", 2024),
        ("2024-25", 2025),
        ("2023-10-05", None),
        ("10/5/2023", None),
        ("x", None),
    ],
)
def test_parse_school_year(value: str, year: int | None) -> None:
    assert parse_school_year(value) == year


@pytest.mark.parametrize(
    ("value", "year"),
    [
        ("2023-10-05", 2024),
        ("2024-03-01", 2024),
        ("10/5/2023", 2024),
        ("6/30/2024", 2024),
        ("7/1/2024", 2025),
        ("10/05/23", 2024),
        ("2023-08-23T13:07:55.097Z", 2024),
        ("9/12/2023 9:08", 2024),
        ("20231214", 2024),
        ("10122023", 2024),
        ("", None),
        ("n/a", None),
        ("13/45/2023", None),
    ],
)
def test_test_dates_give_the_school_year_they_end(value: str, year: int | None) -> None:
    day = parse_date(value)
    assert (school_year_of_date(day) if day else None) == year


def test_read_header_sample_normalises_what_vendors_vary(tmp_path: Path) -> None:
    text = '"Student ID";" Test  Date ";Score\r\n1;10/05/2023;3\r\n2;2024-03-01;4\r\n'
    for encoding in ("utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        header = read_header_sample(path)
        assert header.delimiter == ";" and header.complete
        assert [column_key(c) for c in header.columns] == ["studentid", "testdate", "score"]
        assert header.rows == (("1", "10/05/2023", "3"), ("2", "2024-03-01", "4"))
    assert column_key("\ufeffStudent_ID") == column_key("student id") == column_key("StudentID")
    cp = tmp_path / "cp.csv"
    cp.write_bytes("Élève,Année\r\nx,y\r\n".encode("cp1252"))
    assert read_header_sample(cp).columns == ("Élève", "Année")


def test_read_header_sample_reads_a_bounded_prefix(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    row = b"605000,2023-10-05,Some School Name,42,Reading,Grade 3,Winter\n"
    with big.open("wb") as handle:
        handle.write(b"StudentID,TestDate,School,Score,Subject,Grade,Season\n")
        handle.seek(1024**3)  # a sparse 1 GiB file: only the prefix exists on disk
        handle.write(row)
    with big.open("r+b") as handle:
        handle.seek(55)
        handle.write(row * 20_000)
    started = time.perf_counter()
    header = read_header_sample(big, max_rows=50)
    assert time.perf_counter() - started < 0.5
    assert not header.complete and len(header.rows) == 50
    assert header.columns[0] == "StudentID"
