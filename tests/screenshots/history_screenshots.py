"""Render the History screen to PNG files, to look at it as a first-time user would.

    QT_QPA_PLATFORM=offscreen python tests/screenshots/history_screenshots.py [OUT_DIR]

Real submissions in each status are made against the sandbox in a child process with the real
pipeline; then the page is grabbed: the list, a selected submission's detail with its step
timeline, a failed one, the filters in use, and the empty state. Default OUT_DIR: /tmp.
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


async def shoot(out: Path) -> list[Path]:
    from history_helpers import Maker
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QWidget
    from sandbox_process import SandboxProcess

    from runway_desktop.base.resources import samples_dir
    from runway_desktop.core.session import Session, connect
    from runway_desktop.core.submission_state import SubmissionState
    from runway_desktop.history.records import utc_now
    from runway_desktop.history.store import HistoryStore
    from runway_desktop.settings import Profile
    from runway_desktop.ui.history.page import HistoryPage
    from runway_desktop.ui.notifier import Notifier

    saved: list[Path] = []

    def grab(widget: QWidget, name: str) -> None:
        for _ in range(3):
            QApplication.processEvents()
        path = out / f"history_{name}.png"
        widget.grab().save(str(path))
        saved.append(path)

    # A child, never a thread here: a collection on a server thread beside Qt can crash Qt.
    sandbox = SandboxProcess(executor_delay=0.3, visibility_lag=0.3)
    printed = sandbox.start()
    services = Session.create()
    try:
        profile, secret = Profile.from_sandbox_json(printed, name="Sandbox")
        connection = connect(services.http, profile, secret or "")
        make = Maker(sandbox, services.http, connection.client, services.history,
                     services.registry, samples_dir(), profile.name, services.links)  # fmt: skip
        loaded = await make.submit(make.psat_request("2026"))
        processed = await make.submit(make.map_request("2025"))
        for result in (loaded, processed):  # the executor reads its outcome when it runs
            assert result.job_uid is not None
            await make.wait_runs_finished(result.job_uid)
        sandbox.set_executor(outcome="fail")
        failed = await make.submit(make.map_request("2026"))
        assert failed.job_uid is not None
        await make.wait_runs_finished(failed.job_uid)
        sandbox.set_executor(outcome="auto", delay_seconds=600)
        # The failed run started three hours ago as far as the History screen can tell.
        services.history.set_state(
            failed.submission_id, "started", started_at=utc_now() - timedelta(hours=3)
        )
        await make.cancelled_upload(make.map_request("2026"))
        await make.create_refused(make.psat_request("2025"))
        waiting = await make.submit(make.map_request("2026"))

        notifier = Notifier(QIcon())
        page = HistoryPage(services, notifier)
        page.resize(830, 720)
        page.setContentsMargins(12, 12, 12, 12)
        page.show()
        page.set_connection(connection)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while len(page.poller.waiting()) > 2 and loop.time() < deadline:
            page.on_check_now()
            await asyncio.sleep(0.3)
        page.refresh()
        grab(page, "list")
        page.select_submission(loaded.submission_id)
        grab(page, "detail_loaded")
        page.resize(830, 1150)  # tall enough to show the whole detail with its timeline
        grab(page, "detail_timeline")
        page.resize(830, 720)
        page.select_submission(failed.submission_id)
        grab(page, "detail_no_result")
        cancelled_id = waiting.submission_id - 2
        page.select_submission(cancelled_id)
        grab(page, "detail_interrupted")
        page.select_submission(waiting.submission_id - 1)
        grab(page, "detail_not_sent")
        page.filters.set_status(SubmissionState.PROCESSED)
        grab(page, "filtered")
        page.filters.search.setText("no such file")
        grab(page, "no_match")
        page.close()

        empty_store = HistoryStore(out / "history-empty.sqlite3")
        empty = HistoryPage(replace(services, history=empty_store), notifier)
        empty.resize(830, 520)
        empty.show()
        grab(empty, "empty")
        empty.close()
        empty_store.close()
    finally:
        await services.aclose()
        sandbox.stop()
    return saved


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("RUNWAY_DESKTOP_HOME", str(out / "history-shots-home"))
    out.mkdir(parents=True, exist_ok=True)
    import qasync
    from PySide6.QtWidgets import QApplication

    from runway_desktop.ui.theme import apply_theme

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    apply_theme(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        for path in loop.run_until_complete(shoot(out)):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
