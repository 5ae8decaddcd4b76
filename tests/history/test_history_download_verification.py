"""History records how each downloaded file was checked: "verified (MD5)" or "size only".

Schema v3 adds the column; a 0.1.0 database gains it with its downloads intact (and claims no
verification for them). A real set download, from a server whose ETags are an MD5 for one file
and a multipart ETag for the other, records one of each.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from hostile_http import TOKEN_ANSWER, HostileRequest, Writer, hostile_server, json_answer, whole

from runway_desktop.api.auth import TokenProvider, TokenSettings
from runway_desktop.api.client import RunwayClient
from runway_desktop.api.http import make_http_client
from runway_desktop.api.models import OutputSet
from runway_desktop.core.outputs.downloader import STATE_COMPLETE, SetDownloader, verification_text
from runway_desktop.history.migrations import SCHEMA_VERSION
from runway_desktop.history.store import HistoryStore

V010 = Path(__file__).resolve().parent / "data" / "history-0.1.0.sqlite3"
OLD_SET = "22222222-2222-4222-8222-222222222222"
SET_UID = "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d"
FILES = {"assessments.jsonl": b'{"a": 1}\n' * 1000, "studentAssessments.jsonl": b'{"s": 2}\n' * 999}
ETAGS = {
    "assessments.jsonl": hashlib.md5(FILES["assessments.jsonl"]).hexdigest(),
    "studentAssessments.jsonl": "0123456789abcdef0123456789abcdef-2",  # multipart: no MD5
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_v3_adds_verification_and_keeps_010_downloads(tmp_path: Path) -> None:
    copy = tmp_path / "history.sqlite3"
    shutil.copyfile(V010, copy)
    store = HistoryStore(copy)
    try:
        assert store.downloaded_set_uids("Runway") == {OLD_SET}
        assert store.download_verification("Runway", OLD_SET) == {}  # never claimed verified
        store.record_download(
            "Runway", OLD_SET, folder=tmp_path, state=STATE_COMPLETE, files=["a.jsonl"],
            verification={"a.jsonl": "md5"},
        )  # fmt: skip
        assert store.download_verification("Runway", OLD_SET) == {"a.jsonl": "md5"}
    finally:
        store.close()
    db = sqlite3.connect(copy)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 3
    db.close()


async def storage_and_runway(request: HostileRequest, writer: Writer) -> None:
    if request.path.startswith("/token"):
        writer.write(TOKEN_ANSWER)
    elif request.path.startswith(f"/api/v1/output-sets/{SET_UID}/download-links"):
        base = f"http://{request.headers['host']}"
        links = {name: f"{base}/bucket/{name}?X-Amz-Signature=s" for name in FILES}
        writer.write(json_answer(200, {"downloadLinks": links}))
    else:
        name = request.path.split("?")[0].rsplit("/", 1)[-1]
        writer.write(whole(200, FILES[name], {"ETag": f'"{ETAGS[name]}"'}))


@pytest.mark.anyio
async def test_a_set_download_records_how_each_file_was_checked(tmp_path: Path) -> None:
    output_set = OutputSet.from_json(
        {
            "uid": SET_UID, "files": list(FILES), "sentToOds": False,
            "createdAt": "2026-03-15T14:30:00.123Z",
            "jobUid": "0b2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d", "partner": "acme",
            "tenant": "district-a", "schoolYear": "2026", "bundle": "assessments/STAR",
        }
    )  # fmt: skip
    history = HistoryStore(tmp_path / "history.sqlite3")
    http = make_http_client()
    try:
        with hostile_server(storage_and_runway) as server:
            tokens = TokenProvider(http, TokenSettings(f"{server.url}/token", "id", "secret"))
            client = RunwayClient(http, f"{server.url}/api", tokens)
            downloader = SetDownloader(
                client, http, history, profile_name="p", assessment_name=lambda _: "STAR"
            )
            result = await downloader.download(output_set, tmp_path / "out")
        assert result.ok, result.error
        expected = {"assessments.jsonl": "md5", "studentAssessments.jsonl": "size"}
        assert dict(result.verification) == expected
        assert history.download_verification("p", SET_UID) == expected
        words = {n: verification_text(k) for n, k in expected.items()}
        assert words == {
            "assessments.jsonl": "verified (MD5)",
            "studentAssessments.jsonl": "size only",
        }
        row = sqlite3.connect(history.path).execute("SELECT files_json FROM downloads").fetchone()
        assert sorted(json.loads(row[0])) == sorted(FILES)
    finally:
        await http.aclose()
        history.close()
