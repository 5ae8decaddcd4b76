"""Check a submission against its bundle before anything is sent.

Mirrors the server's checks 9–13 of ``POST /api/v1/jobs`` (CONTRACT §4.2) and the request DTO's
partner/tenant/school-year rules, so a clerk hears about a mistake next to the field that has it,
in words she can act on, instead of as a 400 after pressing Submit. Local checks are a little
stricter than the server where the server's leniency only defers the failure to the run (a blank
required value passes check 9 but makes the bundle fail later).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from runway_desktop.bundles.model import API_YEAR, Bundle, InputParam

# ASCII digits only: the server's JavaScript ``\d`` does not accept other scripts' digits.
_SCHOOL_YEAR = re.compile(r"[0-9]{4}")
# "2025-2026", "2025–26", "2025/26": people type the span; Runway wants the end year.
_SCHOOL_YEAR_SPAN = re.compile(r"\s*([0-9]{4})\s*[-–/]\s*([0-9]{2}|[0-9]{4})\s*")
_PLAUSIBLE_YEARS = range(1990, 2101)


@dataclass(frozen=True)
class Problem:
    """Something to fix before submitting.

    ``field`` names the widget it belongs to: "partner", "tenant", "school_year", "bundle",
    "param:<ENV_VAR>" or "file:<ENV_VAR>".
    """

    field: str
    message: str
    next_step: str


def validate_submission(
    bundle: Bundle | None,
    files: Mapping[str, Path | None],
    params: Mapping[str, str],
    *,
    partner: str | None = None,
    tenant: str | None = None,
    school_year: str | None = None,
) -> list[Problem]:
    """All problems with a submission, in form order; an empty list means it can be sent.

    ``files`` maps a slot's env var to the chosen file (None = slot left empty). ``params`` holds
    what the user typed or picked; ``API_YEAR`` in it is ignored because it is never sent.
    ``partner``, ``tenant`` and ``school_year`` are checked only when given (None = not part
    of this check, e.g. when only the bundle section of a form is being validated).
    """
    problems: list[Problem] = []
    if partner is not None and not partner.strip():
        problems.append(
            Problem(
                "partner",
                "Choose the partner.",
                "Pick the partner code your Runway admin gave you (for example, “ea”).",
            )
        )
    if tenant is not None and not tenant.strip():
        problems.append(
            Problem(
                "tenant",
                "Enter the district (tenant).",
                "Type the tenant code of the district these results belong to.",
            )
        )
    if school_year is not None:
        problems.extend(_school_year_problems(school_year))
    if bundle is None:
        problems.append(
            Problem(
                "bundle",
                "Choose the assessment.",
                "Pick the test these results come from in the assessment list.",
            )
        )
        return problems
    problems.extend(_param_problems(bundle, params))
    problems.extend(_file_problems(bundle, files))
    return problems


def build_params(bundle: Bundle, values: Mapping[str, str]) -> dict[str, str]:
    """The ``params`` object to send: declared, non-``API_YEAR`` params that have a value.

    Surrounding spaces are dropped (never meaningful in these values, and the server compares
    allowed values exactly). Blank values are left out rather than sent as "".
    """
    result: dict[str, str] = {}
    for param in bundle.user_params:
        value = values.get(param.env_var)
        if value is not None and value.strip():
            result[param.env_var] = value.strip()
    return result


def _school_year_problems(school_year: str) -> list[Problem]:
    value = school_year.strip()
    if not value:
        return [
            Problem(
                "school_year",
                "Enter the school year.",
                "Type the year the school year ends, for example 2026 for 2025–26.",
            )
        ]
    span = _SCHOOL_YEAR_SPAN.fullmatch(value)
    if span:
        end = span.group(2)
        end_year = end if len(end) == 4 else span.group(1)[:2] + end
        return [
            Problem(
                "school_year",
                "Enter only the year the school year ends.",
                f"Type {end_year} for {value}.",
            )
        ]
    if not _SCHOOL_YEAR.fullmatch(school_year) or int(value) not in _PLAUSIBLE_YEARS:
        return [
            Problem(
                "school_year",
                f"“{school_year}” is not a school year Runway understands.",
                "Type the 4-digit year the school year ends, for example 2026 for 2025–26.",
            )
        ]
    return []


def _param_problems(bundle: Bundle, params: Mapping[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    for param in bundle.user_params:
        value = (params.get(param.env_var) or "").strip()
        if not value:
            if param.is_required:
                problems.append(_missing_param(param))
            continue
        if param.allowed_values is not None and value not in param.allowed_values:
            problems.append(_invalid_choice(param, value))
    declared = {p.env_var for p in bundle.input_params}
    for key in params:
        if key != API_YEAR and key not in declared:
            problems.append(
                Problem(
                    f"param:{key}",
                    f"{bundle.display_name} does not take a setting called “{key}”.",
                    "Remove it; Runway refuses submissions with settings it does not expect.",
                )
            )
    return problems


def _missing_param(param: InputParam) -> Problem:
    label = _label(param.display_name)
    if param.allowed_values is not None:
        return Problem(
            f"param:{param.env_var}",
            f"Choose the {label}.",
            f"Pick one of: {', '.join(param.allowed_values)}.",
        )
    return Problem(
        f"param:{param.env_var}",
        f"Enter the {label}.",
        f"Type the value for “{param.display_name}”.",
    )


def _invalid_choice(param: InputParam, value: str) -> Problem:
    assert param.allowed_values is not None
    close = [v for v in param.allowed_values if v.casefold() == value.casefold()]
    hint = f"Did you mean “{close[0]}”?" if close else ""
    return Problem(
        f"param:{param.env_var}",
        f"“{value}” is not one of the choices for {_label(param.display_name)}.",
        " ".join(filter(None, [hint, f"Pick one of: {', '.join(param.allowed_values)}."])),
    )


def _file_problems(bundle: Bundle, files: Mapping[str, Path | None]) -> list[Problem]:
    problems: list[Problem] = []
    for slot in bundle.required_files:
        if files.get(slot.env_var) is None:
            problems.append(
                Problem(
                    f"file:{slot.env_var}",
                    f"Add the {_label(slot.display_name)} file.",
                    f"Drop {slot.accepted_types_text} on the “{slot.display_name}” box, "
                    "or click Browse.",
                )
            )
    for key, path in files.items():
        if path is not None and bundle.file(key) is None:
            problems.append(
                Problem(
                    f"file:{key}",
                    f"{bundle.display_name} has no file slot called “{key}”.",
                    "Remove that file; Runway refuses submissions with files it does not expect.",
                )
            )
    return problems


def _label(display_name: str) -> str:
    # "Test Type: 'Auto', 'Process', or 'CAP'" crams the choices into the name; the part
    # before the colon is the label. Title-case words read better in lower case mid-sentence,
    # while acronyms ("SAT", "DS") stay as they are.
    label = display_name.split(":", 1)[0].strip() or display_name
    return " ".join(
        w.lower() if w.isalpha() and w[:1].isupper() and w[1:].islower() else w
        for w in label.split()
    )
