"""Runway Desktop: send assessment files to Runway and fetch the processed results."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("runway-desktop")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

APP_NAME = "Runway Desktop"
# Used for platformdirs, the keyring service name and the User-Agent.
APP_ID = "runway-desktop"
