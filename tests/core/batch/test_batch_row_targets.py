"""The districts and school years a plan's row may take, and an item moved to another."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from runway_desktop.core.batch.plan import PlanItem
from runway_desktop.core.batch.row_targets import retargeted, target_choices

ITEM = PlanItem(
    "assessments/STAR", "district-a", "2022", {"INPUT_FILE": Path("/x/a.csv")},
    notes=("The files' rows are of 2021–22, so that is the year.", "Other note."),
)  # fmt: skip


def test_choices_hold_the_known_the_given_and_the_planned() -> None:
    choices = target_choices(
        [ITEM], ["District-C", "district-b", ""], tenant="district-b", school_year="2026",
        today=date(2026, 12, 5),
    )  # fmt: skip
    assert choices.districts == ("district-a", "district-b", "District-C")
    assert choices.years[0] == "2028" and choices.years[-1] == "2022"
    assert list(choices.years) == sorted(choices.years, reverse=True)


def test_another_year_replaces_the_years_note() -> None:
    assert retargeted(ITEM, tenant="district-a", school_year="2022") is ITEM
    moved = retargeted(ITEM, tenant=" district-b ", school_year="2026")
    assert (moved.tenant, moved.school_year) == ("district-b", "2026")
    assert moved.notes == (
        "Other note.", "The school year was changed to 2025–26 (the plan had 2021–22).",
    )  # fmt: skip
    assert retargeted(ITEM, tenant="district-b", school_year="2022").notes == ITEM.notes
