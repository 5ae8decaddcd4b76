"""Folders, connection profiles and recent values, on real files under RUNWAY_DESKTOP_HOME."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from fixtures_settings import runway_home  # noqa: F401  (pytest fixture)

from runway_desktop.settings import (
    Profile,
    ProfileError,
    ProfilesFileError,
    ProfileStore,
    RecentValues,
    cache_dir,
    config_dir,
    data_dir,
    default_profile_store,
    derive_audience,
)
from runway_desktop.settings.profiles import SCHEMA_VERSION

SANDBOX_PRINTOUT = {
    "api_base_url": "http://127.0.0.1:8765/api/v1",
    "token_url": "http://127.0.0.1:8765/oauth/token",
    "issuer": "http://127.0.0.1:8765/",
    "audience": "http://127.0.0.1:8765",
    "client_id": "desktop-sandbox",
    "client_secret": "s3cr3t-sandbox-value",
    "scopes": ["create:jobs", "read:jobs", "partner:ea"],
    "s3_endpoint": "http://127.0.0.1:8766",
    "seed": 42,
    "something_new": {"x": 1},
}


def _profile(name: str = "District", **changes: Any) -> Profile:
    profile = Profile(
        name=name,
        api_base_url="https://runway.example.org/api/v1",
        token_url="https://id.example.org/oauth/token",
        client_id="client-1",
    )
    return dataclasses.replace(profile, **changes)


@pytest.fixture
def store(runway_home: Path) -> ProfileStore:  # noqa: F811
    return default_profile_store()


def test_folders_live_under_runway_home_and_are_created(runway_home: Path) -> None:  # noqa: F811
    assert not runway_home.exists()
    assert config_dir() == runway_home / "config" and config_dir().is_dir()
    assert data_dir() == runway_home / "data" and data_dir().is_dir()
    assert cache_dir() == runway_home / "cache" and cache_dir().is_dir()


def test_without_override_folders_come_from_platformdirs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("RUNWAY_DESKTOP_HOME", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_dir() == tmp_path / "xdg" / "runway-desktop"


@pytest.mark.parametrize(
    ("url", "audience"),
    [
        ("https://runway.example.org/api/v1", "https://runway.example.org"),
        ("http://127.0.0.1:8765/api/v1/", "http://127.0.0.1:8765"),
        ("not a url", "not a url"),
    ],
)
def test_audience_defaults_to_the_api_origin(url: str, audience: str) -> None:
    assert derive_audience(url) == audience
    profile = _profile(api_base_url=url)
    assert profile.audience is None and profile.effective_audience == audience
    assert _profile(audience="runway-local").effective_audience == "runway-local"


def test_profiles_round_trip_through_the_file(store: ProfileStore) -> None:
    first = _profile("District", audience="runway-local", default_partner="ea")
    second = _profile("Test site", token_style="json", scopes="create:jobs partner:ea")
    store.add(first)
    store.add(second)
    assert store.list() == [first, second]
    assert ProfileStore(store.path).get("Test site") == second
    data = json.loads(store.path.read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["profiles"][0]["audience"] == "runway-local"
    assert "audience" not in data["profiles"][1]  # derived, so not stored
    assert [p.name for p in store.path.parent.iterdir()] == ["profiles.json"]


def test_add_update_remove_rename(store: ProfileStore) -> None:
    store.add(_profile("District"))
    with pytest.raises(ProfileError, match="already exists"):
        store.add(_profile("district"))
    store.update(_profile("District", client_id="client-2"))
    assert (p := store.get("District")) is not None and p.client_id == "client-2"
    renamed = store.rename("District", "North District")
    assert renamed.name == "North District" and renamed.client_id == "client-2"
    assert store.get("District") is None
    store.add(_profile("Other"))
    with pytest.raises(ProfileError, match="already exists"):
        store.rename("Other", "north district")
    store.remove("North District")
    assert [p.name for p in store.list()] == ["Other"]
    with pytest.raises(ProfileError, match="no connection"):
        store.remove("North District")
    with pytest.raises(ProfileError, match="no connection"):
        store.update(_profile("Missing"))


def test_a_missing_file_means_no_profiles(store: ProfileStore) -> None:
    assert store.list() == [] and store.get("x") is None
    assert not store.path.exists()


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"schema_version": 1}',
        '{"schema_version": 1, "profiles": [{"name": "No URLs"}]}',
        '{"profiles": []}',
    ],
)
def test_a_damaged_file_is_set_aside_not_wiped(store: ProfileStore, content: str) -> None:
    store.path.write_text(content)
    with pytest.raises(ProfilesFileError) as caught:
        store.list()
    moved = caught.value.moved_to
    assert moved is not None and moved.read_text() == content
    assert moved.name.startswith("profiles.json.broken-")
    assert str(moved) in str(caught.value)
    assert not store.path.exists()
    assert store.list() == []  # the next start begins afresh
    store.add(_profile())
    assert moved.read_text() == content


def test_a_file_from_a_newer_version_is_left_alone(store: ProfileStore) -> None:
    content = json.dumps({"schema_version": SCHEMA_VERSION + 1, "profiles": [], "future": 1})
    store.path.write_text(content)
    with pytest.raises(ProfilesFileError, match="newer version") as caught:
        store.list()
    assert caught.value.moved_to is None
    with pytest.raises(ProfilesFileError, match="newer version"):
        store.save([_profile()])
    assert store.path.read_text() == content


def test_sandbox_printout_gives_a_profile_and_a_separate_secret(store: ProfileStore) -> None:
    profile, secret = Profile.from_sandbox_json(SANDBOX_PRINTOUT)
    assert secret == "s3cr3t-sandbox-value"
    assert profile.name == "Sandbox" and profile.token_style == "form"
    assert profile.api_base_url == "http://127.0.0.1:8765/api/v1"
    assert profile.audience == "http://127.0.0.1:8765"
    assert profile.scopes == "create:jobs read:jobs partner:ea"
    assert profile.problems() == []
    store.add(profile)
    assert "s3cr3t" not in store.path.read_text()
    assert "s3_endpoint" not in store.path.read_text()


def test_sandbox_printout_without_secret_or_with_string_scopes() -> None:
    printout = {**SANDBOX_PRINTOUT, "scopes": "create:jobs  partner:ea", "client_secret": ""}
    profile, secret = Profile.from_sandbox_json(printout, name="Practice")
    assert secret is None and profile.name == "Practice"
    assert profile.scopes == "create:jobs partner:ea"
    with pytest.raises(ProfileError, match="token url"):
        Profile.from_sandbox_json({**SANDBOX_PRINTOUT, "token_url": None})


def test_problems_are_plain_words() -> None:
    bad = _profile(name=" ", api_base_url="runway.example.org", client_id="")
    problems = bad.problems()
    assert len(problems) == 3
    assert any("https://" in p for p in problems)


def test_recent_values_keep_ten_most_recent_without_duplicates(
    runway_home: Path,  # noqa: F811
) -> None:
    path = runway_home / "recent.json"
    recent = RecentValues(path)
    for i in range(12):
        recent.remember_tenant("ea", f"tenant-{i}")
    recent.remember_tenant("ea", "tenant-5")
    recent.remember_tenant("other", "t")
    recent.remember_submission("ea", "tenant-9", "assessments/STAR", "2026")
    recent.remember_bundle("assessments/PSAT_SAT")
    again = RecentValues(path)
    tenants = again.tenants("ea")
    assert tenants[:3] == ["tenant-9", "tenant-5", "tenant-11"]
    assert len(tenants) == 10 and len(set(tenants)) == 10
    assert again.tenants("other") == ["t"] and again.tenants("nobody") == []
    assert again.bundle_paths() == ["assessments/PSAT_SAT", "assessments/STAR"]
    assert again.last_school_year == "2026"


@pytest.mark.parametrize(
    "content", ["{broken", "[1, 2]", '{"tenants": {"ea": "x"}, "bundles": [3, "ok"]}']
)
def test_recent_values_survive_a_damaged_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "recent.json"
    path.write_text(content)
    recent = RecentValues(path)
    assert recent.tenants("ea") == [] and recent.last_school_year is None
    recent.remember_school_year("2025")
    assert RecentValues(path).last_school_year == "2025"
