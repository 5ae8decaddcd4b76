"""validate_submission / build_params against real registry bundles (CONTRACT §4.2 checks 9–13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runway_desktop.bundles import (
    API_YEAR,
    Bundle,
    Problem,
    Registry,
    build_params,
    validate_submission,
)
from runway_desktop.bundles.registry import load_snapshot

DATA = Path("scores.csv")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_snapshot()


def _bundle(registry: Registry, name: str) -> Bundle:
    bundle = registry.get(f"assessments/{name}")
    assert bundle is not None
    return bundle


def _fields(problems: list[Problem]) -> list[str]:
    return [p.field for p in problems]


def test_a_complete_submission_has_no_problems(registry: Registry) -> None:
    psat = _bundle(registry, "PSAT_SAT")
    problems = validate_submission(
        psat,
        {"INPUT_FILE": DATA},
        {"TEST_TYPE": "PSAT 10"},
        partner="ea",
        tenant="district-1",
        school_year="2026",
    )
    assert problems == []


def test_missing_choice_names_the_choices(registry: Registry) -> None:
    problems = validate_submission(_bundle(registry, "PSAT_SAT"), {"INPUT_FILE": DATA}, {})
    assert problems == [
        Problem(
            "param:TEST_TYPE",
            "Choose the test type.",
            "Pick one of: PSAT 8/9, PSAT 10, PSAT/NMSQT, SAT.",
        )
    ]


def test_blank_required_value_counts_as_missing(registry: Registry) -> None:
    problems = validate_submission(
        _bundle(registry, "PSAT_SAT"), {"INPUT_FILE": DATA}, {"TEST_TYPE": "  "}
    )
    assert _fields(problems) == ["param:TEST_TYPE"]


def test_allowed_values_match_exactly_and_suggest_the_right_case(registry: Registry) -> None:
    psat = _bundle(registry, "PSAT_SAT")
    (problem,) = validate_submission(psat, {"INPUT_FILE": DATA}, {"TEST_TYPE": "sat"})
    assert problem.field == "param:TEST_TYPE"
    assert "“sat” is not one of the choices for test type" in problem.message
    assert problem.next_step.startswith("Did you mean “SAT”?")
    (problem,) = validate_submission(psat, {"INPUT_FILE": DATA}, {"TEST_TYPE": "ACT"})
    assert "Did you mean" not in problem.next_step


def test_free_text_param_accepts_anything_but_blank(registry: Registry) -> None:
    cbmm = _bundle(registry, "FastBridge_CBMmath")
    assert validate_submission(cbmm, {"INPUT_FILE": DATA}, {"TEST_TYPE": "Auto"}) == []
    (problem,) = validate_submission(cbmm, {"INPUT_FILE": DATA}, {})
    assert problem.field == "param:TEST_TYPE"
    assert problem.message == "Enter the test type."
    assert "'Auto', 'Process', or 'CAP'" in problem.next_step


def test_api_year_is_never_asked_for_nor_flagged(registry: Registry) -> None:
    # STAR declares API_YEAR as required; MAP_Growth does not declare it at all.
    for name in ("STAR", "MAP_Growth"):
        bundle = _bundle(registry, name)
        assert validate_submission(bundle, {"INPUT_FILE": DATA}, {}) == []
        assert validate_submission(bundle, {"INPUT_FILE": DATA}, {API_YEAR: "2026"}) == []


def test_undeclared_params_are_unexpected(registry: Registry) -> None:
    problems = validate_submission(
        _bundle(registry, "MAP_Growth"), {"INPUT_FILE": DATA}, {"TEST_TYPE": "SAT"}
    )
    assert _fields(problems) == ["param:TEST_TYPE"]
    assert "does not take" in problems[0].message


def test_files_missing_unexpected_and_optional(registry: Registry) -> None:
    star = _bundle(registry, "STAR")
    assert validate_submission(star, {"INPUT_FILE": DATA, "INPUT_FILE_DS": None}, {}) == []
    assert validate_submission(star, {"INPUT_FILE": DATA, "INPUT_FILE_SA": DATA}, {}) == []
    problems = validate_submission(star, {"INPUT_FILE": None, "EXTRA": DATA}, {})
    assert _fields(problems) == ["file:INPUT_FILE", "file:EXTRA"]
    assert problems[0].message == "Add the overall assessment data file."
    assert "a .csv file" in problems[0].next_step
    assert "no file slot" in problems[1].message
    assert _fields(validate_submission(star, {}, {})) == ["file:INPUT_FILE"]


def test_partner_tenant_and_bundle(registry: Registry) -> None:
    problems = validate_submission(None, {}, {}, partner="", tenant=" ", school_year="2026")
    assert _fields(problems) == ["partner", "tenant", "bundle"]
    assert problems[2].message == "Choose the assessment."


@pytest.mark.parametrize(
    ("year", "next_step"),
    [
        ("", "for example 2026"),
        ("2025-2026", "Type 2026 for 2025-2026."),
        ("2025–26", "Type 2026 for 2025–26."),
        ("26", "4-digit year"),
        ("2526", "4-digit year"),  # the school-year id, not a year
        ("٢٠٢٦", "4-digit year"),  # digits the server's \d does not accept
        (" 2026", "4-digit year"),  # the server does not trim
    ],
)
def test_school_year_must_be_the_four_digit_end_year(year: str, next_step: str) -> None:
    (problem,) = validate_submission(None, {}, {}, school_year=year)[:1]
    assert problem.field == "school_year"
    assert next_step in problem.next_step


def test_a_good_school_year_passes() -> None:
    assert _fields(validate_submission(None, {}, {}, school_year="2026")) == ["bundle"]


def test_build_params_sends_only_declared_values_and_never_api_year(registry: Registry) -> None:
    psat = _bundle(registry, "PSAT_SAT")
    values = {API_YEAR: "2026", "TEST_TYPE": " PSAT/NMSQT ", "OTHER": "x"}
    assert build_params(psat, values) == {"TEST_TYPE": "PSAT/NMSQT"}
    assert build_params(psat, {"TEST_TYPE": ""}) == {}
    assert build_params(_bundle(registry, "STAR"), {API_YEAR: "2026"}) == {}
    assert build_params(_bundle(registry, "MAP_Growth"), {API_YEAR: "2026"}) == {}
