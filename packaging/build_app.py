"""Build the frozen Runway Desktop folder with PyInstaller: ``python packaging/build_app.py``.

Same command on Linux, Windows and macOS (CI's installer jobs call it). Output:
``dist/runway-desktop/`` (plus ``dist/Runway Desktop.app`` on macOS). Run it with the Python
whose environment has runway-desktop (and, for practice mode, its ``[sandbox]`` extra) and
PyInstaller installed.

    python packaging/build_app.py [--no-sandbox] [--dist DIR] [--work DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "runway-desktop.spec"


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--no-sandbox", action="store_true", help="leave out practice mode")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller")
    args = parser.parse_args(argv)

    env = dict(os.environ)
    env["RUNWAY_SANDBOX"] = "0" if args.no_sandbox else env.get("RUNWAY_SANDBOX", "1")
    out = args.dist / "runway-desktop"
    # A fresh work folder instead of PyInstaller's --clean, which also wipes the per-user cache
    # that a concurrent build may be using.
    for stale in (out, args.work):
        if stale.exists():
            shutil.rmtree(stale)
    started = time.monotonic()
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level=WARN",
        "--distpath",
        str(args.dist),
        "--workpath",
        str(args.work),
        str(SPEC),
    ]
    print("+", " ".join(command), flush=True)
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        return result.returncode
    elapsed = time.monotonic() - started
    size_mb = folder_size(out) / 1e6
    print(f"build_app: {out} built in {elapsed:.0f} s, {size_mb:.1f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
