"""Practice mode's files and parameters, read from the shipped manifest resources/practice.json."""

from pathlib import Path

from runway_desktop.bundles.registry import load_snapshot
from runway_desktop.core.practice import (
    practice_files,
    practice_manifest,
    practice_params,
    practice_world,
)
from runway_desktop.sandbox.config import default_config

# The five bundles practised before the manifest: tests, screenshots and docs name these files.
EARLIER = {
    "assessments/PSAT_SAT": {
        "INPUT_FILE": ["sample_anonymized_file_sat.csv", "sample_anonymized_file_psat_10.csv"],
    },
    "assessments/STAR": {
        "INPUT_FILE": ["SR_sample_anonymized_file.csv"],
        "INPUT_FILE_DS": ["SR_Dashboard_Standards_v2_sample_anonymized_file.csv"],
        "INPUT_FILE_SA": ["SR_SkillArea_v1_sample_anonymized_file.csv"],
    },
    "assessments/MAP_Growth": {"INPUT_FILE": ["sample_anonymized_file.csv"]},
    "assessments/FastBridge_CBMreading": {
        "INPUT_FILE": ["sample_anonymized_file_fastbridge_cbmreading.csv"],
        "INPUT_FILE_COMP_QUESTION": [
            "sample_anonymized_file_fastbridge_comprehension_question.csv"
        ],
        "INPUT_FILE_COMP_RECALL": ["sample_anonymized_file_fastbridge_comprehension_recall.csv"],
    },
    "assessments/FastBridge_CBMmath": {"INPUT_FILE": ["sample_anonymized_file_cbmm_auto.csv"]},
}


def test_every_practice_file_ships_with_the_app() -> None:
    found = practice_files()
    manifest = practice_manifest()
    assert found.keys() == manifest.keys()
    for bundle_path, entry in manifest.items():
        assert {env: [p.name for p in paths] for env, paths in found[bundle_path].items()} == (
            entry["files"]
        )


def test_the_earlier_bundles_keep_their_files_in_their_order() -> None:
    found = practice_files()
    for bundle_path, slots in EARLIER.items():
        assert {env: [p.name for p in paths] for env, paths in found[bundle_path].items()} == (
            slots
        )


def test_every_practice_slot_and_parameter_is_the_registrys() -> None:
    registry = load_snapshot()
    params = practice_params()
    assert params.keys() == practice_manifest().keys()
    for bundle_path, slots in practice_files().items():
        bundle = registry.get(bundle_path)
        assert bundle is not None, bundle_path
        assert set(slots) <= {f.env_var for f in bundle.input_files}
        assert {f.env_var for f in bundle.required_files} <= set(slots), bundle_path
        # Every parameter the user fills in has a value Runway accepts.
        assert params[bundle_path].keys() == {p.env_var for p in bundle.user_params}
        for param in bundle.user_params:
            value = params[bundle_path][param.env_var]
            assert value and (param.allowed_values is None or value in param.allowed_values)


def test_a_parameter_takes_the_bundles_own_default_when_runway_accepts_it() -> None:
    params = practice_params()
    assert params["assessments/ACCESS"] == {"FORMAT": "Standard"}
    assert params["assessments/FastBridgeCAT"] == {"TEST_TYPE": "aMath"}
    # Free text: the first value its display name offers ("'Auto', 'Process', or 'CAP'").
    assert params["assessments/FastBridge_CBMmath"] == {"TEST_TYPE": "Auto"}
    assert params["assessments/MAP_Growth"] == {}


def test_missing_samples_are_left_out(tmp_path: Path) -> None:
    assert practice_files(tmp_path) == {}


def test_practice_world_offers_districts_and_an_ods_year() -> None:
    tenants, year = practice_world(default_config().seed())
    assert tenants["acme"] == ["district-a", "district-b"]
    assert year == "2026"
    assert practice_world({}) == ({}, None)


def test_the_practice_server_enables_every_practice_bundle_for_its_client() -> None:
    config = default_config()
    client = config.client("runway-desktop-sandbox")
    assert client is not None and "partner:acme" in client.scopes.split()
    assert set(practice_manifest()) <= set(config.partners["acme"].bundles)
