"""Export diagnostics: the log and the chosen records in a zip, with no credential inside."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from runway_desktop.core.submission_state import state_json
from runway_desktop.history.diagnostics import export_diagnostics
from runway_desktop.history.records import FileRecord
from runway_desktop.history.store import HistoryStore

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzdXBwb3J0In0.c2lnbmF0dXJl"
SECRET = "Sandbox-Client-Secret-123"
PRESIGNED = (
    "http://127.0.0.1:9000/runway/acme/j1/input/a.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Signature=abcdef0123456789"
)
MD5 = "d41d8cd98f00b204e9800998ecf8427e"
SIGNATURE = re.compile(r"X-Amz-Signature=(?!\[redacted\])")


def scan(path: Path, *needles: str) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    for name, text in contents.items():
        for needle in needles:
            assert needle not in text, f"{needle!r} leaked into {name}"
        assert not SIGNATURE.search(text), f"a presigned signature leaked into {name}"
    return contents


def test_zip_holds_records_and_logs_without_any_secret(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3")
    csv = tmp_path / "scores.csv"
    csv.write_text("StudentID\n1\n")
    submission = store.create_submission(
        profile="Sandbox", api_base_url="http://127.0.0.1/api/v1", partner="acme",
        tenant="district-a", school_year="2026", bundle="assessments/MAP_Growth",
        bundle_name="MAP Growth", params={"A": "1"},
        files=[FileRecord("INPUT_FILE", csv, "scores.csv", 12, 1, MD5)],
    )  # fmt: skip
    store.set_state(
        submission, "failed", job_uid="job-1",
        error_message=f"PUT {PRESIGNED} refused; Authorization: Bearer {TOKEN}",
        error_next_step=f"client_secret={SECRET} was used",
    )  # fmt: skip
    record = store.get(submission)
    assert record is not None
    logs = tmp_path / "logs"
    logs.mkdir()
    # A log written before redaction existed (or by hand): raw credentials in it.
    (logs / "runway-desktop.log.1").write_text(f"old {PRESIGNED}\ntoken {TOKEN}\n{SECRET}\n")
    (logs / "runway-desktop.log").write_text("INFO started\n")

    export = export_diagnostics(
        tmp_path / "out" / "diag.zip",
        [record],
        sorted(logs.iterdir()),
        secrets=[SECRET],
        state_of=state_json,
    )
    store.close()

    assert (export.submissions, export.log_files) == (1, 2)
    contents = scan(export.path, SECRET, TOKEN, "abcdef0123456789")
    assert set(contents) == {
        "README.txt", "about.json", "submissions.json",
        "logs/runway-desktop.log", "logs/runway-desktop.log.1",
    }  # fmt: skip
    records = json.loads(contents["submissions.json"])
    assert records[0]["job_uid"] == "job-1"
    assert records[0]["files"][0]["md5"] == MD5
    assert records[0]["derived_state"]["state"] == "uploaded_not_started"
    assert records[0]["derived_state"]["label"] == "Uploaded, not started"
    assert "a.csv?[redacted]" in records[0]["error_message"]
    assert not export.path.with_name("diag.zip.part").exists()
