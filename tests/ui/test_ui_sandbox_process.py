"""The GUI tests' sandbox is a child process, driven over HTTP; the in-process one refuses Qt.

Why it matters: a sandbox server thread beside Qt let Python's collector destroy Qt objects
on that thread (see tests/conftest.py). These tests fail if a GUI fixture quietly goes back
to an in-process sandbox, or if mixing the two stops being refused.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from sandbox_process import SERVER_THREAD_NAME
from ui_app_helpers import AppUnderTest, app_fixture  # noqa: F401  (the pytest fixture "app")

TESTS = Path(__file__).resolve().parents[1]


def test_the_app_under_test_talks_to_a_sandbox_in_another_process(app: AppUnderTest) -> None:
    child = app.sandbox
    assert child.pid is not None and child.pid != os.getpid() and child.server.running()
    assert SERVER_THREAD_NAME not in {t.name for t in threading.enumerate()}
    assert app.connection.profile.api_base_url == child.profile["api_base_url"]

    # What the tests do to it shows in its own report of its state.
    child.faults.set("s3_error", {"status": 500, "count": 2})
    child.set_executor(outcome="fail", delay_seconds=7.5)
    state = child.state()
    assert state["faults"] == {"s3_error": {"count": 2, "status": 500}}
    assert (state["executor"]["outcome"], state["executor"]["delay_seconds"]) == ("fail", 7.5)
    assert child.faults.peek("s3_error") == {"count": 2, "status": 500}
    child.faults.set("s3_error", None)
    assert child.faults.peek("s3_error") is None

    (uid,) = child.inject_output_sets(tenant="district-b", files={"a.jsonl": b"{}\n"})
    [job] = child.jobs()
    assert job.tenant == "district-b" and job.runs[0].output_sets == [uid]
    assert job.runs[0].status == "success" and child.job(job.uid) == job
    assert list(child.objects(job.prefix)) == [f"{job.prefix}/output/ods/a.jsonl"]

    # reset() is what each test starts from: the configured executor, nothing stored.
    child.reset()
    state = child.state()
    assert (state["jobs"], state["faults"], state["executor"]["outcome"]) == ([], {}, "auto")
    assert state["executor"]["delay_seconds"] == 0.2  # conftest's TEST_EXECUTOR_DELAY


MIXED = """
import pytest
from runway_desktop.sandbox.server import Sandbox


@pytest.fixture(scope="module")
def thread_sandbox():
    with Sandbox() as running:
        yield running


def test_mixed(qtbot, sandbox):
    pass


def test_thread_beside_qt(thread_sandbox, qtbot):
    pass


def test_in_process_without_qt(sandbox):
    assert sandbox.server.state.jobs == {}
"""
# Another module: the module-scoped thread above has ended by then, and the in-process
# sandbox that ran in this process is stopped before the Qt test.
CHILD = """
def test_child_with_qt(qtbot, sandbox_process):
    assert sandbox_process.state()["jobs"] == []
"""


def test_a_qt_test_cannot_have_the_in_process_sandbox_or_its_thread(tmp_path: Path) -> None:
    """Run in a pytest of its own, with tests/conftest.py as its plugin."""
    (tmp_path / "test_mixed.py").write_text(textwrap.dedent(MIXED), encoding="utf-8")
    (tmp_path / "test_next.py").write_text(textwrap.dedent(CHILD), encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider",
         "-p", "no:xdist", "-q", "-rE", "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    out = done.stdout + done.stderr
    assert "2 passed, 2 errors" in out, out
    assert "test_mixed runs Qt (qapp, qtbot) and asks for the in-process `sandbox`" in out, out
    assert "a sandbox server thread runs beside Qt in test_mixed.py::test_thread_beside_qt" in out
