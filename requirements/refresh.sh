#!/usr/bin/env bash
# Re-pins requirements/*.txt from pyproject.toml (run after changing a dependency there):
#   .venv/bin/pip install uv && bash requirements/refresh.sh [--upgrade]
# One lock for every platform and Python the app supports (markers choose per machine).
set -euo pipefail
cd "$(dirname "$0")/.."
uv=${UV:-.venv/bin/uv}
common=(--universal --python-version 3.11 --quiet "$@")
# What the installers freeze: the app and its practice server.
"$uv" pip compile pyproject.toml "${common[@]}" --extra sandbox -o requirements/app.txt
# What CI and developers install: the app plus tests, linters and the installer builder.
"$uv" pip compile pyproject.toml "${common[@]}" --extra dev --extra sandbox --extra packaging \
  -o requirements/dev.txt
# What the installers' build machines install: the app plus the installer builder.
"$uv" pip compile pyproject.toml "${common[@]}" --extra sandbox --extra packaging \
  -o requirements/build.txt
