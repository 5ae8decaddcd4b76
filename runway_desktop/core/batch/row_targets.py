"""Where a plan's row may be sent: the districts and school years a front end offers for it.

The choices are the districts the front end knows for the partner (its recent and offered
ones), the one given for the folder, and each planned item's own (a subfolder read as a
district); the school years are the usual choices around today's, and every year given or
planned (a file's rows may be of an older year than the list reaches).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date

from runway_desktop.base.formatting import school_year_choices
from runway_desktop.base.formatting import school_year_label as label
from runway_desktop.core.batch.plan import PlanItem


@dataclass(frozen=True)
class TargetChoices:
    districts: tuple[str, ...]  # sorted, as a list to pick from
    years: tuple[str, ...]  # end years, newest first; any that is no year last, as given


def target_choices(
    items: Sequence[PlanItem],
    known_tenants: Collection[str] = (),
    *,
    tenant: str = "",
    school_year: str = "",
    today: date | None = None,
) -> TargetChoices:
    names = {t.strip() for t in (*known_tenants, tenant, *(i.tenant for i in items))}
    districts = tuple(sorted((n for n in names if n), key=str.casefold))
    given = {y.strip() for y in (school_year, *(i.school_year for i in items)) if y.strip()}
    years = {str(y) for y in school_year_choices(today)} | given
    numbers = sorted((y for y in years if y.isdigit()), key=int, reverse=True)
    return TargetChoices(districts, (*numbers, *sorted(y for y in years if not y.isdigit())))


def retargeted(item: PlanItem, *, tenant: str, school_year: str) -> PlanItem:
    """``item`` for another district or year. A note about the planned year no longer holds
    for another one, so the year's notes give way to one saying what was changed."""
    tenant, school_year = tenant.strip(), school_year.strip()
    if (tenant, school_year) == (item.tenant, item.school_year):
        return item
    notes = item.notes
    if school_year != item.school_year:
        kept = tuple(n for n in notes if not n.startswith("The files' rows "))
        changed = f"The school year was changed to {label(school_year)} (the plan had "
        notes = (*kept, f"{changed}{label(item.school_year)}).")
    return replace(item, tenant=tenant, school_year=school_year, notes=notes)
