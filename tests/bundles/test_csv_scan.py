"""The streaming scan (``csv_scan``) against the plain csv-module scan it stands for.

``scan_csv`` counts blocks of plain rows with bytes operations (``csv_blocks``) and parses
every other piece with the csv module. ``_reference_scan`` is the straightforward scan (the csv
module over a TextIOWrapper, row by row); both must find exactly the same things, whatever the
read size puts at a chunk's edge.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import random
from pathlib import Path

import pytest

from runway_desktop.bundles import csv_blocks, csv_scan
from runway_desktop.bundles.csv_scan import CsvScan, WrongEncodingError


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _reference_scan(path: Path, encoding: str, delimiter: str) -> CsvScan:
    errors = "replace" if encoding == "cp1252" else "strict"
    scan = CsvScan()
    data = path.read_bytes()
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors=errors, newline="")
    reader = csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True)
    try:
        for row in reader:
            scan.records += 1
            if scan.header is None:
                if row:
                    scan.header = tuple(row)
                continue
            if not row or not any(cell.strip() for cell in row):
                if row:
                    scan.empty_rows += 1
                continue
            scan.row_count += 1
            if len(row) > len(scan.header):
                scan.overlong_rows += 1
                if scan.first_overlong_row is None:
                    scan.first_overlong_row = scan.records
            if len(scan.preview) < csv_scan.PREVIEW_ROWS:
                scan.preview.append(tuple(cell[: csv_scan.PREVIEW_CELL_CHARS] for cell in row))
    except UnicodeDecodeError as exc:
        raise WrongEncodingError(str(exc)) from exc
    except csv.Error as exc:
        scan.parse_error = csv_scan._parse_error_text(exc, scan)
    scan.md5 = hashlib.md5(data).hexdigest()
    scan.bytes_read = len(data)
    return scan


def _both_scans(path: Path, encoding: str, delimiter: str) -> tuple[object, object]:
    results: list[object] = []
    for scan in (_reference_scan, csv_scan.scan_csv):
        try:
            results.append(scan(path, encoding, delimiter))
        except WrongEncodingError:
            results.append(WrongEncodingError)
    return results[0], results[1]


@pytest.fixture(params=[7, 64, 333, 4096, 1 << 20], ids=lambda n: f"read{n}")
def small_reads(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Small reads put chunk boundaries everywhere: inside quotes, between \\r and \\n, …"""
    size: int = request.param
    _small_pieces(monkeypatch, size)
    return size


