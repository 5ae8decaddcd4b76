"""The shipped signature index: up to date with the bundle snapshot, shipped with its Apache-2.0
notice, and the only thing the app reads (never the snapshot itself)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runway_desktop.bundles.signatures import default_index_path, load_index, shipped_index

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / "tools" / "build_signature_index.py"
SNAPSHOT = REPO.parent / "shared" / "bundles" / "earthmover_edfi_bundles"
needs_snapshot = pytest.mark.skipif(
    not (SNAPSHOT / "assessments").is_dir(),
    reason=f"the bundle snapshot ({SNAPSHOT}) is not beside the repository, so the committed "
    "index cannot be compared with it here",
)


def _run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), "--snapshot", str(SNAPSHOT), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )


@needs_snapshot
def test_the_committed_index_and_notice_are_up_to_date_with_the_snapshot() -> None:
    result = _run_tool("--check")
    assert result.returncode == 0, (
        f"{result.stderr.strip()} — run: .venv/bin/python tools/build_signature_index.py"
    )


@needs_snapshot
def test_the_check_notices_a_stale_index(tmp_path: Path) -> None:
    shipped = default_index_path()
    stale = tmp_path / "signatures.json"
    shutil.copy(shipped, stale)
    shutil.copy(shipped.with_name("signatures.NOTICE"), tmp_path / "signatures.NOTICE")
    assert _run_tool("--check", "--out", str(stale)).returncode == 0
    data = json.loads(stale.read_text(encoding="utf-8"))
    data["bundles"].pop("assessments/STAR")
    stale.write_text(json.dumps(data), encoding="utf-8")
    result = _run_tool("--check", "--out", str(stale))
    assert result.returncode == 1 and "out of date" in result.stderr
    # A notice that lost its licence text is stale too.
    stale.unlink()
    assert _run_tool("--out", str(stale)).returncode == 0
    (tmp_path / "signatures.NOTICE").write_text("no licence here\n", encoding="utf-8")
    assert _run_tool("--check", "--out", str(stale)).returncode == 1


def test_the_index_ships_with_its_apache_notice() -> None:
    index_path = default_index_path()
    source = json.loads(index_path.read_text(encoding="utf-8"))["source"]
    assert source["license"] == "Apache-2.0"
    notice = index_path.with_name(source["notice"])
    text = notice.read_text(encoding="utf-8")
    assert "edanalytics/earthmover_edfi_bundles" in text
    assert source["commit"] in text
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text


def test_the_shipped_index_loads_and_covers_the_registry() -> None:
    index = shipped_index()
    assert shipped_index() is index  # loaded once per process
    assert load_index(default_index_path()).bundles.keys() == index.bundles.keys()
    registry = json.loads((default_index_path().parent / "registry.json").read_text("utf-8"))
    for entry in registry["assessments"]:
        for slot in entry["input_files"]:
            assert index.slot(entry["path"], slot["env_var"]) is not None, entry["path"]


def test_the_app_never_reads_the_snapshot_at_run_time() -> None:
    # The snapshot sits beside the checkout on developer machines only; an installed app that
    # reached for it would work here and fail everywhere else.
    # (The registry's download URL names the repository on GitHub; that is not the snapshot.)
    pattern = re.compile(r"shared[/\\\"', ]+bundles")
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "runway_desktop").rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
