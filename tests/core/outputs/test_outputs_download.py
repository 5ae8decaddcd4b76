"""SetDownloader against the sandbox: layout, fresh links, hostile names, disk trouble, kills."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import core_helpers
import httpx
import pytest
from core_helpers import PARTNER, Core

from runway_desktop.api.models import OutputSet, OutputSetFilter
from runway_desktop.history.store import HistoryStore

pytestmark = pytest.mark.anyio
# Fixtures shared with the other core suites (assigned, not imported: ruff F811).
anyio_backend = core_helpers.anyio_backend
core = core_helpers.core
CREATED = datetime(2026, 3, 15, 14, 30, 5, 123456, tzinfo=UTC)
FILES = {
    "assessments.jsonl": b'{"assessmentIdentifier":"SAT"}\n',
    "studentAssessments.jsonl": b"".join(b'{"row":%d}\n' % i for i in range(5000)),
}


async def inject(core: Core, files: dict[str, bytes], **kwargs: object) -> OutputSet:
    args: dict[str, object] = {
        "partner": PARTNER, "tenant": "district-a", "school_year": "2026",
        "bundle": "assessments/PSAT_SAT", "count": 1, "sent_to_ods": True, "files": files,
        "created_on": CREATED,
    }  # fmt: skip
    args.update(kwargs)
    (uid,) = core.sandbox.inject_output_sets(**args)
    listed = await core.client.list_output_sets(OutputSetFilter(partner=PARTNER))
    return next(s for s in listed if s.uid == uid)


def jsonl_outside(tree: Path, folder: Path) -> set[Path]:
    """JSONL files in ``tree`` (and /tmp's top level) that are not inside ``folder``."""
    found = {p for p in tree.rglob("*.jsonl") if folder not in p.parents}
    return found | set(Path("/tmp").glob("evil*.jsonl"))


def files_under(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not p.name.endswith(".part")
    }


async def test_every_file_byte_for_byte_in_a_readable_folder(core: Core) -> None:
    output_set = await inject(core, FILES)
    root = core.tmp / "Runway output"  # does not exist yet
    result = await core.downloader().download(output_set, root)

    assert result.ok, result.error
    stamp = CREATED.astimezone().strftime("%Y-%m-%d_%H%M%S")
    expected = (
        root / "acme" / "district-a" / "2025-26" / "PSAT_SAT" / f"{stamp}_{output_set.uid[:8]}"
    )
    assert result.folder == expected
    assert files_under(expected) == FILES
    assert files_under(root) == {str((expected / n).relative_to(root)): b for n, b in FILES.items()}
    assert core.history.download_state("sandbox", output_set.uid) == ("complete", expected)
    assert core.history.downloaded_set_uids("sandbox") == {output_set.uid}


async def test_expired_link_is_refreshed(core: Core) -> None:
    output_set = await inject(core, {"assessments.jsonl": b"a\n"})
    link_requests: list[str] = []

    async def count(request: httpx.Request) -> None:
        if request.url.path.endswith("/download-links"):
            link_requests.append(request.url.path)

    core.http.event_hooks["request"].append(count)
    core.sandbox.faults.set("s3_expired", {"count": 1})
    result = await core.downloader().download(output_set, core.tmp / "out")

    assert result.ok, result.error
    assert core.sandbox.faults.snapshot() == {}
    assert len(link_requests) == 2  # the first links, then fresh ones after the 403
    assert files_under(result.folder) == {"assessments.jsonl": b"a\n"}


async def test_hostile_file_names_stay_inside_and_do_not_collide(core: Core) -> None:
    hostile = {
        "CON.jsonl": b"con",
        "a/b.jsonl": b"nested",
        "a_b.jsonl": b"plain",
        "A_B.jsonl": b"upper",  # the same file as a_b.jsonl on Windows and macOS
        ".hidden.jsonl": b"hidden",
        "x:y?.jsonl": b"colon",
    }
    output_set = await inject(core, hostile)
    assert set(output_set.files) == set(hostile)
    result = await core.downloader().download(output_set, core.tmp / "out")

    assert result.ok, result.error
    assert {p.parent for p in result.files} == {result.folder}
    names = [p.name for p in result.files]
    assert len({n.casefold() for n in names}) == len(hostile), names  # no silent overwrite
    assert sorted(files_under(result.folder).values()) == sorted(hostile.values())
    assert "CON.jsonl" not in names and not any(n.startswith(".") for n in names)
    state = core.history.download_state("sandbox", output_set.uid)
    assert state == ("complete", result.folder)


@pytest.mark.parametrize("name", ["../evil.jsonl", "../../../../../../tmp/evil2.jsonl"])
async def test_dot_segment_names_never_escape_the_folder(core: Core, name: str) -> None:
    output_set = await inject(core, {name: b"evil", "assessments.jsonl": b"ok"})
    result = await core.downloader().download(output_set, core.tmp / "out")

    # httpx removes "../" from the link's path, so S3 refuses the signature: the set fails.
    # Whatever happens, nothing may be written outside the set's folder.
    assert jsonl_outside(core.tmp, result.folder) == set()
    if result.ok:
        assert sorted(files_under(result.folder).values()) == [b"evil", b"ok"]
    else:
        assert result.error is not None and result.error.next_step
        state = core.history.download_state("sandbox", output_set.uid)
        assert state is not None and state[0] == "failed"


async def test_unwritable_root_fails_plainly(core: Core) -> None:
    output_set = await inject(core, FILES)
    root = core.tmp / "not-a-folder"
    root.write_bytes(b"a file where the download folder should be")
    result = await core.downloader().download(output_set, root)

    assert not result.ok and result.error is not None
    assert "Traceback" not in result.error.message and result.error.next_step
    assert core.history.download_state("sandbox", output_set.uid) == ("failed", result.folder)
    assert core.history.downloaded_set_uids("sandbox") == set()


async def test_failed_transfer_leaves_nothing_under_the_final_name(core: Core) -> None:
    output_set = await inject(core, FILES)
    core.sandbox.faults.set("s3_error", {"status": 400, "count": 1})
    result = await core.downloader().download(output_set, core.tmp / "out")

    assert not result.ok and result.error is not None
    state = core.history.download_state("sandbox", output_set.uid)
    assert state is not None and state[0] == "failed"
    for name in FILES:
        if (result.folder / name).exists():  # another file may have finished: it is whole
            assert (result.folder / name).read_bytes() == FILES[name]
    assert files_under(core.tmp / "out") != FILES or len(files_under(core.tmp / "out")) < 2


SCRIPT = """
import asyncio, json, os, resource, signal, sys, time
from pathlib import Path
from runway_desktop.api.auth import TokenProvider, TokenSettings
from runway_desktop.api.client import RunwayClient
from runway_desktop.api.http import make_http_client
from runway_desktop.api.models import OutputSetFilter
from runway_desktop.history.store import HistoryStore
from runway_desktop.core.outputs.downloader import SetDownloader

async def main():
    env = os.environ
    p = json.loads(env["SANDBOX_PROFILE"])
    http = make_http_client()
    settings = TokenSettings(p["token_url"], p["client_id"], p["client_secret"],
                             audience=p["audience"])
    client = RunwayClient(http, p["api_base_url"], TokenProvider(http, settings))
    sets = await client.list_output_sets(OutputSetFilter(partner="acme"))
    target = next(s for s in sets if s.uid == env["SET_UID"])
    history = HistoryStore(Path(env["HISTORY_DB"]))
    def progress(report):
        if env["MODE"] == "hang" and report.bytes_done > 0:
            print("receiving", flush=True)
            time.sleep(60)
    if env["MODE"] == "fsize":
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = int(env["LIMIT"])
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    downloader = SetDownloader(client, http, history, profile_name="sandbox",
                               assessment_name=lambda bundle: "PSAT_SAT")
    result = await downloader.download(target, Path(env["ROOT"]), on_progress=progress)
    error = result.error
    print(json.dumps({"ok": result.ok, "folder": str(result.folder),
                      "message": error and error.message, "next": error and error.next_step}))

asyncio.run(main())
"""


def run_child(core: Core, uid: str, mode: str, **env: str) -> subprocess.Popen[str]:
    full = {
        **os.environ, "SANDBOX_PROFILE": json.dumps(core.sandbox.profile), "SET_UID": uid,
        "HISTORY_DB": str(core.tmp / "child.sqlite3"), "ROOT": str(core.tmp / "out"),
        "MODE": mode, **env,
    }  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT], env=full, stdout=subprocess.PIPE, text=True
    )


