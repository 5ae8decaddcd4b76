"""Writes tests/history/data/history-0.1.0.sqlite3 with the 0.1.0 history store.

Kept for the record of how the fixture was made: it ran once, against the store as it was in
0.1.0 (schema user_version 1). Later stores must open the file with every row intact
(tests/history/test_history_migrations.py); re-running this with a newer store would make a
newer file, so don't.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from runway_desktop.history.records import FileRecord
from runway_desktop.history.store import HistoryStore

OUT = Path(__file__).resolve().parent / "data" / "history-0.1.0.sqlite3"


def main() -> int:
    OUT.unlink(missing_ok=True)
    store = HistoryStore(OUT)
    docs = Path("/home/clerk/Documents")
    files = [
        FileRecord("INPUT_FILE", docs / "SR.csv", "SR.csv", 2048, 1, "a" * 32),
        FileRecord("INPUT_FILE_DS", docs / "DS.csv", "DS.csv", 512, 2, "b" * 32),
    ]

    def create(chosen: list[FileRecord]) -> int:
        return store.create_submission(
            profile="Runway", api_base_url="https://runway.example.org/api/v1", partner="acme",
            tenant="district-a", school_year="2026", params={"FORMAT": "Standard"},
            bundle="assessments/STAR", bundle_name="Star Assessments", files=chosen,
        )  # fmt: skip

    # 1: started and processed (a set seen, downloaded)
    done = create(files)
    for env in ("INPUT_FILE", "INPUT_FILE_DS"):
        store.mark_uploaded(done, env, etag='"' + "a" * 32 + '"', etag_checked=True)
    store.set_state(done, "started", job_uid="11111111-1111-4111-8111-111111111111",
                    job_created_at=datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
                    start_requested_at=datetime(2026, 11, 30, 8, 1, tzinfo=UTC),
                    started_at=datetime(2026, 11, 30, 8, 1, tzinfo=UTC),
                    finished_at=datetime(2026, 11, 30, 8, 1, tzinfo=UTC))  # fmt: skip
    step = store.step_started(done, "UPLOAD")
    store.step_finished(step, "done")
    store.record_output_sets([{
        "uid": "22222222-2222-4222-8222-222222222222",
        "job_uid": "11111111-1111-4111-8111-111111111111", "partner": "acme",
        "tenant": "district-a", "school_year": "2026", "bundle": "assessments/STAR",
        "sent_to_ods": True, "created_at": "2026-11-30T08:05:00.000Z",
    }])  # fmt: skip
    store.record_download("Runway", "22222222-2222-4222-8222-222222222222",
                          folder=Path("/home/clerk/Runway results/acme/set"), state="complete",
                          files=["studentAssessments.jsonl"])  # fmt: skip
    store.set_watch_cursor("Runway", "acme", datetime(2026, 11, 30, 8, 5, tzinfo=UTC))
    # 2: failed on create (possibly created)
    failed = create(files[:1])
    store.set_state(failed, "failed", error_kind="ServerError",
                    error_message="Runway had a problem.",
                    error_next_step="Try again later.", orphan_job_possible=1,
                    finished_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC))  # fmt: skip
    # 3: left uploading by a process that died
    stuck = create(files[:1])
    store.set_state(stuck, "uploading", job_uid="33333333-3333-4333-8333-333333333333",
                    job_created_at=datetime(2026, 12, 1, 10, 0, tzinfo=UTC))  # fmt: skip
    # 4: cancelled by the user
    cancelled = create(files[:1])
    store.set_state(cancelled, "cancelled", error_kind="Cancelled",
                    error_message="You cancelled the submission.",
                    finished_at=datetime(2026, 12, 1, 11, 0, tzinfo=UTC))  # fmt: skip
    store.close()
    print(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
