"""What the sandbox imports: nothing of the client (``base``, below every layer, is allowed: the
shipped registry is found through ``base.resources``), and no circle between server and control.

Each check runs in a fresh interpreter, so modules other tests imported do not hide a cycle.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_control_does_not_import_the_server() -> None:
    out = _run(
        """
        import sys
        import runway_desktop.sandbox.control
        print("runway_desktop.sandbox.server" in sys.modules)
        """
    )
    assert out.strip() == "False"


def test_the_sandbox_imports_nothing_of_the_client() -> None:
    out = _run(
        """
        import sys
        import runway_desktop.sandbox.__main__
        import runway_desktop.sandbox.server
        print(sorted(
            name for name in sys.modules
            if name.startswith("runway_desktop.")
            and not name.startswith(("runway_desktop.sandbox", "runway_desktop.base"))
        ))
        """
    )
    assert out.strip() == "[]"
