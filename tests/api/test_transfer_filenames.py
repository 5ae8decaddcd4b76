"""safe_filename and path_inside: server-provided names must stay plain files in the folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runway_desktop.api.errors import LocalFileError
from runway_desktop.api.filenames import MAX_NAME_BYTES, partial_name, path_inside, safe_filename


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("studentAssessments.jsonl", "studentAssessments.jsonl"),
        ("../../etc/passwd", "_._etc_passwd"),
        ("..\\..\\Windows\\win.ini", "_._Windows_win.ini"),
        ("/absolute/path.jsonl", "_absolute_path.jsonl"),
        ("..", "download"),
        (".", "download"),
        ("", "download"),
        ("   ", "download"),
        ("a\x00b\x1f\x7fc.jsonl", "abc.jsonl"),
        ("report.jsonl. . ", "report.jsonl"),
        (".hidden.jsonl", "hidden.jsonl"),
        ("a..b.jsonl", "a.b.jsonl"),
        ('what?:*"<>|.jsonl', "what_______.jsonl"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("nul.tar.gz", "_nul.tar.gz"),
        ("COM1.jsonl", "_COM1.jsonl"),
        ("lpt9", "_lpt9"),
        ("COM¹.jsonl", "_COM¹.jsonl"),
        ("CONSOLE.jsonl", "CONSOLE.jsonl"),  # only the exact device names are reserved
        ("COM10.jsonl", "COM10.jsonl"),
        ("Résultats élèves.jsonl", "Résultats élèves.jsonl"),
    ],
)
def test_safe_filename(raw: str, safe: str) -> None:
    assert safe_filename(raw) == safe


def test_unicode_is_normalised_to_nfc() -> None:
    decomposed = "e\u0301tudiants.jsonl"
    assert safe_filename(decomposed) == "\u00e9tudiants.jsonl"


def test_long_names_are_cut_on_character_boundaries_keeping_the_extension() -> None:
    name = "é" * 300 + ".jsonl"
    result = safe_filename(name)
    assert result.endswith(".jsonl")
    assert len(result.encode("utf-8")) <= MAX_NAME_BYTES
    assert result.encode("utf-8").decode("utf-8") == result
    assert len(partial_name(result).encode("utf-8")) <= 255


def test_long_name_without_extension() -> None:
    assert len(safe_filename("x" * 1000).encode()) == MAX_NAME_BYTES


def test_path_inside_accepts_plain_names(tmp_path: Path) -> None:
    assert path_inside(tmp_path, "a.jsonl") == tmp_path.resolve() / "a.jsonl"


@pytest.mark.parametrize("bad", ["../x", "sub/x", "/etc/passwd", ".."])
def test_path_inside_refuses_escapes(tmp_path: Path, bad: str) -> None:
    with pytest.raises(LocalFileError):
        path_inside(tmp_path, bad)


@pytest.mark.skipif(os.name != "posix", reason="symlinks need privileges on Windows")
def test_path_inside_refuses_a_planted_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "a.jsonl").symlink_to(outside / "a.jsonl")
    with pytest.raises(LocalFileError):
        path_inside(folder, "a.jsonl")
