"""Practice mode keeps its own History: practice never shows among real submissions."""

from __future__ import annotations

from runway_desktop.base.paths import data_dir
from runway_desktop.core.session import Session


def record_one(session: Session) -> int:
    return session.history.create_submission(
        profile="Sandbox", api_base_url="http://127.0.0.1:8765/api/v1", partner="acme",
        tenant="district-a", school_year="2026", bundle="assessments/STAR",
        bundle_name="Star Assessments", params={}, files=[],
    )  # fmt: skip


def test_practice_submissions_stay_out_of_the_real_history() -> None:
    practice, real = Session.create(practice=True), Session.create()
    try:
        practiced = record_one(practice)
        assert [r.id for r in practice.history.submissions()] == [practiced]
        assert real.history.submissions() == []
        sent = record_one(real)
        assert [r.id for r in real.history.submissions()] == [sent]
        assert [r.id for r in practice.history.submissions()] == [practiced]
        assert practice.history.path.parent.parent == real.history.path.parent == data_dir()
    finally:
        practice.history.close()
        real.history.close()
