"""Render the app's screens to PNG files, to look at them as a first-time user would.

    QT_QPA_PLATFORM=offscreen python tests/screenshots/take_screenshots.py [OUT_DIR] [--scale 2]

Drives the real main window in practice mode against the sandbox in a child process (as the
app runs it): the empty form, a filled form, a running upload, a success, a field error from
Runway, a failure with Retry, and the first-run connection dialog. Default OUT_DIR:
tests/screenshots/out (not committed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/: sandbox_process


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", type=Path, default=HERE / "out")
    parser.add_argument("--scale", type=float, default=1.0, help="device pixel ratio (HiDPI: 2)")
    return parser.parse_args()


async def wait_for(condition: Callable[[], bool], limit: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("the screen never reached the expected state")
        await asyncio.sleep(0.05)


def big_csv(path: Path, megabytes: int) -> Path:
    row = "605000,Doe,Jane,2026-03-14,1210,610,600\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("StudentID,LastName,FirstName,TestDate,Total,Reading,Math\n")
        handle.write(row * (megabytes * 1024 * 1024 // len(row)))
    return path


async def shoot(out: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication, QWidget
    from sandbox_process import SandboxProcess

    from runway_desktop.core.practice import practice_files
    from runway_desktop.core.session import Session, connect
    from runway_desktop.core.submit.events import FileProgress
    from runway_desktop.settings import Profile
    from runway_desktop.ui.event_adapter import dispatcher
    from runway_desktop.ui.main_window import MainWindow
    from runway_desktop.ui.settings.connection_dialog import ConnectionDialog

    saved: list[Path] = []

    def grab(widget: QWidget, name: str) -> None:
        QApplication.processEvents()
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        saved.append(path)

    # A child, never a thread here: a collection on a server thread beside Qt can crash Qt.
    sandbox = SandboxProcess(executor_delay=1.0, visibility_lag=0.3)
    printed = sandbox.start()
    services = Session.create()
    try:
        profile, secret = Profile.from_sandbox_json(printed, name="Sandbox")
        window = MainWindow(services, practice=True)
        window.submit_page.form.set_practice_files(practice_files())
        window.resize(1120, 780)
        window.show()
        window.set_connection(connect(services.http, profile, secret or ""))
        page, form = window.submit_page, window.submit_page.form
        await wait_for(lambda: bool(window.partners))
        grab(window, "01-submit-empty")

        form.partner.setCurrentText("acme")
        form.tenant.setEditText("district-a")
        form.select_school_year("2026")
        form.assessment.select_path("assessments/PSAT_SAT")
        form.params.set_values({"TEST_TYPE": "SAT"})
        sat = practice_files()["assessments/PSAT_SAT"]["INPUT_FILE"][0]
        form.slots.slot("INPUT_FILE").set_file(sat)  # type: ignore[union-attr]
        await wait_for(lambda: page.submit_button.isEnabled())
        grab(window, "02-submit-filled-psat")

        form.assessment.select_path("assessments/STAR")
        for env, paths in practice_files()["assessments/STAR"].items():
            form.slots.slot(env).set_file(paths[0])  # type: ignore[union-attr]
        await wait_for(lambda: page.submit_button.isEnabled())
        grab(window, "03-submit-filled-star")

        # A running upload: a big file so the bars are caught half way.
        form.assessment.select_path("assessments/MAP_Growth")
        big = big_csv(out / "practice-large.csv", 300)
        form.slots.slot("INPUT_FILE").set_file(big)  # type: ignore[union-attr]
        await wait_for(lambda: page.submit_button.isEnabled(), limit=60)
        caught: list[bool] = []

        def on_progress(_env: str, progress: object) -> None:
            fraction = getattr(progress, "fraction", None) or 0.0
            if not caught and 0.3 < fraction < 0.9:
                caught.append(True)
                grab(window, "04-upload-running")

        slot = dispatcher({FileProgress: lambda e: on_progress(e.env_var, e.progress)})
        page.runner.events.connect(slot)
        page.submit_button.click()
        await wait_for(lambda: not page.runner.is_running(), limit=120)
        page.runner.events.disconnect(slot)
        grab(window, "05-success")
        big.unlink()

        # Runway refuses the tenant: the error goes next to the field.
        page.panel.another_button.click()
        form.tenant.setEditText("district-z")
        form.slots.slot("INPUT_FILE").set_file(  # type: ignore[union-attr]
            practice_files()["assessments/MAP_Growth"]["INPUT_FILE"][0]
        )
        await wait_for(lambda: page.submit_button.isEnabled())
        page.submit_button.click()
        await wait_for(lambda: not page.runner.is_running() and page.banner.isVisible())
        grab(window, "06-error-on-field")

        # Upload links expired: a failure in the panel, with Retry.
        form.tenant.setEditText("district-a")
        sandbox.faults.set("s3_expired", {"count": 1})
        await wait_for(lambda: page.submit_button.isEnabled())
        page.submit_button.click()
        await wait_for(lambda: not page.runner.is_running())
        grab(window, "07-error-retry")

        window.show_page("Output sets")
        outputs = window.outputs_page
        for _ in range(30):  # the practice server may still be processing the last job
            task = outputs.refresh()
            if task is not None:
                await task
            if outputs.model.rowCount() > 0:
                break
            await asyncio.sleep(1)
        grab(window, "08-output-sets")
        window.show_page("History")
        history = window.history_page
        history.refresh()
        await asyncio.sleep(0.5)
        grab(window, "08-history")
        window.show_page("Settings")
        grab(window, "08-settings")
        dialog = ConnectionDialog(services, None, window)
        dialog.show()
        grab(dialog, "09-first-run-dialog")
        dialog.close()
        window.shutdown()
        window.close()
    finally:
        await services.aclose()
        sandbox.stop()
    return saved


def main() -> int:
    args = parse_args()
    if args.scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("RUNWAY_DESKTOP_HOME", str(args.out / "home"))
    args.out.mkdir(parents=True, exist_ok=True)
    import qasync
    from PySide6.QtWidgets import QApplication

    from runway_desktop.ui.theme import apply_theme

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)  # closing the dialog must not stop the loop
    apply_theme(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        for path in loop.run_until_complete(shoot(args.out)):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
