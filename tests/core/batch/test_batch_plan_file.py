"""The plan as TOML: written by hand (no TOML writer is a dependency), so every value must read
back through ``tomllib`` exactly as written, whatever a file or district name holds."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from batch_helpers import district_folder

from runway_desktop.bundles.registry import load_snapshot
from runway_desktop.core.batch import toml_text
from runway_desktop.core.batch.plan import BatchPlan, PlanItem, Unplaced, plan_folder
from runway_desktop.core.batch.plan_file import (
    PlanFormatError,
    parse_plan,
    plan_text,
    read_plan,
)

NASTY = [
    'quote " and backslash \\ and \\n written out',
    "line\nbreak, carriage\rreturn, tab\t, form\ffeed, bell\x07, NUL\x00, DEL\x7f",
    "escape \x1b[31mred\x1b[0m and C1 \x9b and bidi \u202eevil\u202c \u2066iso\u2069",
    "Ünïcödé, 中文, emoji 🎓, ‘curly’ quotes, = and # and [brackets] and 'single'",
    "   spaces around   ",
    "",
]


@pytest.mark.parametrize("value", NASTY)
def test_every_string_reads_back_exactly(value: str) -> None:
    document = "\n".join(
        [
            toml_text.pair("plain", value),
            toml_text.pair("with_note", value, note=value),
            toml_text.comment(value),
            f"[{toml_text.key(value)}]",
            toml_text.pair(value, value),
        ]
    )
    data = tomllib.loads(document)
    assert data["plain"] == value and data["with_note"] == value
    assert data[value] == {value: value}


def test_a_terminal_showing_the_plan_acts_on_nothing_in_it() -> None:
    for value in NASTY:
        written = toml_text.pair("k", value, note=value)
        assert "\n" not in written and "\x1b" not in written and "\x9b" not in written
        assert "\u202e" not in written and "\x7f" not in written


def test_keys_are_bare_only_where_toml_allows_and_bad_text_is_refused() -> None:
    assert toml_text.key("INPUT_FILE_DS") == "INPUT_FILE_DS"
    assert toml_text.key("a.b") == '"a.b"'
    assert toml_text.key("") == '""'
    with pytest.raises(ValueError, match="not valid text"):
        toml_text.string("bad \udcff byte")


def test_a_plan_round_trips_with_odd_names(tmp_path: Path) -> None:
    registry = load_snapshot()
    folder = tmp_path / 'drop "2026" \\ #1'
    item = PlanItem(
        bundle="assessments/PSAT_SAT",
        tenant='district "a" \\ b',
        school_year="2026",
        files={"INPUT_FILE": folder / "sub dir" / "scores\t= # 'x' \u202e.csv"},
        params={"TEST_TYPE": "PSAT 8/9"},
        notes=("To do: a note\nover two lines",),
    )
    outside = PlanItem(
        "assessments/STAR", "district-a", "2024", {"INPUT_FILE": tmp_path / "elsewhere.csv"}
    )
    plan = BatchPlan(
        folder,
        "acme",
        (item, outside),
        (Unplaced(folder / "notes\n.txt", 'It is "odd".\nTwo lines.'),),
    )
    text = plan_text(plan, registry)
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")

    back = read_plan(path)
    assert back.folder == folder and back.partner == "acme"
    # Notes are for the person reading; everything else is the plan.
    assert back.items == (
        PlanItem(item.bundle, item.tenant, item.school_year, item.files, item.params),
        PlanItem(outside.bundle, outside.tenant, outside.school_year, outside.files, {}),
    )
    assert back.unplaced == plan.unplaced
    # Relative to the folder where it can be: short lines, and the folder may move.
    assert '"sub dir/scores' in text and f'"{tmp_path / "elsewhere.csv"}"' in text


def test_a_planned_folder_round_trips_and_reads_as_written(tmp_path: Path) -> None:
    registry = load_snapshot()
    root = district_folder(tmp_path / "drop")
    plan = plan_folder(root, registry, partner="acme", school_year="2026")
    path = tmp_path / "plan.toml"
    path.write_text(plan_text(plan, registry), encoding="utf-8")
    back = read_plan(path)
    assert [(i.bundle, i.tenant, i.school_year, i.files, i.params) for i in back.items] == [
        (i.bundle, i.tenant, i.school_year, i.files, i.params) for i in plan.items
    ]
    text = path.read_text(encoding="utf-8")
    assert "# 1. Star Assessments, district-a, 2023–24" in text
    assert 'TEST_TYPE = ""  # Test Type, required: one of PSAT 8/9 / PSAT 10' in text


def test_a_relative_folder_is_the_plan_files_own(tmp_path: Path) -> None:
    plan = parse_plan(
        {"folder": "drop", "item": [{"bundle": "b", "tenant": "t", "year": 2026,
                                     "files": {"INPUT_FILE": "x.csv"}}]},
        base=tmp_path,
    )  # fmt: skip
    assert plan.folder == tmp_path / "drop"
    assert plan.items[0].files == {"INPUT_FILE": tmp_path / "drop" / "x.csv"}
    assert plan.items[0].school_year == "2026"  # an unquoted year means the same


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("folder = ", "is not valid TOML"),
        ('version = 2\nfolder = "/x"', "version 2"),
        ("[[item]]", "The plan has no folder"),
        ('folder = "/x"\n[[item]]\nbundle = "b"\ntenant = "t"\nyear = "2026"', "has no files"),
        (
            'folder = "/x"\n[[item]]\nbundle = "b"\ntenant = "t"\nyear = "2026"\ntenat = "x"\n'
            '[item.files]\nINPUT_FILE = "a.csv"',
            "Item 1 has unknown keys: tenat",
        ),
        (
            'folder = "/x"\n[[item]]\nbundle = "b"\nyear = "2026"\n[item.files]\nA = "a.csv"',
            "Item 1 has no tenant",
        ),
        (
            'folder = "/x"\n[[item]]\nbundle = "b"\ntenant = "t"\nyear = "2026"\n'
            "[item.files]\nA = true",
            "Item 1's files: A must be text",
        ),
    ],
)
def test_a_broken_plan_is_refused_saying_where(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanFormatError, match=message):
        read_plan(path)


def test_a_missing_plan_says_so(tmp_path: Path) -> None:
    with pytest.raises(PlanFormatError, match="There is no plan file"):
        read_plan(tmp_path / "nope.toml")
