"""The block counter on its own: what it counts, and every kind of block it leaves to the csv
module (``test_csv_scan`` checks the whole scan against the csv module)."""

from __future__ import annotations

import csv

import pytest

from runway_desktop.bundles.csv_blocks import DENSE_QUOTES, BlockCounter

ROW = b'100,2023-2024,605000,"Language, Craft, and Structure",84,"Cite, compare.",Developing\n'
WIDTH = 7


def _counter(width: int = WIDTH, delimiter: bytes = b",", limit: int = 131072) -> BlockCounter:
    return BlockCounter(delimiter, width, limit, lambda block: block.decode("utf-8"))


def _csv_rows(block: bytes) -> list[list[str]]:
    return list(csv.reader(block.decode("utf-8", "replace").splitlines(keepends=True)))


@pytest.mark.parametrize(
    "block",
    [
        ROW * 50,
        ROW.replace(b"\n", b"\r\n") * 50,
        b"1,2,3,4,5,6,7\n" * 50,
        b"1,2,3\n1\n" + ROW,  # rows shorter than the header
        b'"1","a, b","","","","",""\n' * 50,  # every cell quoted: the regex
        b'"1","a, b",""\n"2"\n' * 50,  # ... rows shorter than the header too
        b'"Zo\xc3\xab",2,"\xe2\x80\x99",4\n' * 10,  # UTF-8 in and out of quotes
        b'"a",2,3\n' + b'"",x,"\t"\n',  # a quoted first cell; a row with one solid byte
        b"x\x00y,2\n",  # the csv module reads NUL bytes as any other (Python >= 3.11)
    ],
)
def test_counts_what_the_csv_module_reads_as_rows(block: bytes) -> None:
    rows = _csv_rows(block)
    assert all(any(c.strip() for c in r) and len(r) <= WIDTH for r in rows)
    assert _counter().count(block) == len(rows)


@pytest.mark.parametrize(
    "block",
    [
        ROW[:-1],  # no line end: the file's last line, or a cut
        ROW + b"\n",  # an empty line: a [] record, not a row
        ROW + b"\r\n" + ROW,
        ROW + b",,,,,,\n",  # blank rows: the scan counts them apart
        ROW + b' ,"", \t ,"\xc2\xa0",,,\n',
        ROW + b'",",,,,,,\n',  # not blank, but the counter does not look inside quotes
        ROW + b"1,2,3,4,5,6,7,8\n",  # wider than the header
        ROW + b'1,2,3,4,5,6,"7,8",9\n',
        ROW + b"1\r2,3\n",  # a lone \r ends a line
        ROW + b"1,2\r\r\n",
        ROW + b'1,"two\nlines",3\n',  # a quoted line end
        ROW + b'1,"a""b",3\n',  # a doubled quote
        ROW + b'1,"""",3\n',
        ROW + b'1,ab"c,3\n',  # a quote inside a plain cell
        ROW + b'1,a"b,c",3\n',
        ROW + b'1,"ab"c,3\n',  # text after a closing quote
        ROW + b'1, "ab",3\n',
        ROW + b'1,"ab" ,3\n',
        ROW + b'1,"unclosed,3\n',
    ],
)
def test_leaves_every_other_block_to_the_csv_module(block: bytes) -> None:
    assert _counter().count(block) is None


def test_dense_blocks_are_refused_alike() -> None:
    dense = b'"1","2","3","4","5","6","7"\n'
    assert dense.count(b'"') > len(dense) * DENSE_QUOTES
    counter = _counter()
    assert counter.count(dense * 20) == 20
    for odd in (b'"1","a""b"\n', b'"1","a\nb"\n', b'"1",x"y\n', b'"1","x"y\n', b",,,\n",
                b'"","","",""\n', dense[:-1] + b',"8"\n', b'"1"\r"2"\n'):  # fmt: skip
        assert counter.count(dense * 5 + odd + dense) is None, odd


def test_a_line_near_the_field_size_limit_goes_to_the_csv_module() -> None:
    counter = _counter(limit=100)
    assert counter.count(b"1," + b"x" * 40 + b"\n1,2\n") == 2
    assert counter.count(b"1," + b"x" * 120 + b"\n1,2\n") is None


def test_other_delimiters_and_widths() -> None:
    tabs = ROW.replace(b",", b"\t")
    assert _counter(delimiter=b"\t").count(tabs * 3) == 3  # a quoted tab is no separator
    assert _counter(delimiter=b"\t").count(tabs.replace(b'"', b"") * 3) is None
    assert _counter(delimiter=b"\t").count(b"1\t2\t3\n" * 3) == 3
    assert _counter(width=1).count(b"1\n2\n") == 2
    assert _counter(width=1).count(b"1\n2,3\n") is None
    with pytest.raises(ValueError):
        BlockCounter(b'"', 3, 100, None)


def test_invalid_bytes_raise_what_the_validator_raises() -> None:
    with pytest.raises(UnicodeDecodeError):
        _counter().count(ROW + b"1,\x92,3\n")
    # Without a validator (Windows-1252 replaces what it lacks) any byte is counted.
    assert BlockCounter(b",", WIDTH, 131072, None).count(ROW + b"1,\x92,3\n") == 2
