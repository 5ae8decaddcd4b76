"""A keyring backend for the cold-start benchmark: no file, no D-Bus, one fixed secret.

Selected in the measured process with
``PYTHON_KEYRING_BACKEND=bench_keyring.FixedSecretKeyring`` (this folder on ``PYTHONPATH``);
it answers every lookup with ``$RUNWAY_BENCH_KEYRING_SECRET``, so ``runway-desktop --profile X``
finds a saved secret and opens the main window instead of the connection dialog. Kept tiny on
purpose: it is imported during the start-up being timed. A real Secret Service lookup costs
more (STACK-NOTES §3: ~250 ms for a set/get/delete round trip), so this is the best case.
"""

from __future__ import annotations

import os

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

SECRET_ENV = "RUNWAY_BENCH_KEYRING_SECRET"


class FixedSecretKeyring(KeyringBackend):
    priority = 1  # >= 1: Runway Desktop treats the backend as a usable, persistent keyring

    def get_password(self, service: str, username: str) -> str | None:
        return os.environ.get(SECRET_ENV) or None

    def set_password(self, service: str, username: str, password: str) -> None:
        pass  # the fixed secret cannot change

    def delete_password(self, service: str, username: str) -> None:
        raise PasswordDeleteError(username)
