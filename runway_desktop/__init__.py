"""Runway Desktop: send assessment files to Runway and fetch the processed results."""

# The one place the version is written: pyproject.toml reads it from here (dynamic version),
# and a constant costs nothing at start-up where importlib.metadata cost 25–50 ms.
__version__ = "0.1.0"

APP_NAME = "Runway Desktop"
# Used for platformdirs, the keyring service name and the User-Agent.
APP_ID = "runway-desktop"
