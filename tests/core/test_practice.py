from runway_desktop.core.practice import PRACTICE_FILES, practice_files


def test_every_practice_file_ships_with_the_app() -> None:
    found = practice_files()
    for bundle_path, slots in PRACTICE_FILES.items():
        for env_var, names in slots.items():
            assert [p.name for p in found[bundle_path][env_var]] == list(names)


def test_missing_samples_are_left_out(tmp_path: object) -> None:
    from pathlib import Path

    assert practice_files(Path(str(tmp_path))) == {}


def test_practice_world_offers_districts_and_an_ods_year() -> None:
    from runway_desktop.core.practice import practice_world
    from runway_desktop.sandbox.config import default_config

    tenants, year = practice_world(default_config().seed())
    assert tenants["acme"] == ["district-a", "district-b"]
    assert year == "2026"
    assert practice_world({}) == ({}, None)
