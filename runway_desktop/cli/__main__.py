"""``python -m runway_desktop.cli``: the same as ``runway-desktop-cli``."""

from runway_desktop.cli.main import main

raise SystemExit(main())
