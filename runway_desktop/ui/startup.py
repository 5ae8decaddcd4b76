"""What happens between launch and a usable window: pick the profile (or ask for one),
connect, and hand the connection to the main window.

Runs from a Qt timer callback once the qasync loop is running, never inside an asyncio task:
a modal dialog's nested event loop must be free to run the dialog's own tasks. The app starts
it once the main window has painted (``MainWindow.firstPainted``): looking up the secret in the
keyring and creating the HTTP client take 100–250 ms that the first paint need not wait for.

In practice mode (``--sandbox``) the connection comes from the practice server's handshake,
which arrives a second or two after the window shows (``core.practice_server``, a child
process): until then the window says the server is starting.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Awaitable, Mapping
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QDialog

from runway_desktop.core.practice import practice_world
from runway_desktop.core.practice_server import PracticeServerError
from runway_desktop.core.session import Connection, MissingSecret, Session, connect
from runway_desktop.settings import Profile, ProfilesFileError
from runway_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def _is_local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class StartupController(QObject):
    def __init__(
        self,
        services: Session,
        window: MainWindow,
        *,
        profile_name: str | None = None,
        practice_handshake: Awaitable[Mapping[str, Any]] | None = None,
    ) -> None:
        """``practice_handshake``: what the practice server prints once it listens (practice
        mode); awaited after the first paint, so the window never waits for the server."""
        super().__init__(window)
        self.services = services
        self.window = window
        self.profile_name = profile_name
        self.practice_handshake = practice_handshake
        self._refresh_task: asyncio.Future[None] | None = None
        self._practice_task: asyncio.Future[None] | None = None
        self._connect_task: asyncio.Future[None] | None = None
        window.editConnectionRequested.connect(self.on_edit_connection)

    def start(self) -> None:
        if self.practice_handshake is not None:
            self._practice_task = asyncio.ensure_future(
                self._connect_practice(self.practice_handshake)
            )
            return
        self._connect_task = asyncio.ensure_future(self._connect_saved_profile())

    async def _connect_saved_profile(self) -> None:
        """Connect with the saved profile, or ask for one. The profiles file, the keyring and
        the HTTP client (~40 ms of imports, D-Bus and TLS set-up) are worked on a thread: the
        window stays live while they answer, whatever the keyring does."""
        try:
            profile, connection = await asyncio.to_thread(self._saved_connection)
        except ProfilesFileError as error:
            self.window.connection_note.show_note(str(error), error=True)
            profile, connection = None, None
        if connection is not None:
            self._use(connection)
            return
        # No profile yet, or its secret was not kept: ask. From a timer callback, never in
        # this task: the dialog's nested event loop must be free to run the dialog's tasks.
        QTimer.singleShot(0, lambda: self._ask_then_connect(profile))

    def _saved_connection(self) -> tuple[Profile | None, Connection | None]:
        """On a worker thread: the chosen profile and its connection (``None`` without a
        kept secret)."""
        profiles = self.services.profiles.list()
        if self.profile_name:
            profile = next((p for p in profiles if p.name == self.profile_name), None)
        else:
            profile = profiles[0] if profiles else None
        if profile is None:
            return None, None
        try:
            return profile, self.services.connect(profile)
        except MissingSecret:
            # No keyring last time: the secret lived only as long as that session.
            return profile, None

    def _ask_then_connect(self, profile: Profile | None) -> None:
        saved = self._ask_for_profile(profile)
        if saved is None:
            if self.window.connection is None:
                self.window.set_connection(None)
            return
        self._connect_task = asyncio.ensure_future(self._connect_profile(saved))

    async def _connect_profile(self, profile: Profile) -> None:
        """A profile the dialog just saved, with the secret it kept (off the Qt thread)."""

        def make() -> Connection:
            try:
                return self.services.connect(profile)
            except MissingSecret:
                # Not kept after all: signing in fails and says so, next to Edit connection.
                return connect(self.services.http, profile, "")

        self._use(await asyncio.to_thread(make))

    def _use(self, connection: Connection) -> None:
        self.window.set_connection(connection)
        if not _is_local(connection.profile.api_base_url):
            self._refresh_task = asyncio.ensure_future(self._refresh_registry())

    async def _connect_practice(self, handshake: Awaitable[Mapping[str, Any]]) -> None:
        note = self.window.connection_note
        note.show_note(self.tr("Starting the practice server…"), error=False)
        try:
            printed = await handshake
        except PracticeServerError as error:
            log.warning("practice server: %s", error)
            self.window.set_connection(None)
            # A plain-text label; the error is the core's wording.
            text = self.tr("Practice mode is not available. {error}")
            note.show_note(text.format(error=error), error=True)
            return
        profile, secret = Profile.from_sandbox_json(printed, name="Sandbox")
        seed = printed.get("seed")
        tenants, school_year = practice_world(seed if isinstance(seed, Mapping) else {})
        self.window.submit_page.form.set_practice_world(tenants, school_year)
        # The HTTP client is made on a thread, as for a saved profile.
        connection = await asyncio.to_thread(
            lambda: connect(self.services.http, profile, secret or "")
        )
        self.window.set_connection(connection)

    def _ask_for_profile(self, profile: Profile | None) -> Profile | None:
        # Imported here: most starts never show the dialog (a profile is saved already).
        from runway_desktop.ui.settings.connection_dialog import ConnectionDialog

        dialog = ConnectionDialog(self.services, profile, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.saved_profile()

    async def _refresh_registry(self) -> None:
        """Pick up bundles published since this version shipped; offline keeps the snapshot.

        Skipped for a server on this computer (the practice server), which reads the shipped
        snapshot itself: a newer public registry would only disagree with it.
        """
        result = await self.services.registry_provider.refresh(self.services.http)
        log.info("bundle registry: %s", result.message)
        if result.updated:
            form = self.window.submit_page.form
            form.assessment.set_bundles(self.services.registry, self.services.recent.bundle_paths())

    def on_edit_connection(self) -> None:
        current = self.window.connection.profile if self.window.connection else None
        saved = self._ask_for_profile(current)
        if saved is not None:
            self._connect_task = asyncio.ensure_future(self._connect_profile(saved))
