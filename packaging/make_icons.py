"""Make the Windows .ico and macOS .icns from resources/icons (needs Pillow).

    python packaging/make_icons.py      -> build/icons/runway-desktop.ico, .icns

The spec picks them up when present. They are build outputs (build/ is git-ignored), made on
the Windows and macOS CI runners before PyInstaller runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
OUT = ROOT / "build" / "icons"


def main() -> int:
    try:
        from PIL import Image
    except ImportError:
        print("make_icons.py needs Pillow: pip install pillow", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    biggest = Image.open(ICONS / "runway-desktop-256.png").convert("RGBA")
    ico_sizes = [(s, s) for s in (16, 24, 32, 48, 64, 128, 256)]
    biggest.save(OUT / "runway-desktop.ico", sizes=ico_sizes)
    # Pillow writes every standard .icns size it can make from this image (up to 256 px here).
    biggest.save(OUT / "runway-desktop.icns")
    for name in ("runway-desktop.ico", "runway-desktop.icns"):
        print(f"make_icons.py: {OUT / name} ({(OUT / name).stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