def _small_pieces(patch: pytest.MonkeyPatch, read_size: int) -> None:
    """Reads of ``read_size``, and chunks the block counter refuses halved down to an eighth
    of that (so the halving cuts land everywhere too)."""
    patch.setattr(csv_scan, "READ_SIZE", read_size)
    patch.setattr(csv_scan, "SNIFF_BYTES", min(read_size, csv_scan.SNIFF_BYTES))
    patch.setattr(csv_scan, "SLOW_PIECE", max(1, read_size // 8))


_ROWS = [f"{600000 + i},Doe{i},Jane{i},2026-03-01,{1100 + i},{500 + i}\n" for i in range(60)]
_PLAIN = "StudentID,LastName,FirstName,TestDate,Total,Reading\n" + "".join(_ROWS)
_QUOTED = "".join(
    ",".join(f'"{cell}"' for cell in line.split(",")) + "\n" for line in _PLAIN.splitlines()
)
# STAR-shaped: plain cells, and a few quoted ones with the delimiter inside (most rows).
_STAR_HEADER = "ClientID,SchoolYear,StudentID,DomainName,Score,StandardDescription,Level\n"
_STAR_ROWS = [
    f'100,2023-2024,{605000 + i},"Language, Craft, and Structure",{i % 90},'
    f'"Cite evidence: explain, compare{i % 3}.",Developing\n'
    if i % 4
    else f"100,2023-2024,{605000 + i},Meaning and Context,{i % 90},Analyze,Secure\n"
    for i in range(200)
]
_STAR = _STAR_HEADER + "".join(_STAR_ROWS)
_STAR_BODY = "".join(_STAR_ROWS)


def _star(*odd: str) -> bytes:
    """The STAR-shaped file with each of the ``odd`` lines among its rows, far apart."""
    return (_STAR + _STAR_BODY.join(odd) + _STAR_BODY).encode()


_EQUIVALENCE_CASES: dict[str, tuple[bytes, str, str]] = {
    "star": (_STAR.encode(), "utf-8", ","),
    "star, crlf": (_STAR.replace("\n", "\r\n").encode(), "utf-8", ","),
    "star, bom": (codecs.BOM_UTF8 + _STAR.encode(), "utf-8-sig", ","),
    "star, curly quotes": (_STAR.replace("Cite", "Author\u2019s").encode(), "utf-8", ","),
    "star, cp1252": (_STAR.replace("Cite", "Author\u2019s").encode("cp1252"), "cp1252", ","),
    "star, late cp1252 byte in a quote": (
        _star('1,2,3,"Author\x92s, x",5,6,7\n'),
        "utf-8",
        ",",
    ),
    "star, quoted newlines": (
        _star('1,2,3,"two\nlines, here",5,"and\r\nthis",7\n', '1,2,3,"\n",5,6,7\n'),
        "utf-8",
        ",",
    ),
    "star, doubled quotes": (
        _star('1,2,3,"say ""hi"", then",5,6,7\n', '1,2,3,"""",5,"""x""",7\n'),
        "utf-8",
        ",",
    ),
    "star, quotes inside cells": (
        _star(
            '1,2,3,ab"c,5,6,7\n',
            '1,2,3,"abc"d,5,6,7\n',
            '1,2," x",4,5,6,7\n',
            '1,2,3,4,5,6,a"b,c"\n',  # 8 cells: the quotes are not a field's
            '1,2,3,4,5,"a"b"c,d"\n',
        ),
        "utf-8",
        ",",
    ),
    "star, ragged": (
        _star("1,2,3\n", "1\n", '1,2,"a,b"\n', "1,2,3,4,5,6,7,8\n", '1,2,3,4,5,6,"a,b",8\n'),
        "utf-8",
        ",",
    ),
    "star, blank rows": (
        _star(
            "\n",
            "\r\n",
            ",,,,,,\n",
            '"",,,"",,,\n',
            '" ",,"\t",,,,\n',
            ' ,"\u00a0",,,\n',
            '",",,,,,,\n',
            '"",,,,,,x\n',
            " x,,,,,,\n",
        ),
        "utf-8",
        ",",
    ),
    "star, lines starting with quotes": (
        _STAR_HEADER.encode() + "".join('"' + r.replace(",", '",', 1) for r in _STAR_ROWS).encode(),
        "utf-8",
        ",",
    ),
    "star, lone carriage returns": (_star("1,2,3\r4,5,6,7\n", "1,2\r\r\n"), "utf-8", ","),
    "star, nul bytes": (_star("1,\x00,3,4,5,6,7\n", '1,"\x00",3,4,5,6,7\n'), "utf-8", ","),
    "star, unclosed quote": (_star('1,2,3,"Language, Craft\n'), "utf-8", ","),
    "star, tabs": (_STAR.replace(",", "\t").encode(), "utf-8", "\t"),
    "plain": (_PLAIN.encode(), "utf-8", ","),
    "crlf": (_PLAIN.replace("\n", "\r\n").encode(), "utf-8", ","),
    "old mac": (_PLAIN.replace("\n", "\r").encode(), "utf-8", ","),
    "mixed endings": (_PLAIN.replace("4,", "4\r").replace("7,", "7\r\n").encode(), "utf-8", ","),
    "bom": (codecs.BOM_UTF8 + _PLAIN.encode(), "utf-8-sig", ","),
    "no final newline": (_PLAIN.rstrip("\n").encode(), "utf-8", ","),
    "quoted newlines": (
        (_PLAIN + '7,"Doe\r\nSmith","a,b",x,"say ""hi""\n\n",9\n' + "".join(_ROWS)).encode(),
        "utf-8",
        ",",
    ),
    "blank and empty rows": (
        (
            _PLAIN + "\n\r\n,,,,,\n , ,\t, , ,\n \u00a0,\u3000,,,,\n" + "".join(_ROWS) + "\n\n"
        ).encode(),
        "utf-8",
        ",",
    ),
    "nbsp rows in cp1252": (
        (_PLAIN + "\xa0,,,,,\n" + "".join(_ROWS)).encode("cp1252"),
        "cp1252",
        ",",
    ),
    "ragged": (
        (_PLAIN + "1,2,3\n" + "".join(_ROWS) + "1,2,3,4,5,6,7\n,x,,,,\n").encode(),
        "utf-8",
        ",",
    ),
    "utf-8 names": (
        (_PLAIN.replace("Doe", "Doé").replace("Jane", "Zoë 李")).encode(),
        "utf-8",
        ",",
    ),
    "cp1252 names": (_PLAIN.replace("Doe", "Doé…").encode("cp1252"), "cp1252", ","),
    "cp1252 undefined byte": (_PLAIN.encode() + b"1,\x81,2,3,4,5\n", "cp1252", ","),
    "late invalid utf-8": (_PLAIN.encode() + "1,Doé,x,y,z,w\n".encode("cp1252"), "utf-8", ","),
    "cut multi-byte at the end": (_PLAIN.encode() + "1,é".encode()[:-1], "utf-8", ","),
    "nul bytes": (_PLAIN.replace("Jane1", "Ja\x00ne").encode(), "utf-8", ","),
    "tabs": (_PLAIN.replace(",", "\t").encode(), "utf-8", "\t"),
    "tabs with blank rows": (
        (_PLAIN.replace(",", "\t") + "\t\t \t\t\t\n" + "".join(_ROWS)).encode(),
        "utf-8",
        "\t",
    ),
    "semicolons": (_PLAIN.replace(",", ";").encode(), "utf-8", ";"),
    "all quoted": (_QUOTED.encode(), "utf-8", ","),
    "all quoted, crlf": (_QUOTED.replace("\n", "\r\n").encode(), "utf-8", ","),
    "all quoted with odd cells": (
        (
            _QUOTED
            + '"1","Doe, Jane","x","a""b","",""\n"2","","",""," ",""\n'
            + '"","","",""," ","\t"\n"3",x"y","z"w,"","",""\n"4"," ""","","","",""\n'
            + '"5","a\nb","","","",""\n1,2,3,4,5\n"6","Zoë\u00a0",,"",,\n'
            + '"7","Doe, Jane","x","y","",""\n" , ","","","","",""\n"8",",",",",,,\n'
            + '\u00a0,"\u00a0",,,,\n'
            + _QUOTED.split("\n", 1)[1]
        ).encode(),
        "utf-8",
        ",",
    ),
    "all quoted semicolons": (_QUOTED.replace(",", ";").encode(), "utf-8", ";"),
    "unclosed quote": ((_PLAIN + '1,"Doe,x,y,z,w\n' + "".join(_ROWS)).encode(), "utf-8", ","),
    "header only": (_PLAIN.splitlines(keepends=True)[0].encode(), "utf-8", ","),
    "blank lines only": (b"\n\r\n\n", "utf-8", ","),
    "one column": (
        ("ID\n" + "".join(f"{i}\n" for i in range(50)) + "\n , \n").encode(),
        "utf-8",
        ",",
    ),
}


@pytest.mark.parametrize("name", sorted(_EQUIVALENCE_CASES))
def test_scan_matches_the_csv_module(tmp_path: Path, small_reads: int, name: str) -> None:
    data, encoding, delimiter = _EQUIVALENCE_CASES[name]
    path = _write(tmp_path, "case.csv", data)
    expected, got = _both_scans(path, encoding, delimiter)
    assert got == expected


def test_scan_matches_on_a_field_over_the_csv_limit(
    tmp_path: Path, small_reads: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = csv.field_size_limit(300)
    try:
        for cell in ("x" * 299, "x" * 300, "x" * 301, "x" * 700):
            data = (_PLAIN + f"1,{cell},a,b,c,d\n" + "".join(_ROWS)).encode()
            path = _write(tmp_path, "long.csv", data)
            expected, got = _both_scans(path, "utf-8", ",")
            assert got == expected, len(cell)
    finally:
        csv.field_size_limit(limit)


_FUZZ_TOKENS = [
    "a", "Doé", "1", "", " ", "\t", "\u00a0", ",", ",", ",", ";", '"', '""', '"x,y"', '"x"',
    '"x",', '," ",', '"",', ',"a""b",',
    '"a\nb"', '"a\r\nb"', "\n", "\n", "\n", "\r\n", "\r\n", "\r", "\x00", "\u3000", "x" * 40,
]  # fmt: skip


@pytest.mark.parametrize("seed", range(40))
def test_scan_matches_on_random_files(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    header = "ID,Name,Score,Date\n"
    good = [f"{i},N{i},{i % 7},2026-01-0{i % 9 + 1}\n" for i in range(rng.randint(0, 400))]
    if seed % 3 == 1:  # every cell quoted (MAP Growth)
        good = [",".join(f'"{c}"' for c in line[:-1].split(",")) + "\n" for line in good]
    elif seed % 3 == 2:  # now and then a quoted cell with the delimiter in it (STAR)
        good = [
            line.replace(f",N{i},", f',"N{i}, x",', 1) if i % 3 else line
            for i, line in enumerate(good)
        ]
    body = good[:]
    for _ in range(rng.randint(0, 12)):  # sprinkle odd lines and tokens in
        junk = "".join(rng.choice(_FUZZ_TOKENS) for _ in range(rng.randint(1, 10)))
        body.insert(rng.randint(0, len(body)), junk)
    text = header + "".join(body)
    encoding = rng.choice(["utf-8", "utf-8-sig", "cp1252"])
    data = (
        text.encode(encoding, errors="replace")
        if encoding != "utf-8-sig"
        else (codecs.BOM_UTF8 + text.encode())
    )
    path = _write(tmp_path, "fuzz.csv", data)
    for read_size in (5, 97, 1024, 1 << 20):
        with pytest.MonkeyPatch.context() as patch:
            _small_pieces(patch, read_size)
            expected, got = _both_scans(path, encoding, ",")
        assert got == expected, (seed, read_size)


def _csv_module_rows(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The rows the csv module parses from now on (the block counter's rows are not in it)."""
    parsed: list[list[str]] = []
    original = csv_scan._Scanner._consume_row

    def spy(self: csv_scan._Scanner, row: list[str]) -> None:
        parsed.append(row)
        original(self, row)

    monkeypatch.setattr(csv_scan._Scanner, "_consume_row", spy)
    return parsed


_FAST_SHAPES = {
    "plain, crlf": _PLAIN.replace("\n", "\r\n") * 20,
    "all quoted, crlf": _QUOTED.replace("\n", "\r\n") * 20,
    "star": _STAR_HEADER + _STAR_BODY * 5,
    "star, crlf": (_STAR_HEADER + _STAR_BODY * 5).replace("\n", "\r\n"),
    "star, curly quotes": (_STAR_HEADER + _STAR_BODY * 5).replace("Cite", "Author\u2019s"),
    "star, rows short of the header": _STAR_HEADER + _STAR_BODY.replace(",Secure", "") * 5,
}


@pytest.mark.parametrize("shape", sorted(_FAST_SHAPES))
def test_plain_chunks_take_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    """The equivalence tests would pass if everything went through the csv module too."""
    monkeypatch.setattr(csv_scan, "READ_SIZE", 1024)
    monkeypatch.setattr(csv_scan, "SNIFF_BYTES", 256)
    parsed = _csv_module_rows(monkeypatch)
    path = _write(tmp_path, "plain.csv", _FAST_SHAPES[shape])
    scan = csv_scan.scan_csv(path, "utf-8", ",")
    assert scan == _reference_scan(path, "utf-8", ",")
    assert scan.row_count > 990 and len(parsed) < 30


@pytest.mark.parametrize(
    "odd",
    [
        '1,2,3,"two\nlines",5,6,7\n',  # the record goes on past the halved chunk's end
        '1,2,3,"say ""hi""",5,6,7\n',
        "1,2,3,4,5,6,7,8,9\n",
        ",,,,,,\n",
    ],
)
def test_one_odd_row_costs_the_csv_module_a_small_piece(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, odd: str
) -> None:
    """A chunk the block counter refuses is halved: the csv module reads little of it."""
    monkeypatch.setattr(csv_scan, "READ_SIZE", 64 * 1024)
    monkeypatch.setattr(csv_scan, "SNIFF_BYTES", 1024)  # the csv module reads the first chunk
    monkeypatch.setattr(csv_scan, "SLOW_PIECE", 2048)
    parsed = _csv_module_rows(monkeypatch)
    body = _STAR_BODY * 20
    path = _write(tmp_path, "odd.csv", _STAR_HEADER + body + odd + body)
    scan = csv_scan.scan_csv(path, "utf-8", ",")
    assert scan == _reference_scan(path, "utf-8", ",")
    assert scan.row_count > 7000 and len(parsed) < 60  # the preview's, and ~2 KiB of rows


def test_the_counter_rests_when_it_refuses_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file the counter can never count (a quoted line end in every row) costs it little."""
    monkeypatch.setattr(csv_scan, "READ_SIZE", 64 * 1024)
    monkeypatch.setattr(csv_scan, "SLOW_PIECE", 4096)
    offered: list[int] = []
    original = csv_blocks.BlockCounter.count

    def spy(self: csv_blocks.BlockCounter, block: bytes) -> int | None:
        offered.append(len(block))
        return original(self, block)

    monkeypatch.setattr(csv_blocks.BlockCounter, "count", spy)
    row = '1,2,3,"two\nlines",5,6,7\n'
    path = _write(tmp_path, "multiline.csv", _STAR_HEADER + row * (8_000_000 // len(row)))
    scan = csv_scan.scan_csv(path, "utf-8", ",")
    assert scan == _reference_scan(path, "utf-8", ",")
    assert 0 < sum(offered) < 0.15 * scan.bytes_read


@pytest.mark.parametrize("read_size", [333, 4096, 1 << 20])
def test_scan_matches_on_the_shipped_samples(
    monkeypatch: pytest.MonkeyPatch, read_size: int
) -> None:
    _small_pieces(monkeypatch, read_size)
    from runway_desktop.bundles.csv_scan import guess_delimiter, initial_encoding

    samples = sorted((Path(__file__).parents[2] / "resources" / "samples").rglob("*.csv"))
    assert len(samples) > 40
    for path in samples:
        head = path.read_bytes()[: csv_scan.SNIFF_BYTES]
        encoding = initial_encoding(head)
        expected, got = _both_scans(path, encoding, guess_delimiter(head, encoding))
        if expected is WrongEncodingError:
            expected, got = _both_scans(path, "cp1252", guess_delimiter(head, "cp1252"))
        assert got == expected, path.name
