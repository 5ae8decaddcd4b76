"""Render the Output sets screen to PNG files, to look at it as a district analyst would.

    QT_QPA_PLATFORM=offscreen python tests/screenshots/output_sets_screenshots.py [OUT_DIR]

Against the sandbox in a child process: a table of a few dozen sets (some downloaded, one
failed, one downloading), an empty state, a listing error and a download error. Default
OUT_DIR: /tmp (files named outsets_*.png).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: sandbox_process
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("RUNWAY_DESKTOP_HOME", tempfile.mkdtemp(prefix="runway-shots-"))


async def wait_for(condition: Callable[[], bool], limit: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("the screen never reached the expected state")
        await asyncio.sleep(0.05)


async def shoot(out: Path) -> list[Path]:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QWidget
    from sandbox_process import SandboxProcess

    from runway_desktop.core.outputs.browse import LocalState
    from runway_desktop.core.session import Session, connect
    from runway_desktop.settings import Profile
    from runway_desktop.ui.notifier import Notifier
    from runway_desktop.ui.output_sets.page import OutputSetsPage
    from runway_desktop.ui.theme import apply_theme

    saved: list[Path] = []
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)

    def grab(widget: QWidget, name: str) -> None:
        QApplication.processEvents()
        path = out / f"outsets_{name}.png"
        widget.grab().save(str(path))
        saved.append(path)

    # A child, never a thread here: a collection on a server thread beside Qt can crash Qt.
    with SandboxProcess(executor_delay=0.2, visibility_lag=0.3) as sandbox:
        services = Session.create()
        prefs = services.preferences
        root = Path(tempfile.mkdtemp(prefix="runway-dl-")) / "Runway"
        prefs.save(prefs.load().with_changes(download_root=str(root)))
        profile, secret = Profile.from_sandbox_json(sandbox.profile, name="Practice")
        assert secret is not None
        connection = connect(services.http, profile, secret)
        page = OutputSetsPage(services, Notifier(QIcon()))
        page.resize(1180, 720)
        page.setStyleSheet("QWidget#OutputSetsPage { background: palette(window); }")
        page.show()

        # Empty first: nothing processed yet.
        page.set_connection(connection, ["acme", "ea"])
        await wait_for(lambda: page.listing.loaded_filter is not None)
        grab(page, "empty")

        now = datetime.now(UTC)
        kinds = [
            ("district-a", "2026", "assessments/MAP_Growth", True),
            ("district-b", "2026", "assessments/PSAT_SAT", True),
            ("district-a", "2025", "assessments/STAR", False),
            ("lincoln-county-unified", "2026", "assessments/ACT", True),
        ]
        files = {
            "assessments.jsonl": b'{"a":1}\n',
            "studentAssessments.jsonl": b'{"s":1}\n' * 2000,
            "objectiveAssessments.jsonl": b'{"o":1}\n',
        }
        for i in range(36):
            tenant, year, bundle, ods = kinds[i % len(kinds)]
            sandbox.inject_output_sets(
                partner="acme", tenant=tenant, school_year=year, bundle=bundle, count=1,
                sent_to_ods=ods, files=dict(list(files.items())[: 1 + i % 3]),
                created_on=now - timedelta(hours=7 * i, minutes=3),
            )  # fmt: skip
        page.refresh()
        await wait_for(lambda: page.model.rowCount() == 36)
        uids = [page.model.rows[r].uid for r in range(page.model.rowCount())]
        newest = sorted(page.model.rows, key=lambda r: r.output_set.created_at)[-6:]
        page.controller.download([r.output_set for r in newest[:3]])
        await wait_for(lambda: not page.controller.is_busy())
        sandbox.faults.set("s3_error", {"status": 403, "count": 1})
        page.controller.download([newest[3].output_set])
        await wait_for(lambda: not page.controller.is_busy())
        # Frozen mid-transfer for the picture (a real one is over in milliseconds here).
        page.model.set_state(newest[4].uid, LocalState("downloading", root, fraction=0.42))
        page.model.set_state(newest[5].uid, LocalState("queued"))
        page.table.selectRow(6)
        grab(page, "table")

        page.filters.search.setText("lincoln")
        grab(page, "search")
        page.filters.search.setText("no-such-district")
        grab(page, "search_empty")
        page.filters.search.setText("")

        sandbox.faults.set("api_error", {"status": 503})
        page.refresh()
        await wait_for(lambda: page.banner.isVisible(), limit=60)
        sandbox.faults.set("api_error", None)
        grab(page, "error")

        page.filters.school_year.setCurrentIndex(page.filters.school_year.findData("2024"))
        await wait_for(lambda: page.model.rowCount() == 0)
        grab(page, "empty_filtered")
        print(len(uids), "sets")
        page.controller.shutdown()
        page.close()
        await services.aclose()
    return saved


def main() -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        saved = loop.run_until_complete(shoot(out))
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
