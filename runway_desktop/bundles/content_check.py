"""Does a file's content fit the slot it was put in, and which school year is it from?

The one rule for "wrong file" and "wrong year", used by preflight (so the Submit screen, the
CLI's `submit` and the submission pipeline all refuse a wrong file with the same words) and by
the front ends for the school year, which only they know. Qt-free; reads a bounded prefix of
the file (`identify.read_header_sample`), never the whole of it.

What blocks (``blocks``, an error in preflight): another bundle's (or another slot's) file,
and a file without the columns the bundle's transformation cannot run without. Runway would
accept either, run the bundle, fail, and make no output set, and the clerk would wait for a
result that never comes. What needs a decision (``needs_decision``): those, plus a file we do
not recognise (a district's custom export may still be fine); the submission waits until the
user chooses "Send anyway" (core.submit.checks has that rule, and the school year's, since a
late upload of last year's results is legitimate but must be meant). What only warns: a file
that fits but lacks columns the bundle would leave empty; its run still succeeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from runway_desktop.base.formatting import school_year_label
from runway_desktop.bundles.identify import (
    HeaderSample,
    SlotJudgement,
    Verdict,
    detect_school_years,
    judge_slot,
    read_header_sample,
)
from runway_desktop.bundles.signatures import (
    SignatureIndex,
    SignatureIndexError,
    SlotSignature,
    column_key,
    column_shape,
    shipped_index,
)

# Rows read to tell the school year: within HEADER_BYTES (1 MB) that is a few thousand rows of
# a wide export, enough to see every year a file holds unless it is sorted by year.
YEAR_SAMPLE_ROWS = 5000
# Missing columns named in a message; the rest are counted ("and 12 more").
NAMED_COLUMNS = 10


@dataclass(frozen=True)
class ContentFinding:
    """What the content check found for one file in one slot."""

    verdict: Verdict
    # Plain words for the clerk; "" when the file fits.
    message: str
    bundle_display_name: str
    slot_display_name: str
    # Where the file belongs instead (OTHER_BUNDLE), for "Choose MAP Growth".
    other_bundle: str | None = None
    other_env_var: str | None = None
    other_display_name: str = ""
    missing_columns: tuple[str, ...] = ()
    # End years ("2024" = 2023–24) of the rows sampled; empty when the slot has no date or
    # year column, or the file's values could not be read as dates.
    school_years: tuple[int, ...] = ()
    year_evidence: str = ""  # "test dates" or "school years", for the wording

    @property
    def blocks(self) -> bool:
        """A file Runway would fail on: sending it only hides the problem for an hour."""
        return self.verdict in (Verdict.OTHER_BUNDLE, Verdict.MISSING_REQUIRED)

    @property
    def needs_decision(self) -> bool:
        """It may be the wrong file: nothing is sent until the user says "send anyway"."""
        return self.blocks or self.verdict is Verdict.UNKNOWN

    @property
    def fits(self) -> bool:
        return self.verdict in (Verdict.FITS, Verdict.FITS_BUT_MISSING)


@dataclass(frozen=True)
class SchoolYearNote:
    """The file's school year(s) against the one chosen for the submission."""

    message: str
    # True when the chosen year is not among the file's: the clerk should look before sending.
    mismatch: bool


def check_content(
    path: Path, bundle: str, env_var: str, index: SignatureIndex | None = None
) -> ContentFinding | None:
    """Judge ``path`` for the slot; None when the slot is not in the index (nothing to judge
    by). Raises OSError if the file cannot be read, SignatureIndexError if the index cannot."""
    index = index or shipped_index()
    slot = index.slot(bundle, env_var)
    if slot is None:
        return None
    sample = read_header_sample(path, max_rows=YEAR_SAMPLE_ROWS)
    return judge_sample(index, slot, sample)


def judge_sample(
    index: SignatureIndex, slot: SlotSignature, sample: HeaderSample
) -> ContentFinding:
    judgement = judge_slot(index, slot.bundle, slot.env_var, sample.columns)
    years = detect_school_years(index, slot.bundle, slot.env_var, sample.columns, sample.rows)
    # detect_school_years prefers a school-year column to test dates when the file has one.
    keys = {column_key(c) for c in sample.columns}
    from_year_column = any(column_key(c) in keys for c in slot.year_columns)
    base = ContentFinding(
        Verdict.FITS,
        "",
        index.bundles[slot.bundle].display_name,
        slot.display_name,
        school_years=tuple(sorted(years)),
        year_evidence="school years" if from_year_column else "test dates",
    )
    return _finding(index, slot, judgement, base)


def try_check_content(path: Path, bundle: str, env_var: str) -> tuple[ContentFinding | None, str]:
    """``check_content`` for preflight: (finding, "") or (None, why the check could not run)."""
    try:
        return check_content(path, bundle, env_var), ""
    except SignatureIndexError:
        return None, (
            "The file's columns could not be compared with the assessment's, because the "
            "app's list of vendor layouts is damaged. Reinstall Runway Desktop."
        )
    except OSError as exc:
        return None, f"The file's columns could not be read ({exc.strerror or exc})."


