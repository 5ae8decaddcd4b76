"""A plan as a window shows it, for its file: the ticked rows are sent, the others' files are
still named in it, as not sent, and so are the files left out of a row."""

from __future__ import annotations

from pathlib import Path

from runway_desktop.bundles.registry import load_snapshot
from runway_desktop.core.batch.plan import BatchPlan, PlanItem, Unplaced
from runway_desktop.core.batch.plan_file import (
    LEFT_OUT,
    NOT_TICKED,
    ShownRow,
    plan_as_shown,
    plan_text,
    read_plan,
)


def test_unticked_rows_and_left_out_files_are_named_but_not_sent(tmp_path: Path) -> None:
    folder = tmp_path / "spring"
    star = PlanItem(
        "assessments/STAR", "district-b", "2024",
        {"INPUT_FILE": folder / "a" / "sr.csv", "INPUT_FILE_DS": folder / "a" / "ds.csv"},
    )  # fmt: skip
    sat = PlanItem(
        "assessments/PSAT_SAT", "district-b", "2026", {"INPUT_FILE": folder / "b" / "sat.csv"},
        {"TEST_TYPE": ""},
    )  # fmt: skip
    note = Unplaced(folder / "b" / "readme.txt", "No assessment fits it.")
    plan = BatchPlan(folder, "acme", (star, sat), (note,))
    rows = [
        ShownRow(star, ticked=True, left_out=(folder / "a" / "sa.csv",)),
        ShownRow(sat, ticked=False, left_out=(folder / "b" / "old.csv",)),
    ]

    shown = plan_as_shown(plan, rows)
    assert (shown.folder, shown.partner, shown.items) == (folder, "acme", (star,))
    assert shown.unplaced == (
        note,
        Unplaced(folder / "a" / "sa.csv", LEFT_OUT),
        Unplaced(folder / "b" / "sat.csv", NOT_TICKED),
        Unplaced(folder / "b" / "old.csv", NOT_TICKED),
    )
    # The reasons are the front end's words when it gives them.
    worded = plan_as_shown(plan, rows, not_ticked="pas coché", left_out="laissé")
    assert [u.reason for u in worded.unplaced] == [note.reason, "laissé", "pas coché", "pas coché"]

    # Written and read back: the same plan (the file says nothing it does not send).
    path = tmp_path / "plan.toml"
    path.write_text(plan_text(shown, load_snapshot()), encoding="utf-8")
    back = read_plan(path)
    assert [(i.bundle, i.tenant, i.school_year, i.files) for i in back.items] == [
        (star.bundle, star.tenant, star.school_year, star.files)
    ]
    assert back.unplaced == shown.unplaced


def test_nothing_ticked_is_a_plan_of_no_items() -> None:
    folder = Path("/data/spring")
    item = PlanItem("assessments/STAR", "d", "2024", {"INPUT_FILE": folder / "sr.csv"})
    shown = plan_as_shown(BatchPlan(folder, "", (item,)), [ShownRow(item, ticked=False)])
    assert shown.items == () and shown.unplaced == (Unplaced(folder / "sr.csv", NOT_TICKED),)
