"""The registry model against the real snapshot and against hand-made quirky/broken data."""

from __future__ import annotations

import json
from typing import Any

import pytest

from runway_desktop.bundles import (
    API_YEAR,
    Registry,
    RegistryFormatError,
    parse_registry,
    parse_registry_bytes,
)
from runway_desktop.bundles.registry import load_snapshot


def _bundle(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "display_name": "Demo",
        "path": "assessments/Demo",
        "input_files": [
            {
                "display_name": "Data",
                "env_var": "INPUT_FILE",
                "is_required": True,
                "file_type": ["csv"],
            }
        ],
    }
    entry.update(overrides)
    return entry


@pytest.fixture(scope="module")
def snapshot() -> Registry:
    return load_snapshot()


def test_snapshot_has_every_bundle_sorted_by_display_name(snapshot: Registry) -> None:
    names = [b.display_name for b in snapshot.all()]
    assert len(names) == 42
    assert names == sorted(names, key=str.casefold)
    assert [b.display_name for b in snapshot] == names


def test_psat_sat_hides_api_year_and_keeps_allowed_values_verbatim(snapshot: Registry) -> None:
    psat = snapshot.get("assessments/PSAT_SAT")
    assert psat is not None
    assert [p.env_var for p in psat.input_params] == [API_YEAR, "TEST_TYPE"]
    assert [p.env_var for p in psat.user_params] == ["TEST_TYPE"]
    test_type = psat.param("TEST_TYPE")
    assert test_type is not None and test_type.is_choice
    assert test_type.allowed_values == ("PSAT 8/9", "PSAT 10", "PSAT/NMSQT", "SAT")
    assert psat.raw["report_resources"] == ["studentAssessments"]


def test_absent_and_empty_params_both_mean_no_params(snapshot: Registry) -> None:
    for path in ("assessments/MAP_Growth", "assessments/PreACT"):
        bundle = snapshot.get(path)
        assert bundle is not None
        assert bundle.input_params == ()
        assert bundle.user_params == ()


def test_param_without_allowed_values_is_free_text(snapshot: Registry) -> None:
    cbmm = snapshot.get("assessments/FastBridge_CBMmath")
    assert cbmm is not None
    (test_type,) = cbmm.user_params
    assert test_type.allowed_values is None and not test_type.is_choice
    assert test_type.is_required


def test_multi_file_bundle_separates_required_and_optional_slots(snapshot: Registry) -> None:
    star = snapshot.get("assessments/STAR")
    assert star is not None
    assert [f.env_var for f in star.required_files] == ["INPUT_FILE"]
    optional = star.file("INPUT_FILE_DS")
    assert optional is not None and not optional.is_required
    assert star.file("INPUT_FILE_XX") is None


def test_file_types_and_extension_matching(snapshot: Registry) -> None:
    cogat = snapshot.get("assessments/CogAT")
    assert cogat is not None
    slot = cogat.required_files[0]
    assert slot.file_type == ("csv", "txt")
    assert slot.accepts_extension(".CSV") and slot.accepts_extension(".txt")
    assert not slot.accepts_extension(".xlsx") and not slot.accepts_extension("")
    assert slot.accepted_types_text == "a .csv or .txt file"


def test_lookup_is_exact_and_case_sensitive(snapshot: Registry) -> None:
    assert snapshot.get("assessments/psat_sat") is None
    assert snapshot.get("PSAT_SAT") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("psat", ["assessments/PSAT_SAT"]),
        ("fastbridge cbm", ["assessments/FastBridge_CBMmath", "assessments/FastBridge_CBMreading"]),
        ("ASSESSMENTS/star", ["assessments/STAR"]),
        ("star zzz", []),
    ],
)
def test_search_needs_every_word_in_name_or_path(
    snapshot: Registry, text: str, expected: list[str]
) -> None:
    assert [b.path for b in snapshot.search(text)] == expected


def test_empty_search_returns_everything(snapshot: Registry) -> None:
    assert len(snapshot.search("  ")) == len(snapshot)


def test_quirks_are_tolerated() -> None:
    registry = parse_registry(
        {
            "assessments": [
                _bundle(
                    input_params=None,
                    descriptor_mapping_files=['gradeLevelDescriptors.csv"'],
                    new_key={"anything": 1},
                ),
                _bundle(
                    path="assessments/Other",
                    display_name="Other",
                    input_files=[
                        {"env_var": "INPUT_FILE", "is_required": "true", "file_type": ".CSV"}
                    ],
                    input_params=[
                        {
                            "display_name": "Mode",
                            "env_var": "MODE",
                            "is_required": True,
                            "allowed_values": [],
                        },
                        {"env_var": "LEVEL", "is_required": False},
                    ],
                ),
            ],
            "unexpected_top_level": True,
        }
    )
    demo = registry.get("assessments/Demo")
    assert demo is not None and demo.input_params == ()
    assert demo.raw["new_key"] == {"anything": 1}
    other = registry.get("assessments/Other")
    assert other is not None
    slot = other.input_files[0]
    assert slot.display_name == "INPUT_FILE" and slot.is_required and slot.file_type == ("csv",)
    mode, level = other.input_params
    assert mode.allowed_values is None  # empty list = free text
    assert level.display_name == "LEVEL" and not level.is_required


def test_first_entry_wins_for_duplicate_paths_like_the_server() -> None:
    registry = parse_registry(
        {"assessments": [_bundle(display_name="First"), _bundle(display_name="Second")]}
    )
    first = registry.get("assessments/Demo")
    assert first is not None and first.display_name == "First"


def test_bundle_is_frozen_and_hashable() -> None:
    bundle = parse_registry({"assessments": [_bundle()]}).all()[0]
    with pytest.raises(AttributeError):
        bundle.path = "x"  # type: ignore[misc]
    assert {bundle: 1}[bundle] == 1


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ([], "not a JSON object"),
        ({}, '"assessments"'),
        ({"assessments": {}}, '"assessments"'),
        ({"assessments": []}, "empty"),
        ({"assessments": ["PSAT"]}, "assessment #1 is not an object"),
        ({"assessments": [_bundle(path="")]}, '"path"'),
        ({"assessments": [_bundle(display_name=None)]}, '"display_name"'),
        ({"assessments": [_bundle(input_files=[])]}, "no input files"),
        ({"assessments": [_bundle(input_files=[{"is_required": True}])]}, '"env_var"'),
        ({"assessments": [_bundle(input_params={"env_var": "X"})]}, "params list"),
        ({"assessments": [_bundle(input_params=["X"])]}, "param entry"),
    ],
)
def test_structurally_broken_data_is_refused_with_a_reason(data: object, words: str) -> None:
    with pytest.raises(RegistryFormatError, match=words.replace("#", r"\#")) as caught:
        parse_registry(data)
    assert "assessment list" in str(caught.value)


def test_bytes_that_are_not_json_are_refused() -> None:
    with pytest.raises(RegistryFormatError, match="not valid JSON"):
        parse_registry_bytes(b"<html>Sign in to the proxy</html>")
    with pytest.raises(RegistryFormatError, match="not readable text"):
        parse_registry_bytes(b"\xff\xfe\x00{")


def test_bytes_round_trip_with_bom() -> None:
    body = b"\xef\xbb\xbf" + json.dumps({"assessments": [_bundle()]}).encode()
    assert len(parse_registry_bytes(body)) == 1
