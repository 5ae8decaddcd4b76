"""Every practice file: small, identified by the app as its own slot's, and one it would send
there without a question (only its school year may differ from the one chosen)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runway_desktop.base.resources import samples_dir
from runway_desktop.bundles.file_identity import identify_file
from runway_desktop.bundles.preflight import inspect_file
from runway_desktop.bundles.registry import load_snapshot
from runway_desktop.core.practice import practice_files
from runway_desktop.core.submit.checks import find_mismatches

# resources/ ships with every installer: the samples stay a small part of it.
MAX_FILE_BYTES = 256 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024
MAX_DATA_ROWS = 300  # tools/build_practice_samples.py cuts longer samples to this


def _practice() -> list[tuple[str, str, Path]]:
    return [
        (bundle, env, path)
        for bundle, slots in practice_files().items()
        for env, paths in slots.items()
        for path in paths
    ]


def test_every_bundle_of_the_registry_has_practice_files() -> None:
    # All 42 registry bundles ship samples in the snapshot (the other 8 that do cannot run).
    assert set(practice_files()) == {b.path for b in load_snapshot()}
    assert len(_practice()) >= 60


def test_the_practice_files_are_small() -> None:
    files = [p for p in samples_dir().rglob("*") if p.is_file()]
    assert {p for _, _, p in _practice()} <= set(files)
    sizes = [p.stat().st_size for p in files]
    assert max(sizes) <= MAX_FILE_BYTES
    assert sum(sizes) <= MAX_TOTAL_BYTES


@pytest.mark.parametrize(
    ("bundle", "env_var", "path"), _practice(), ids=lambda v: str(v).rsplit("/", 2)[-1][-48:]
)
def test_a_practice_file_is_identified_and_sendable_in_its_own_slot(
    bundle: str, env_var: str, path: Path
) -> None:
    identity = identify_file(path)
    assert (identity.bundle, identity.env_var) == (bundle, env_var)
    registry_bundle = load_snapshot().get(bundle)
    assert registry_bundle is not None
    slot = registry_bundle.file(env_var)
    assert slot is not None and slot.accepts_extension(path.suffix)
    report = inspect_file(path, slot)
    assert report.ok, report.errors
    assert report.row_count <= MAX_DATA_ROWS
    # Nothing to decide before sending, bar the year (practice files are years old).
    mismatches = find_mismatches({env_var: report}, "2026")
    assert [m for m in mismatches if m.kind != "year"] == []
