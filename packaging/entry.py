"""PyInstaller's entry script for the frozen Runway Desktop (the same as ``runway-desktop``)."""

import sys

from runway_desktop.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
