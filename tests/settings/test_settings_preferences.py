import json
from pathlib import Path

from runway_desktop.settings.preferences import Preferences, PreferencesStore


def test_defaults_when_missing(tmp_path: Path) -> None:
    assert PreferencesStore(tmp_path / "p.json").load() == Preferences()


def test_round_trip_keeps_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"from_a_newer_version": 1}))
    store = PreferencesStore(path)
    prefs = store.load().with_changes(download_root="/data/runway", no_result_after_hours=3.5)
    store.save(prefs)
    assert PreferencesStore(path).load() == prefs
    assert json.loads(path.read_text())["from_a_newer_version"] == 1


def test_damaged_file_falls_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text("{not json")
    assert PreferencesStore(path).load() == Preferences()
    path.write_text(json.dumps({"no_result_after_hours": -1, "download_root": 5}))
    assert PreferencesStore(path).load() == Preferences()