def child_state(core: Core, uid: str) -> str | None:
    history = HistoryStore(core.tmp / "child.sqlite3")
    try:
        state = history.download_state("sandbox", uid)
    finally:
        history.close()
    return None if state is None else state[0]


async def test_disk_full_fails_plainly_with_nothing_under_the_final_name(core: Core) -> None:
    big = os.urandom(3 * 1024 * 1024)
    output_set = await inject(core, {"studentAssessments.jsonl": big})
    child = run_child(core, output_set.uid, "fsize", LIMIT=str(1024 * 1024))
    out, _ = child.communicate(timeout=60)
    report = json.loads(out.strip().splitlines()[-1])

    assert report["ok"] is False
    assert "studentAssessments.jsonl" in report["message"] and report["next"]
    assert not (Path(report["folder"]) / "studentAssessments.jsonl").exists()
    assert child_state(core, output_set.uid) == "failed"


async def test_killed_transfer_leaves_nothing_under_the_final_name(core: Core) -> None:
    big = os.urandom(4 * 1024 * 1024)
    output_set = await inject(core, {"studentAssessments.jsonl": big})
    child = run_child(core, output_set.uid, "hang")
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "receiving"
    finally:
        child.kill()
        child.wait(timeout=10)

    folder = core.downloader().folder_for(output_set, core.tmp / "out")
    assert not (folder / "studentAssessments.jsonl").exists()
    assert child_state(core, output_set.uid) == "downloading"  # never "complete"
    # The next attempt finishes the job properly.
    result = await core.downloader().download(output_set, core.tmp / "out")
    assert result.ok, result.error
    assert (folder / "studentAssessments.jsonl").read_bytes() == big