def school_year_note(
    finding: ContentFinding | None, chosen_end_year: str | int
) -> SchoolYearNote | None:
    """What to say about the file's school year(s) for the chosen one; None: nothing to say."""
    if finding is None or not finding.school_years or not str(chosen_end_year).isdigit():
        return None
    chosen = int(chosen_end_year)
    years = finding.school_years
    # "The test dates in this file are in 2023–24" / "This file's school year is 2023–24".
    dated = finding.year_evidence == "test dates"
    chosen_text = school_year_label(chosen)
    if len(years) == 1:
        if years[0] == chosen:
            return None
        found = school_year_label(years[0])
        said = (
            f"The test dates in this file are in {found}"
            if dated
            else (f"This file's school year is {found}")
        )
        return SchoolYearNote(
            f"{said}; you chose {chosen_text}. Choose {found} as the school year, or pick the "
            f"file for {chosen_text}.",
            mismatch=True,
        )
    span = ", ".join(school_year_label(y) for y in years)
    said = "The test dates in this file" if dated else "The rows of this file"
    if chosen in years:
        return SchoolYearNote(
            f"{said} span several school years ({span}); all of them will be sent as "
            f"{chosen_text}.",
            mismatch=False,
        )
    return SchoolYearNote(
        f"{said} span several school years ({span}), none of them the {chosen_text} you "
        f"chose. Pick the file for {chosen_text}.",
        mismatch=True,
    )


def _finding(
    index: SignatureIndex,
    slot: SlotSignature,
    judgement: SlotJudgement,
    base: ContentFinding,
) -> ContentFinding:
    name = base.bundle_display_name
    many = len(index.bundles[slot.bundle].slots) > 1
    verdict = judgement.verdict
    other = judgement.other
    if verdict is Verdict.OTHER_BUNDLE and other is not None:
        if other.bundle == slot.bundle:
            message = (
                f"This looks like the “{other.slot_display_name}” file of {name}, not "
                f"“{slot.display_name}”. Put it in the “{other.slot_display_name}” slot, and "
                f"pick the “{slot.display_name}” export here."
            )
        elif other.in_registry:
            message = (
                f"This looks like {_a(other.display_name)} file, not {name}. Choose "
                f"{other.display_name} as the assessment, or pick the {name} export."
            )
        else:
            message = (
                f"This looks like {_a(other.display_name)} file, not {name}; Runway has no "
                f"assessment for it. Pick the {name} export."
            )
        return replace(
            base,
            verdict=verdict,
            message=message,
            other_bundle=other.bundle,
            other_env_var=other.env_var,
            other_display_name=other.display_name,
        )
    what = f"the “{slot.display_name}” file of {name}" if many else f"the {name} export"
    if verdict is Verdict.MISSING_REQUIRED:
        lacking = list(judgement.missing_required)
        if judgement.missing_student_id:
            lacking.append(f"a student ID ({' or '.join(judgement.missing_student_id)})")
        message = (
            f"This file lacks columns {name} cannot run without: {_names(lacking)}. "
            f"Export the results again with all columns, or pick {what}."
        )
        return replace(base, verdict=verdict, message=message, missing_columns=tuple(lacking))
    if verdict is Verdict.UNKNOWN:
        message = (
            f"This does not look like {what}: few of the columns {name} reads are in it. "
            "Check it is the right file before sending."
        )
        return replace(base, verdict=verdict, message=message)
    # A column only some of the authors' samples have belongs to another variant of the
    # export (the SAT's essay scores in a PSAT file, math columns in an ELA file): its absence
    # is normal and not worth a word. Only columns every sample has are named.
    missing = tuple(c for c in judgement.missing_optional if _in_every_sample(slot, c))
    if not missing:
        return base
    message = (
        f"This file has no {_names(list(missing))} column{'s' if len(missing) > 1 else ''}, "
        f"which {name} usually reads; {'they' if len(missing) > 1 else 'it'} will be left empty."
    )
    return replace(base, verdict=Verdict.FITS_BUT_MISSING, message=message, missing_columns=missing)


def _in_every_sample(slot: SlotSignature, column: str) -> bool:
    shape = column_shape(column)
    with_header = [lay.shapes for lay in slot.layouts if lay.record_length is None]
    return bool(with_header) and all(shape in shapes for shapes in with_header)


def _names(columns: Sequence[str]) -> str:
    shown = [f"“{c}”" if not c.startswith("a student ID") else c for c in columns[:NAMED_COLUMNS]]
    rest = len(columns) - len(shown)
    if rest:
        return ", ".join(shown) + f" and {rest} more"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _a(name: str) -> str:
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"
